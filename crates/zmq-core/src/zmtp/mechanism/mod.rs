//! Security mechanisms: the command exchange between the greeting and
//! traffic. Each is a pure state machine fed one handshake command at a
//! time; it writes its replies to the output buffer it is given, may ask
//! for a ZAP verdict on the peer, and ends by handing the session the
//! peer's validated metadata.

pub mod curve;
pub mod null;
pub mod plain;

pub use curve::{CurveClient, CurveServer};
pub use null::Null;
pub use plain::{PlainClient, PlainServer};

use bytes::{Bytes, BytesMut};

use super::command::{self, Command, Metadata, IDENTITY, SOCKET_TYPE};
use super::greeting::MechanismName;
use super::zap::{Request, Verdict};
use super::ProtocolError;
use crate::crypto::{PublicKey, SecretKey};
use crate::SocketType;

/// What a mechanism that protects traffic does to every frame after the
/// handshake (CURVE boxes each into a MESSAGE command, RFC 26); NULL and
/// PLAIN have none and frames travel as they are.
pub trait Seal: Send + std::fmt::Debug {
    /// Appends one frame (`flags`: `SEALED_MORE`, `SEALED_COMMAND`; `body`),
    /// sealed, as a whole MESSAGE command.
    fn seal(&mut self, flags: u8, body: &[u8], out: &mut BytesMut);
    /// Opens a MESSAGE command's data: returns the frame's flags, and puts
    /// its body in `body` (replacing what was there, in its room if it is
    /// big enough: a receiver reuses one buffer for every frame).
    fn open_into(&mut self, data: &[u8], body: &mut BytesMut) -> Result<u8, ProtocolError>;
    /// As `open_into`, with a buffer of the body's own (for tests).
    #[cfg(test)]
    fn open(&mut self, data: &[u8]) -> Result<(u8, Bytes), ProtocolError> {
        let mut body = BytesMut::new();
        let flags = self.open_into(data, &mut body)?;
        Ok((flags, body.freeze()))
    }
    /// The most a sealed frame's body is larger than the frame it holds
    /// (so a limit on frames still admits their sealed form).
    fn overhead(&self) -> usize;
}

/// The flags a sealed frame carries inside its MESSAGE (RFC 26): more
/// frames follow, and the frame is a command.
pub const SEALED_MORE: u8 = 0x01;
pub const SEALED_COMMAND: u8 = 0x02;

/// Outcome of one handshake step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The handshake needs more commands from the peer.
    Continue,
    /// The handshake waits for the ZAP handler's verdict on this request
    /// (see `Mechanism::verdict`); the peer's commands may still arrive.
    Authenticate(Request),
    /// The handshake is over; traffic may flow.
    Done(PeerMetadata),
}

/// The peer's metadata, validated against our socket type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerMetadata {
    pub socket_type: SocketType,
    pub metadata: Metadata,
}

/// Which mechanism a connection uses and in which role, as the socket's
/// options chose it (ZMQ_PLAIN_SERVER, ZMQ_PLAIN_USERNAME, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Security {
    /// NULL; `authenticate` asks ZAP about every peer (ZMQ_ZAP_DOMAIN set),
    /// `enforce` refuses peers when no handler is bound
    /// (ZMQ_ZAP_ENFORCE_DOMAIN).
    Null { authenticate: bool, enforce: bool },
    /// PLAIN, sending these credentials.
    PlainClient { username: Bytes, password: Bytes },
    /// PLAIN, checking the client's credentials with ZAP.
    PlainServer,
    /// CURVE, to the server whose public key is `server`, as C/c.
    CurveClient {
        server: PublicKey,
        public: PublicKey,
        secret: SecretKey,
    },
    /// CURVE, as S/s; `authenticate` asks ZAP about each client's C,
    /// `enforce` refuses clients when no handler is bound.
    CurveServer {
        secret: SecretKey,
        authenticate: bool,
        enforce: bool,
    },
}

