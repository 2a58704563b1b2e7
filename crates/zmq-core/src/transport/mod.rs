//! Transports chosen by the endpoint URL's scheme.

pub mod filter;
pub mod ipc;
pub mod socks;
pub mod stream;
pub mod target;
pub mod tcp;

use crate::error::{Error, Result};

/// The transports this build knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Tcp,
    Ipc,
    Inproc,
}

/// Splits `scheme://address`, mapping the scheme to a transport.
pub fn parse(endpoint: &str) -> Result<(Scheme, &str)> {
    let (scheme, address) = endpoint.split_once("://").ok_or(Error::Invalid)?;
    match scheme {
        "tcp" => Ok((Scheme::Tcp, address)),
        "ipc" => Ok((Scheme::Ipc, address)),
        "inproc" => Ok((Scheme::Inproc, address)),
        _ => Err(Error::ProtocolNotSupported),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(parse("tcp://a:1").unwrap(), (Scheme::Tcp, "a:1"));
        assert_eq!(parse("foo://x"), Err(Error::ProtocolNotSupported));
        assert_eq!(parse("pgm://x"), Err(Error::ProtocolNotSupported));
        assert_eq!(parse("tcp:/x"), Err(Error::Invalid));
        assert_eq!(parse(""), Err(Error::Invalid));
    }
}
