//! tcp:// addresses: parsing, interface names, wildcards and resolution.
//!
//! Binding takes `*`, an IP literal or an interface name (no DNS, as libzmq);
//! connecting takes a host name or an IP literal. Port `*` or `!` (or 0)
//! binds an ephemeral port.

use super::stream::Acceptor;
use crate::error::{Error, Result};
use std::ffi::CStr;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::os::fd::RawFd;
use std::time::Duration;

/// Per-connection tcp settings (ZMQ_SNDBUF ... ZMQ_BINDTODEVICE).
#[derive(Clone, Debug)]
pub struct TcpSettings {
    pub sndbuf: i32,
    pub rcvbuf: i32,
    pub keepalive: i32,
    pub keepalive_cnt: i32,
    pub keepalive_idle: i32,
    pub keepalive_intvl: i32,
    pub tos: i32,
    pub maxrt: i32,
    pub device: Option<String>,
}

impl Default for TcpSettings {
    fn default() -> Self {
        TcpSettings {
            sndbuf: -1,
            rcvbuf: -1,
            keepalive: -1,
            keepalive_cnt: -1,
            keepalive_idle: -1,
            keepalive_intvl: -1,
            tos: 0,
            maxrt: 0,
            device: None,
        }
    }
}

/// A connect target, resolved again at every (re)connect attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpEndpoint {
    pub host: String,
    pub port: u16,
    pub ipv6: bool,
    /// The local address to connect from (`tcp://src:port;dst:port`): an
    /// IP address or an interface name, as bind takes.
    pub source: Option<String>,
}

/// Splits `host:port`, unwrapping `[v6]` brackets.
fn split(address: &str) -> Result<(&str, &str)> {
    let (host, port) = address.rsplit_once(':').ok_or(Error::Invalid)?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.is_empty() || port.is_empty() {
        return Err(Error::Invalid);
    }
    Ok((host, port))
}

fn parse_port(port: &str) -> Result<u16> {
    port.parse::<u16>().map_err(|_| Error::Invalid)
}

/// The address to bind for `address`.
pub fn bind_addr(address: &str, ipv6: bool) -> Result<SocketAddr> {
    let (host, port) = split(address)?;
    let port = match port {
        "*" | "!" => 0,
        p => parse_port(p)?,
    };
    let ip = if host == "*" {
        if ipv6 {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        }
    } else if let Ok(ip) = host.parse::<IpAddr>() {
        if ip.is_ipv6() && !ipv6 {
            return Err(Error::NoDevice);
        }
        ip
    } else {
        interface_addr(host, ipv6)?.ok_or(Error::NoDevice)?
    };
    Ok(SocketAddr::new(ip, port))
}

/// Adopts the caller's listening descriptor (ZMQ_USE_FD): it is ours from
/// now on, closed with the listener (as libzmq). Returns the acceptor and
/// the address it listens on.
pub fn adopt(fd: RawFd) -> Result<(Acceptor, String)> {
    use std::os::fd::{FromRawFd, IntoRawFd};
    // SAFETY: ZMQ_USE_FD hands us the descriptor; if it turns out to be no
    // listening tcp socket it is given back untouched (into_raw_fd).
    let listener = unsafe { std::net::TcpListener::from_raw_fd(fd) };
    let local = match listener.local_addr() {
        Ok(local) if listener.set_nonblocking(true).is_ok() => local,
        _ => {
            let _ = listener.into_raw_fd();
            return Err(Error::Invalid);
        }
    };
    let acceptor = Acceptor::Tcp(mio::net::TcpListener::from_std(listener));
    Ok((acceptor, endpoint_string(local)))
}

/// Checks a connect address's spelling, as zmq_connect does: names and
/// addresses (the source one too, `tcp://src;dst:port`) are resolved by the
/// connecter at each attempt, which retries until they do (as libzmq).
pub fn connect_endpoint(address: &str, ipv6: bool) -> Result<TcpEndpoint> {
    if !spelled_as_libzmq_takes(address) {
        return Err(Error::Invalid);
    }
    let (source, address) = match address.rsplit_once(';') {
        Some((src, dst)) => (Some(src.to_string()), dst),
        None => (None, address),
    };
    let (host, port) = address.rsplit_once(':').ok_or(Error::Invalid)?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port = parse_port(port)?;
    if port == 0 {
        return Err(Error::Invalid);
    }
    Ok(TcpEndpoint {
        host: host.to_string(),
        port,
        ipv6,
        source,
    })
}