impl Default for Security {
    fn default() -> Security {
        Security::Null {
            authenticate: false,
            enforce: false,
        }
    }
}

/// One connection's mechanism.
#[derive(Debug)]
pub enum Mechanism {
    Null(Null),
    PlainClient(PlainClient),
    PlainServer(PlainServer),
    CurveClient(CurveClient),
    CurveServer(CurveServer),
}

impl Mechanism {
    pub fn new(security: &Security, socket_type: SocketType, routing_id: Bytes) -> Mechanism {
        let us = Us {
            socket_type,
            routing_id,
        };
        match security {
            Security::Null {
                authenticate,
                enforce,
            } => Mechanism::Null(Null::new(us, *authenticate, *enforce)),
            Security::PlainClient { username, password } => {
                Mechanism::PlainClient(PlainClient::new(us, username.clone(), password.clone()))
            }
            Security::PlainServer => Mechanism::PlainServer(PlainServer::new(us)),
            Security::CurveClient {
                server,
                public,
                secret,
            } => Mechanism::CurveClient(CurveClient::new(us, *server, *public, secret.clone())),
            Security::CurveServer {
                secret,
                authenticate,
                enforce,
            } => Mechanism::CurveServer(CurveServer::new(
                us,
                secret.clone(),
                *authenticate,
                *enforce,
            )),
        }
    }

    /// Once the handshake is over: what seals traffic, if this mechanism
    /// protects it (CURVE does).
    pub fn take_seal(&mut self) -> Option<Box<dyn Seal>> {
        match self {
            Mechanism::CurveClient(m) => Some(Box::new(m.take_seal()?)),
            Mechanism::CurveServer(m) => Some(Box::new(m.take_seal()?)),
            _ => None,
        }
    }

    /// The name our greeting announces; the peer's must be the same.
    pub fn name(&self) -> MechanismName {
        match self {
            Mechanism::Null(_) => Null::NAME,
            Mechanism::PlainClient(_) | Mechanism::PlainServer(_) => plain::NAME,
            Mechanism::CurveClient(_) | Mechanism::CurveServer(_) => curve::NAME,
        }
    }

    /// The greeting's as-server bit.
    pub fn as_server(&self) -> bool {
        matches!(self, Mechanism::PlainServer(_) | Mechanism::CurveServer(_))
    }

    /// Called once the greetings are exchanged.
    pub fn start(&mut self, out: &mut BytesMut) -> Result<Step, ProtocolError> {
        Ok(match self {
            Mechanism::Null(m) => m.start(out),
            Mechanism::PlainClient(m) => m.start(out),
            Mechanism::CurveClient(m) => m.start(out)?,
            Mechanism::PlainServer(_) | Mechanism::CurveServer(_) => Step::Continue,
        })
    }

    /// Handles one handshake command (a command frame's body) from the
    /// peer. CURVE's commands are boxes, which it parses itself.
    pub fn handle(&mut self, body: Bytes, out: &mut BytesMut) -> Result<Step, ProtocolError> {
        match self {
            Mechanism::Null(m) => m.handle(parse(body)?, out),
            Mechanism::PlainClient(m) => m.handle(parse(body)?, out),
            Mechanism::PlainServer(m) => m.handle(parse(body)?, out),
            Mechanism::CurveClient(m) => m.handle(body, out),
            Mechanism::CurveServer(m) => m.handle(body, out),
        }
    }

    /// Acts on the ZAP handler's answer to the request `Step::Authenticate`
    /// asked.
    pub fn verdict(&mut self, verdict: Verdict, out: &mut BytesMut) -> Result<Step, ProtocolError> {
        match self {
            Mechanism::Null(m) => m.verdict(verdict, out),
            Mechanism::PlainServer(m) => m.verdict(verdict, out),
            Mechanism::CurveServer(m) => m.verdict(verdict, out),
            Mechanism::PlainClient(_) | Mechanism::CurveClient(_) => {
                Err(ProtocolError::UnexpectedCommand("ZAP".into()))
            }
        }
    }
}

