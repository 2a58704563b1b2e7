//! The PLAIN mechanism (RFC 24): the client sends a user name and password
//! in clear text (HELLO), the server asks its ZAP handler about them and
//! answers WELCOME or ERROR; then the client's INITIATE and the server's
//! READY carry each side's metadata. Only for trusted networks: nothing is
//! encrypted.

use bytes::{Bytes, BytesMut};

use super::{refuse, unexpected, validate_peer, ErrorForm, Step, Us};
use crate::zmtp::command::{self, Command, Metadata};
use crate::zmtp::greeting::{mechanism_name, MechanismName};
use crate::zmtp::zap::{Request, Verdict};
use crate::zmtp::ProtocolError;

/// The name both sides announce in the greeting.
pub const NAME: MechanismName = mechanism_name(b"PLAIN");

const HELLO: &[u8] = b"HELLO";
const WELCOME: &[u8] = b"WELCOME";
const INITIATE: &[u8] = b"INITIATE";

/// The client's side.
#[derive(Debug, Clone)]
pub struct PlainClient {
    us: Us,
    username: Bytes,
    password: Bytes,
    welcomed: bool,
}

impl PlainClient {
    pub fn new(us: Us, username: Bytes, password: Bytes) -> PlainClient {
        PlainClient {
            us,
            username,
            password,
            welcomed: false,
        }
    }

    /// Sends HELLO with the credentials (each at most 255 bytes: the
    /// socket options refuse longer ones).
    pub fn start(&mut self, out: &mut BytesMut) -> Step {
        let mut data = Vec::with_capacity(2 + self.username.len() + self.password.len());
        for field in [&self.username, &self.password] {
            let field = &field[..field.len().min(255)];
            data.push(field.len() as u8);
            data.extend_from_slice(field);
        }
        command::encode_raw(out, HELLO, &data);
        Step::Continue
    }

    pub fn handle(&mut self, cmd: Command, out: &mut BytesMut) -> Result<Step, ProtocolError> {
        match cmd {
            Command::Other { name, data } if name == WELCOME && !self.welcomed => {
                if !data.is_empty() {
                    return Err(ProtocolError::MalformedCommand);
                }
                self.welcomed = true;
                // INITIATE carries what READY would: the same properties.
                let mut props = BytesMut::new();
                self.us.metadata().encode(&mut props);
                command::encode_raw(out, INITIATE, &props);
                Ok(Step::Continue)
            }
            Command::Ready(meta) if self.welcomed => {
                Ok(Step::Done(validate_peer(self.us.socket_type, meta)?))
            }
            other => Err(unexpected(&other)),
        }
    }
}

/// The server's side.
#[derive(Debug, Clone)]
pub struct PlainServer {
    us: Us,
    state: Awaiting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// What the server waits for next.
enum Awaiting {
    Hello,
    Verdict,
    Initiate,
}

impl PlainServer {
    pub fn new(us: Us) -> PlainServer {
        PlainServer {
            us,
            state: Awaiting::Hello,
        }
    }

    pub fn handle(&mut self, cmd: Command, out: &mut BytesMut) -> Result<Step, ProtocolError> {
        match (self.state, cmd) {
            (Awaiting::Hello, Command::Other { name, data }) if name == HELLO => {
                let (username, rest) = length_prefixed(&data)?;
                let (password, rest) = length_prefixed(&rest)?;
                if !rest.is_empty() {
                    return Err(ProtocolError::MalformedCommand);
                }
                self.state = Awaiting::Verdict;
                Ok(Step::Authenticate(Request {
                    mechanism: "PLAIN",
                    credentials: vec![username, password],
                }))
            }
            (Awaiting::Initiate, Command::Other { name, data }) if name == INITIATE => {
                let peer = validate_peer(self.us.socket_type, Metadata::parse(&data)?)?;
                Command::Ready(self.us.metadata()).encode(out);
                Ok(Step::Done(peer))
            }
            (_, other) => Err(unexpected(&other)),
        }
    }

    /// WELCOME for a client the handler accepted; without a handler
    /// nobody gets in (libzmq's behaviour). A refusal is spelled as libzmq
    /// 4.3 spells it, so its clients report the ZAP status.
    pub fn verdict(&mut self, verdict: Verdict, out: &mut BytesMut) -> Result<Step, ProtocolError> {
        if self.state != Awaiting::Verdict {
            return Err(ProtocolError::UnexpectedCommand("ZAP".into()));
        }
        match verdict {
            Verdict::Allow => {
                command::encode_raw(out, WELCOME, &[]);
                self.state = Awaiting::Initiate;
                Ok(Step::Continue)
            }
            Verdict::Deny(status) => Err(refuse(status, ErrorForm::Libzmq43, out)),
            Verdict::Unavailable => Err(ProtocolError::NoAuthenticator),
        }
    }
}

/// Splits a one-byte-length-prefixed field off `data`.
fn length_prefixed(data: &Bytes) -> Result<(Bytes, Bytes), ProtocolError> {
    let len = usize::from(*data.first().ok_or(ProtocolError::MalformedCommand)?);
    if data.len() < 1 + len {
        return Err(ProtocolError::MalformedCommand);
    }
    Ok((data.slice(1..1 + len), data.slice(1 + len..)))
}

#[cfg(test)]
mod tests {
    use super::super::{
        tests::{sent, HandleCmd},
        Mechanism, PeerMetadata, Security,
    };
    use super::*;
    use crate::zmtp::command::SOCKET_TYPE;
    use crate::SocketType;