/// libzmq's check of a connect address: a letter, digit, `[` or `:`
/// first, then only those and `.-%;]_*`, ending in `:` and a port that
/// starts with a digit. (An empty host passes, as in libzmq.)
fn spelled_as_libzmq_takes(address: &str) -> bool {
    let mut bytes = address.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'[' || c == b':');
    let rest_ok = bytes.all(|c| c.is_ascii_alphanumeric() || b".-:%;[]_*".contains(&c));
    let port_ok = address
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.bytes().next().is_some_and(|c| c.is_ascii_digit()));
    first_ok && rest_ok && port_ok
}

impl TcpEndpoint {
    /// The addresses to try, IPv4 only unless ZMQ_IPV6 is set.
    pub fn resolve(&self) -> Vec<SocketAddr> {
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return if ip.is_ipv4() || self.ipv6 {
                vec![SocketAddr::new(ip, self.port)]
            } else {
                Vec::new()
            };
        }
        let Ok(addrs) = (self.host.as_str(), self.port).to_socket_addrs() else {
            return Vec::new();
        };
        let mut addrs: Vec<SocketAddr> = addrs.filter(|a| a.is_ipv4() || self.ipv6).collect();
        // Prefer IPv4 on dual-stack names, as most peers bind it.
        addrs.sort_by_key(|a| a.is_ipv6());
        addrs
    }
}

impl TcpEndpoint {
    /// Starts a non-blocking connect to the first address that takes one,
    /// from the source address if one was given.
    pub fn connect(&self) -> Option<mio::net::TcpStream> {
        self.resolve()
            .into_iter()
            .find_map(|addr| match &self.source {
                None => mio::net::TcpStream::connect(addr).ok(),
                Some(src) => {
                    let src = bind_addr(src, self.ipv6).ok()?;
                    connect_from(src, addr).ok()
                }
            })
    }
}

fn connect_from(source: SocketAddr, addr: SocketAddr) -> std::io::Result<mio::net::TcpStream> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.bind(&source.into())?;
    socket.set_nonblocking(true)?;
    match socket.connect(&addr.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(e),
    }
    Ok(mio::net::TcpStream::from_std(socket.into()))
}

