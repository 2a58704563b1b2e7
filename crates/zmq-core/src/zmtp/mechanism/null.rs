//! The NULL mechanism (RFC 23): each side sends READY with its metadata and
//! waits for the other's READY; an ERROR from the peer ends the connection.
//! No encryption, so traffic is plain frames afterwards. A side with a ZAP
//! domain asks its ZAP handler about the peer before sending READY.

use bytes::BytesMut;

use super::{refuse, unexpected, validate_peer, ErrorForm, PeerMetadata, Step, Us};
use crate::zmtp::command::Command;
use crate::zmtp::greeting::{mechanism_name, MechanismName};
use crate::zmtp::zap::{Request, Verdict};
use crate::zmtp::ProtocolError;

/// The NULL handshake for one connection.
#[derive(Debug, Clone)]
pub struct Null {
    us: Us,
    authenticate: bool,
    enforce: bool,
    ready_sent: bool,
    /// The peer's READY, held while the ZAP handler decides.
    peer: Option<PeerMetadata>,
}

impl Null {
    /// The name this mechanism announces in the greeting.
    pub const NAME: MechanismName = mechanism_name(b"NULL");

    pub fn new(us: Us, authenticate: bool, enforce: bool) -> Null {
        Null {
            us,
            authenticate,
            enforce,
            ready_sent: false,
            peer: None,
        }
    }

    /// Queues our READY, or first asks ZAP about the peer. Both peers send
    /// before reading, so neither waits on the other (RFC 23).
    pub fn start(&mut self, out: &mut BytesMut) -> Step {
        if self.authenticate {
            return Step::Authenticate(Request {
                mechanism: "NULL",
                credentials: Vec::new(),
            });
        }
        self.send_ready(out);
        Step::Continue
    }

    fn send_ready(&mut self, out: &mut BytesMut) {
        Command::Ready(self.us.metadata()).encode(out);
        self.ready_sent = true;
    }

    /// Handles one handshake command from the peer.
    pub fn handle(&mut self, cmd: Command, _out: &mut BytesMut) -> Result<Step, ProtocolError> {
        match cmd {
            Command::Ready(meta) if self.peer.is_none() => {
                let peer = validate_peer(self.us.socket_type, meta)?;
                if self.ready_sent {
                    return Ok(Step::Done(peer));
                }
                self.peer = Some(peer);
                Ok(Step::Continue)
            }
            other => Err(unexpected(&other)),
        }
    }

