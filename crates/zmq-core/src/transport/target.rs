//! Where a connect goes: a tcp endpoint (by name or address, resolved at
//! each attempt, maybe through a SOCKS5 proxy) or an ipc path.

use super::ipc::IpcAddr;
use super::socks::{Socks5, SocksProxy};
use super::stream::Stream;
use super::tcp::{self, TcpEndpoint};

/// Where a connecter connects to.
#[derive(Debug, Clone)]
pub enum Target {
    Tcp(TcpEndpoint),
    Ipc(IpcAddr),
}

impl Target {
    /// Starts a non-blocking connect (names are resolved again each time):
    /// to the SOCKS proxy, for tcp through one.
    pub fn connect(&self, socks: Option<&SocksProxy>) -> Option<Stream> {
        match (self, socks) {
            (Target::Tcp(t), Some(proxy)) => {
                let proxy = tcp::connect_endpoint(&proxy.address, t.ipv6).ok()?;
                proxy.connect().map(Stream::Tcp)
            }
            (Target::Tcp(t), None) => t.connect().map(Stream::Tcp),
            (Target::Ipc(addr), _) => addr.connect().ok(),
        }
    }

    /// The SOCKS handshake to run once connected to the proxy, if any.
    pub fn socks(&self, socks: Option<&SocksProxy>) -> Option<Socks5> {
        let (Target::Tcp(t), Some(proxy)) = (self, socks) else {
            return None;
        };
        let credentials = proxy
            .credentials
            .as_ref()
            .map(|(u, p)| (u.as_ref(), p.as_ref()));
        Some(Socks5::new(&t.host, t.port, credentials))
    }
}
