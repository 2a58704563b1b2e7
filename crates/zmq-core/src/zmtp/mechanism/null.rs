//! The NULL mechanism (RFC 23): each side sends READY with its metadata and
//! waits for the other's READY; an ERROR from the peer ends the connection.
//! No authentication, no encryption, so traffic is plain frames afterwards.

use bytes::{Bytes, BytesMut};

use super::{our_metadata, validate_peer, Step};
use crate::zmtp::command::Command;
use crate::zmtp::greeting::{mechanism_name, MechanismName};
use crate::zmtp::ProtocolError;
use crate::SocketType;

/// The NULL handshake for one connection.
#[derive(Debug, Clone)]
pub struct Null {
    socket_type: SocketType,
    routing_id: Bytes,
}

impl Null {
    /// The name this mechanism announces in the greeting.
    pub const NAME: MechanismName = mechanism_name(b"NULL");

    pub fn new(socket_type: SocketType, routing_id: Bytes) -> Null {
        Null {
            socket_type,
            routing_id,
        }
    }

    /// Queues our READY; called once the greetings are exchanged. Both peers
    /// send before reading, so neither waits on the other (RFC 23).
    pub fn start(&mut self, out: &mut BytesMut) {
        Command::Ready(our_metadata(self.socket_type, &self.routing_id)).encode(out);
    }

    /// Handles one handshake command from the peer.
    pub fn handle(&mut self, cmd: Command) -> Result<Step, ProtocolError> {
        match cmd {
            Command::Ready(meta) => Ok(Step::Done(validate_peer(self.socket_type, meta)?)),
            Command::Error { reason } => Err(ProtocolError::PeerError {
                reason: String::from_utf8_lossy(&reason).into(),
            }),
            other => Err(ProtocolError::UnexpectedCommand(
                String::from_utf8_lossy(other.name()).into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zmtp::command::{Metadata, IDENTITY, SOCKET_TYPE};

    fn ready(props: &[(&str, &str)]) -> Command {
        let mut meta = Metadata::default();
        for (n, v) in props {
            meta.push(n, v.to_string());
        }
        Command::Ready(meta)
    }

    #[test]
    fn identity_is_sent_only_by_req_dealer_and_router() {
        for (ty, with_id) in [
            (SocketType::Req, true),
            (SocketType::Dealer, true),
            (SocketType::Router, true),
            (SocketType::Rep, false),
            (SocketType::Pub, false),
            (SocketType::Sub, false),
            (SocketType::Push, false),
            (SocketType::Pair, false),
        ] {
            let mut out = BytesMut::new();
            Null::new(ty, Bytes::from_static(b"me")).start(&mut out);
            let mut frame = out.clone();
            let f = crate::zmtp::frame::decode(&mut frame, u64::MAX)
                .unwrap()
                .unwrap();
            let Command::Ready(meta) = Command::parse(f.body).unwrap() else {
                panic!("not READY");
            };
            assert_eq!(meta.get(SOCKET_TYPE).unwrap(), ty.name());
            assert_eq!(meta.get(IDENTITY).is_some(), with_id, "{ty:?}");
            if with_id {
                assert_eq!(meta.get(IDENTITY).unwrap(), "me");
            }
        }
    }

    #[test]
    fn accepts_a_compatible_ready() {
        let mut null = Null::new(SocketType::Dealer, Bytes::new());
        let Step::Done(peer) = null
            .handle(ready(&[("socket-type", "ROUTER"), ("X-App", "1")]))
            .unwrap()
        else {
            panic!("not done");
        };
        assert_eq!(peer.socket_type, SocketType::Router);
        assert_eq!(peer.metadata.get("x-app").unwrap(), "1");
    }

    #[test]
    fn refuses_bad_readies_errors_and_other_commands() {
        let mut null = Null::new(SocketType::Push, Bytes::new());
        assert_eq!(
            null.handle(ready(&[("Socket-Type", "PUSH")])),
            Err(ProtocolError::IncompatibleSocketType {
                ours: SocketType::Push,
                peer: SocketType::Push
            })
        );
        assert_eq!(
            null.handle(ready(&[("Identity", "x")])),
            Err(ProtocolError::MissingSocketType)
        );
        assert_eq!(
            null.handle(ready(&[("Socket-Type", "pull")])),
            Err(ProtocolError::UnknownSocketType("pull".into()))
        );
        assert_eq!(
            null.handle(Command::Error {
                reason: Bytes::from_static(b"go away")
            }),
            Err(ProtocolError::PeerError {
                reason: "go away".into()
            })
        );
        assert_eq!(
            null.handle(Command::Ping {
                ttl: 0,
                context: Bytes::new()
            }),
            Err(ProtocolError::UnexpectedCommand("PING".into()))
        );
    }
}