    /// The ZAP handler's answer: READY goes out if the peer may stay. With
    /// no handler bound, NULL lets everyone in unless told to enforce the
    /// domain (as libzmq).
    pub fn verdict(&mut self, verdict: Verdict, out: &mut BytesMut) -> Result<Step, ProtocolError> {
        match verdict {
            Verdict::Unavailable if self.enforce => Err(ProtocolError::NoAuthenticator),
            Verdict::Allow | Verdict::Unavailable if !self.ready_sent => {
                self.send_ready(out);
                Ok(self.peer.take().map_or(Step::Continue, Step::Done))
            }
            Verdict::Deny(status) => Err(refuse(status, ErrorForm::Rfc, out)),
            _ => Err(ProtocolError::UnexpectedCommand("ZAP".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{
        tests::{sent, HandleCmd},
        Mechanism, Security,
    };
    use super::*;
    use crate::zmtp::command::{Metadata, IDENTITY, SOCKET_TYPE};
    use crate::SocketType;
    use bytes::Bytes;

    fn ready(props: &[(&str, &str)]) -> Command {
        let mut meta = Metadata::default();
        for (n, v) in props {
            meta.push(n, v.to_string());
        }
        Command::Ready(meta)
    }

    fn null(ty: SocketType, id: &'static [u8], authenticate: bool) -> Mechanism {
        Mechanism::new(
            &Security::Null {
                authenticate,
                enforce: false,
            },
            ty,
            Bytes::from_static(id),
        )
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
            assert_eq!(null(ty, b"me", false).start(&mut out), Ok(Step::Continue));
            let [Command::Ready(meta)] = &sent(&mut out)[..] else {
                panic!("not one READY");
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
        let mut m = null(SocketType::Dealer, b"", false);
        let mut out = BytesMut::new();
        m.start(&mut out).unwrap();
        let Step::Done(peer) = m
            .handle_cmd(
                ready(&[("socket-type", "ROUTER"), ("X-App", "1")]),
                &mut out,
            )
            .unwrap()
        else {
            panic!("not done");
        };
        assert_eq!(peer.socket_type, SocketType::Router);
        assert_eq!(peer.metadata.get("x-app").unwrap(), "1");
    }

    #[test]
    fn refuses_bad_readies_errors_and_other_commands() {
        let mut m = null(SocketType::Push, b"", false);
        let out = &mut BytesMut::new();
        m.start(out).unwrap();
        assert_eq!(
            m.handle_cmd(ready(&[("Socket-Type", "PUSH")]), out),
            Err(ProtocolError::IncompatibleSocketType {
                ours: SocketType::Push,
                peer: SocketType::Push
            })
        );
        assert_eq!(
            m.handle_cmd(ready(&[("Identity", "x")]), out),
            Err(ProtocolError::MissingSocketType)
        );
        assert_eq!(
            m.handle_cmd(ready(&[("Socket-Type", "pull")]), out),
            Err(ProtocolError::UnknownSocketType("pull".into()))
        );
        assert_eq!(
            m.handle_cmd(
                Command::Error {
                    reason: Bytes::from_static(b"go away")
                },
                out
            ),
            Err(ProtocolError::PeerError {
                reason: "go away".into()
            })
        );
        assert_eq!(
            m.handle_cmd(
                Command::Ping {
                    ttl: 0,
                    context: Bytes::new()
                },
                out
            ),
            Err(ProtocolError::UnexpectedCommand("PING".into()))
        );
    }

    #[test]
    fn with_a_zap_domain_ready_waits_for_the_verdict() {
        let mut m = null(SocketType::Pull, b"", true);
        let out = &mut BytesMut::new();
        assert_eq!(
            m.start(out),
            Ok(Step::Authenticate(Request {
                mechanism: "NULL",
                credentials: vec![]
            }))
        );
        assert!(out.is_empty(), "READY before the verdict");
        // The peer's READY is held until the handler answers.
        assert_eq!(
            m.handle_cmd(ready(&[("Socket-Type", "PUSH")]), out),
            Ok(Step::Continue)
        );
        let Ok(Step::Done(peer)) = m.verdict(Verdict::Allow, out) else {
            panic!("not done");
        };
        assert_eq!(peer.socket_type, SocketType::Push);
        assert!(matches!(&sent(out)[..], [Command::Ready(_)]));
    }

    #[test]
    fn no_handler_lets_the_peer_in() {
        let mut m = null(SocketType::Pull, b"", true);
        let out = &mut BytesMut::new();
        m.start(out).unwrap();
        assert_eq!(m.verdict(Verdict::Unavailable, out), Ok(Step::Continue));
        assert!(matches!(&sent(out)[..], [Command::Ready(_)]));
        assert!(matches!(
            m.handle_cmd(ready(&[("Socket-Type", "PUSH")]), out),
            Ok(Step::Done(_))
        ));
    }

    #[test]
    fn enforcing_the_domain_refuses_peers_without_a_handler() {
        let mut m = Mechanism::new(
            &Security::Null {
                authenticate: true,
                enforce: true,
            },
            SocketType::Pull,
            Bytes::new(),
        );
        let out = &mut BytesMut::new();
        m.start(out).unwrap();
        assert_eq!(
            m.verdict(Verdict::Unavailable, out),
            Err(ProtocolError::NoAuthenticator)
        );
        assert!(out.is_empty());
    }

    #[test]
    fn a_denied_peer_gets_an_error_naming_the_status() {
        for (status, error_sent) in [(400, true), (500, true), (300, false)] {
            let mut m = null(SocketType::Pull, b"", true);
            let out = &mut BytesMut::new();
            m.start(out).unwrap();
            assert_eq!(
                m.verdict(Verdict::Deny(status), out),
                Err(ProtocolError::Denied { status })
            );
            let cmds = sent(out);
            if error_sent {
                assert_eq!(
                    cmds,
                    [Command::Error {
                        reason: Bytes::from(status.to_string())
                    }]
                );
            } else {
                assert!(cmds.is_empty(), "300 drops the peer silently");
            }
        }
    }
}