    fn client(user: &'static [u8], pass: &'static [u8]) -> Mechanism {
        Mechanism::new(
            &Security::PlainClient {
                username: Bytes::from_static(user),
                password: Bytes::from_static(pass),
            },
            SocketType::Push,
            Bytes::new(),
        )
    }

    fn server() -> Mechanism {
        Mechanism::new(&Security::PlainServer, SocketType::Pull, Bytes::new())
    }

    fn other(name: &'static [u8], data: &'static [u8]) -> Command {
        Command::Other {
            name: Bytes::from_static(name),
            data: Bytes::from_static(data),
        }
    }

    /// Feeds each side's commands to the other until both are done.
    #[test]
    fn client_and_server_complete_the_handshake() {
        let (mut c, mut s) = (client(b"admin", b"secret"), server());
        assert!(s.as_server() && !c.as_server());
        assert_eq!(c.name(), NAME);
        let (co, so) = (&mut BytesMut::new(), &mut BytesMut::new());
        assert_eq!(c.start(co), Ok(Step::Continue));
        assert_eq!(s.start(so), Ok(Step::Continue));
        let hello = sent(co);
        assert_eq!(hello, [other(b"HELLO", b"\x05admin\x06secret")]);
        let step = s.handle_cmd(hello[0].clone(), so).unwrap();
        assert_eq!(
            step,
            Step::Authenticate(Request {
                mechanism: "PLAIN",
                credentials: vec![Bytes::from_static(b"admin"), Bytes::from_static(b"secret")]
            })
        );
        assert!(so.is_empty(), "nothing before the verdict");
        assert_eq!(s.verdict(Verdict::Allow, so), Ok(Step::Continue));
        let welcome = sent(so);
        assert_eq!(welcome, [other(b"WELCOME", b"")]);
        assert_eq!(c.handle_cmd(welcome[0].clone(), co), Ok(Step::Continue));
        let initiate = sent(co);
        let Step::Done(PeerMetadata { socket_type, .. }) =
            s.handle_cmd(initiate[0].clone(), so).unwrap()
        else {
            panic!("server not done");
        };
        assert_eq!(socket_type, SocketType::Push);
        let ready = sent(so);
        let Step::Done(peer) = c.handle_cmd(ready[0].clone(), co).unwrap() else {
            panic!("client not done");
        };
        assert_eq!(peer.socket_type, SocketType::Pull);
        assert_eq!(peer.metadata.get(SOCKET_TYPE).unwrap(), "PULL");
    }

    #[test]
    fn the_server_refuses_denied_or_unchecked_clients() {
        let hello = other(b"HELLO", b"\x01u\x01p");
        let mut s = server();
        let out = &mut BytesMut::new();
        s.handle_cmd(hello.clone(), out).unwrap();
        assert_eq!(
            s.verdict(Verdict::Deny(400), out),
            Err(ProtocolError::Denied { status: 400 })
        );
        // In libzmq 4.3's spelling, which its PLAIN clients require.
        assert_eq!(&out[..], b"\x04\x09^RROR\x03400");
        out.clear();
        let mut s = server();
        s.handle_cmd(hello, out).unwrap();
        assert_eq!(
            s.verdict(Verdict::Unavailable, out),
            Err(ProtocolError::NoAuthenticator)
        );
        assert!(out.is_empty());
    }

    #[test]
    fn malformed_and_out_of_order_commands_are_refused() {
        let out = &mut BytesMut::new();
        for data in [&b""[..], b"\x05adm", b"\x01u", b"\x01u\x01pX"] {
            let hello = Command::Other {
                name: Bytes::from_static(b"HELLO"),
                data: Bytes::copy_from_slice(data),
            };
            assert_eq!(
                server().handle_cmd(hello, out),
                Err(ProtocolError::MalformedCommand),
                "{data:?}"
            );
        }
        // INITIATE before the verdict, READY to a server.
        let mut s = server();
        s.handle_cmd(other(b"HELLO", b"\x00\x00"), out).unwrap();
        assert!(s.handle_cmd(other(b"INITIATE", b""), out).is_err());
        assert!(server()
            .handle_cmd(Command::Ready(Metadata::default()), out)
            .is_err());
        // A client takes neither READY before WELCOME nor a WELCOME with data.
        let mut c = client(b"u", b"p");
        c.start(out).unwrap();
        assert!(c
            .handle_cmd(Command::Ready(Metadata::default()), out)
            .is_err());
        let mut c = client(b"u", b"p");
        assert_eq!(
            c.handle_cmd(other(b"WELCOME", b"x"), out),
            Err(ProtocolError::MalformedCommand)
        );
        assert_eq!(
            client(b"u", b"p").handle_cmd(
                Command::Error {
                    reason: Bytes::from_static(b"400")
                },
                out
            ),
            Err(ProtocolError::PeerError {
                reason: "400".into()
            })
        );
    }
}
