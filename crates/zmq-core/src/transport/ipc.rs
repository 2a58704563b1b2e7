//! ipc:// addresses: Unix domain socket paths, Linux abstract names
//! (`ipc://@name`), and `ipc://*`, which binds a fresh path.

use super::stream::{Acceptor, Stream};
use crate::error::{Error, Result};
use std::io;
use std::os::fd::RawFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt};
use std::os::unix::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The most a socket path may hold (sun_path less its terminating NUL).
const MAX_PATH: usize = 107;

/// Where an ipc endpoint lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpcAddr {
    Path(PathBuf),
    Abstract(String),
}

/// As libzmq: an empty path or abstract name is EINVAL, one longer than a
/// socket address holds is ENAMETOOLONG (on bind and on connect).
pub fn parse(address: &str) -> Result<IpcAddr> {
    if address.is_empty() || address == "@" {
        return Err(Error::Invalid);
    }
    if address.len() > MAX_PATH {
        return Err(Error::Os(libc::ENAMETOOLONG));
    }
    Ok(match address.strip_prefix('@') {
        Some(name) => IpcAddr::Abstract(name.to_string()),
        None => IpcAddr::Path(PathBuf::from(address)),
    })
}

impl IpcAddr {
    fn socket_addr(&self) -> io::Result<SocketAddr> {
        match self {
            IpcAddr::Path(p) => SocketAddr::from_pathname(p),
            IpcAddr::Abstract(name) => SocketAddr::from_abstract_name(name.as_bytes()),
        }
    }

    /// The endpoint string ZMQ_LAST_ENDPOINT reports.
    pub fn endpoint(&self) -> String {
        match self {
            IpcAddr::Path(p) => format!("ipc://{}", p.display()),
            IpcAddr::Abstract(name) => format!("ipc://@{name}"),
        }
    }

    /// Starts a non-blocking connect.
    pub fn connect(&self) -> io::Result<Stream> {
        mio::net::UnixStream::connect_addr(&self.socket_addr()?).map(Stream::Unix)
    }
}

/// Binds `address` (`*` picks a fresh path). A socket file left behind by
/// a process that is gone is replaced; one somebody listens on is not.
pub fn bind(address: &str) -> Result<(Acceptor, IpcAddr)> {
    let (addr, dir) = if address == "*" {
        let dir = fresh_dir().map_err(|e| Error::from_io(&e))?;
        (IpcAddr::Path(dir.join("socket")), Some(dir))
    } else {
        (parse(address)?, None)
    };
    let sa = addr.socket_addr().map_err(|_| Error::Invalid)?;
    let listener = match mio::net::UnixListener::bind_addr(&sa) {
        Err(e) if e.kind() == io::ErrorKind::AddrInUse => match &addr {
            IpcAddr::Path(p) if is_stale(p) => {
                let _ = std::fs::remove_file(p);
                mio::net::UnixListener::bind_addr(&sa)
            }
            _ => Err(e),
        },
        other => other,
    }
    .map_err(|e| Error::from_io(&e))?;
    let file = match &addr {
        IpcAddr::Path(p) => Some(p.clone()),
        IpcAddr::Abstract(_) => None,
    };
    Ok((
        Acceptor::Unix {
            listener,
            file,
            dir,
        },
        addr,
    ))
}

/// Adopts the caller's listening Unix socket (ZMQ_USE_FD) for `address`:
/// ours from now on, closed with the listener; its file is the caller's to
/// remove (as libzmq).
pub fn adopt(fd: RawFd, address: &str) -> Result<(Acceptor, String)> {
    use std::os::fd::{FromRawFd, IntoRawFd};
    // SAFETY: ZMQ_USE_FD hands us the descriptor; if it turns out to be no
    // Unix socket it is given back untouched (into_raw_fd).
    let listener = unsafe { std::os::unix::net::UnixListener::from_raw_fd(fd) };
    if listener.local_addr().is_err() || listener.set_nonblocking(true).is_err() {
        let _ = listener.into_raw_fd();
        return Err(Error::Invalid);
    }
    let acceptor = Acceptor::Unix {
        listener: mio::net::UnixListener::from_std(listener),
        file: None,
        dir: None,
    };
    Ok((acceptor, format!("ipc://{address}")))
}

/// A socket file nobody accepts on.
fn is_stale(path: &Path) -> bool {
    let is_socket = std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket());
    is_socket
        && std::os::unix::net::UnixStream::connect(path)
            .is_err_and(|e| e.kind() == io::ErrorKind::ConnectionRefused)
}

/// A new private directory under the temp dir for `ipc://*`.
fn fresh_dir() -> io::Result<PathBuf> {
    let base = std::env::temp_dir();
    let seed = std::process::id() as u64
        ^ (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0));
    for i in 0..100u64 {
        let name = format!(
            "zmq-{:x}",
            seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(i)
        );
        let dir = base.join(name);
        // Private, as libzmq's mkdtemp makes it.
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::from(io::ErrorKind::AlreadyExists))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(parse("/tmp/x").unwrap(), IpcAddr::Path("/tmp/x".into()));
        assert_eq!(parse("@name").unwrap(), IpcAddr::Abstract("name".into()));
        assert_eq!(parse(""), Err(Error::Invalid));
        assert_eq!(parse("@"), Err(Error::Invalid));
        assert_eq!(
            parse(&"a".repeat(107)).unwrap(),
            IpcAddr::Path("a".repeat(107).into())
        );
        assert_eq!(parse(&"a".repeat(108)), Err(Error::Os(libc::ENAMETOOLONG)));
        assert_eq!(IpcAddr::Abstract("n".into()).endpoint(), "ipc://@n");
    }

    #[test]
    fn wildcard_binds_a_fresh_path_and_cleans_up() {
        let (acceptor, addr) = bind("*").unwrap();
        let IpcAddr::Path(path) = addr else {
            panic!("wildcard gave {addr:?}")
        };
        assert!(path.exists());
        drop(acceptor);
        assert!(!path.exists());
        assert!(!path.parent().unwrap().exists());
    }

    #[test]
    fn stale_files_are_replaced_live_ones_are_not() {
        let dir = fresh_dir().unwrap();
        let path = dir.join("s");
        let first = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let p = path.to_str().unwrap();
        assert_eq!(bind(p).err(), Some(Error::AddrInUse));
        drop(first); // std leaves the file behind: now it is stale
        let (acceptor, _) = bind(p).unwrap();
        drop(acceptor);
        let _ = std::fs::remove_dir(&dir);
    }
}