/// What every mechanism announces about us.
#[derive(Debug, Clone)]
pub struct Us {
    pub socket_type: SocketType,
    pub routing_id: Bytes,
}

impl Us {
    /// Our READY (or INITIATE) metadata.
    fn metadata(&self) -> Metadata {
        our_metadata(self.socket_type, &self.routing_id)
    }
}

/// How an ERROR is spelled on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorForm {
    /// RFC 23's, as libzmq's NULL mechanism writes it.
    Rfc,
    /// libzmq 4.3's PLAIN form, the only one its PLAIN clients take (see
    /// `command::LIBZMQ43_ERROR`).
    Libzmq43,
}

/// Refuses a peer the ZAP handler denied: an ERROR naming the status goes
/// out first, except for 300 (a temporary failure), after which the peer
/// is dropped silently as the CURVE and ZAP RFCs ask.
fn refuse(status: u16, form: ErrorForm, out: &mut BytesMut) -> ProtocolError {
    if status != 300 {
        let reason = status.to_string();
        match form {
            ErrorForm::Rfc => Command::Error {
                reason: Bytes::from(reason),
            }
            .encode(out),
            ErrorForm::Libzmq43 => command::encode_libzmq43_error(out, reason.as_bytes()),
        }
    }
    ProtocolError::Denied { status }
}

/// The metadata we announce: our Socket-Type, and our Identity for the
/// types a ROUTER may address by it (what libzmq sends, even when empty).
pub fn our_metadata(socket_type: SocketType, routing_id: &Bytes) -> Metadata {
    let mut meta = Metadata::default();
    meta.push(SOCKET_TYPE, socket_type.name());
    if matches!(
        socket_type,
        SocketType::Req | SocketType::Dealer | SocketType::Router
    ) {
        meta.push(IDENTITY, routing_id.clone());
    }
    meta
}

/// Checks the peer's Socket-Type: present, known, and allowed to talk to us.
pub fn validate_peer(ours: SocketType, metadata: Metadata) -> Result<PeerMetadata, ProtocolError> {
    let name = metadata
        .get(SOCKET_TYPE)
        .ok_or(ProtocolError::MissingSocketType)?;
    let peer = SocketType::from_name(name)
        .ok_or_else(|| ProtocolError::UnknownSocketType(String::from_utf8_lossy(name).into()))?;
    if !ours.is_compatible(peer) {
        return Err(ProtocolError::IncompatibleSocketType { ours, peer });
    }
    Ok(PeerMetadata {
        socket_type: peer,
        metadata,
    })
}

/// A NULL or PLAIN handshake command, parsed; the peer's ERROR ends the
/// handshake whatever the state.
fn parse(body: Bytes) -> Result<Command, ProtocolError> {
    match Command::parse(body)? {
        Command::Error { reason } => Err(ProtocolError::PeerError {
            reason: String::from_utf8_lossy(&reason).into(),
        }),
        cmd => Ok(cmd),
    }
}

/// The error for a command that has no place at this point.
fn unexpected(cmd: &Command) -> ProtocolError {
    ProtocolError::UnexpectedCommand(String::from_utf8_lossy(cmd.name()).into())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Feeds mechanisms parsed commands, as the session feeds them bodies.
    pub trait HandleCmd {
        fn handle_cmd(&mut self, cmd: Command, out: &mut BytesMut) -> Result<Step, ProtocolError>;
    }

    impl HandleCmd for Mechanism {
        fn handle_cmd(&mut self, cmd: Command, out: &mut BytesMut) -> Result<Step, ProtocolError> {
            self.handle(cmd.body().freeze(), out)
        }
    }

    /// The commands in `out`, parsed, emptying it.
    pub fn sent(out: &mut BytesMut) -> Vec<Command> {
        let mut cmds = Vec::new();
        while let Some(f) = crate::zmtp::frame::decode(out, u64::MAX).unwrap() {
            cmds.push(Command::parse(f.body).unwrap());
        }
        cmds
    }
}