/// The first address of the named interface (`eth0`, `lo`), if it exists.
fn interface_addr(name: &str, ipv6: bool) -> Result<Option<IpAddr>> {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list` on success; freed below.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return Err(Error::NoDevice);
    }
    let mut found = None;
    let mut cur = list;
    while !cur.is_null() {
        // SAFETY: `cur` walks the list getifaddrs returned, which stays valid
        // until freeifaddrs.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_addr.is_null() || ifa.ifa_name.is_null() {
            continue;
        }
        // SAFETY: ifa_name is a NUL-terminated string owned by the list.
        let ifname = unsafe { CStr::from_ptr(ifa.ifa_name) };
        if ifname.to_bytes() != name.as_bytes() {
            continue;
        }
        // SAFETY: ifa_addr is non-null and sa_family tells its real type.
        let family = unsafe { (*ifa.ifa_addr).sa_family } as i32;
        if family == libc::AF_INET {
            // SAFETY: the family says this is a sockaddr_in.
            let sin = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
            found = Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                sin.sin_addr.s_addr,
            ))));
            break;
        }
        if family == libc::AF_INET6 && ipv6 && found.is_none() {
            // SAFETY: the family says this is a sockaddr_in6.
            let sin6 = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in6) };
            found = Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)));
        }
    }
    // SAFETY: `list` came from getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(list) };
    Ok(found)
}

/// Applies the socket options a tcp socket takes from ZMQ_SNDBUF ...
/// ZMQ_BINDTODEVICE (a listener passes them on to what it accepts).
pub fn apply(socket: socket2::SockRef<'_>, s: &TcpSettings) -> std::io::Result<()> {
    if s.sndbuf >= 0 {
        socket.set_send_buffer_size(s.sndbuf as usize)?;
    }
    if s.rcvbuf >= 0 {
        socket.set_recv_buffer_size(s.rcvbuf as usize)?;
    }
    if s.keepalive >= 0 {
        socket.set_keepalive(s.keepalive == 1)?;
    }
    if s.keepalive == 1 {
        let mut params = socket2::TcpKeepalive::new();
        if s.keepalive_idle > 0 {
            params = params.with_time(Duration::from_secs(s.keepalive_idle as u64));
        }
        if s.keepalive_intvl > 0 {
            params = params.with_interval(Duration::from_secs(s.keepalive_intvl as u64));
        }
        if s.keepalive_cnt > 0 {
            params = params.with_retries(s.keepalive_cnt as u32);
        }
        socket.set_tcp_keepalive(&params)?;
    }
    if s.tos > 0 {
        socket.set_tos_v4(s.tos as u32)?;
    }
    if s.maxrt > 0 {
        socket.set_tcp_user_timeout(Some(Duration::from_millis(s.maxrt as u64)))?;
    }
    if let Some(device) = &s.device {
        socket.bind_device(Some(device.as_bytes()))?;
    }
    Ok(())
}

/// A non-blocking listener on `addr` with libzmq's settings: address
/// reuse, the given backlog, and dual-stack when bound to `[::]`.
pub fn listen(
    addr: SocketAddr,
    backlog: i32,
    settings: &TcpSettings,
) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(false)?;
    }
    apply((&socket).into(), settings)?;
    socket.bind(&addr.into())?;
    socket.listen(backlog)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// The endpoint string ZMQ_LAST_ENDPOINT reports for a bound address.
pub fn endpoint_string(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("tcp://{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("tcp://[{}]:{}", a.ip(), a.port()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_addresses() {
        assert_eq!(
            bind_addr("*:5555", false).unwrap(),
            "0.0.0.0:5555".parse().unwrap()
        );
        assert_eq!(bind_addr("127.0.0.1:*", false).unwrap().port(), 0);
        assert_eq!(bind_addr("127.0.0.1:!", false).unwrap().port(), 0);
        assert_eq!(
            bind_addr("lo:7", false).unwrap(),
            "127.0.0.1:7".parse().unwrap()
        );
        assert_eq!(bind_addr("nosuchif0:1", false), Err(Error::NoDevice));
        assert_eq!(bind_addr("127.0.0.1", false), Err(Error::Invalid));
        assert_eq!(bind_addr("127.0.0.1:http", false), Err(Error::Invalid));
        assert_eq!(bind_addr("127.0.0.1:70000", false), Err(Error::Invalid));
        assert_eq!(
            bind_addr("[::1]:5", true).unwrap(),
            "[::1]:5".parse().unwrap()
        );
    }

    #[test]
    fn connect_addresses() {
        let e = connect_endpoint("localhost:5555", false).unwrap();
        assert!(e.resolve().iter().all(|a| a.is_ipv4()));
        assert!(!e.resolve().is_empty());
        assert_eq!(connect_endpoint("nohostport", false), Err(Error::Invalid));
        let e = connect_endpoint("127.0.0.1:*;localhost:5555", false).unwrap();
        assert_eq!(e.source.as_deref(), Some("127.0.0.1:*"));
        assert_eq!(e.port, 5555);
        // Source names are resolved when connecting, as libzmq.
        let e = connect_endpoint("nosuchif0:1;localhost:5555", false).unwrap();
        assert!(e.connect().is_none());
        assert!(connect_endpoint("localhost:5555;localhost:1235", false).is_ok());
        assert!(connect_endpoint(":1234", false).is_ok(), "libzmq takes it");
        assert_eq!(connect_endpoint("127.0.0.1:*", false), Err(Error::Invalid));
        // Resolved later, by the connecter (which retries), as libzmq.
        let e = connect_endpoint("no.such.host.invalid:1", false).unwrap();
        assert!(e.resolve().is_empty());
        let e = connect_endpoint("[::1]:1234", false).unwrap();
        assert!(e.resolve().is_empty(), "IPv6 only with ZMQ_IPV6");
        assert_eq!(connect_endpoint("in val id:1", false), Err(Error::Invalid));
        assert_eq!(
            connect_endpoint("localhost:http", false),
            Err(Error::Invalid)
        );
    }

    #[test]
    fn last_endpoint_format() {
        assert_eq!(
            endpoint_string("0.0.0.0:1".parse().unwrap()),
            "tcp://0.0.0.0:1"
        );
        assert_eq!(endpoint_string("[::1]:2".parse().unwrap()), "tcp://[::1]:2");
    }
}
