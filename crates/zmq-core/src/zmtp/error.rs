//! Why a ZMTP connection must be closed during or after its handshake: the
//! peer sent bad bytes, or authentication refused it (or could not be done).

use std::fmt;

use super::zap::{self, ReplyError};
use crate::SocketType;

/// A fatal protocol violation: the driver closes the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// The first 10 bytes are not a ZMTP signature (`0xFF`, padding, bit 0 of byte 9 set).
    BadSignature,
    /// The peer speaks ZMTP 1.0 or 2.0, which we do not downgrade to.
    UnsupportedVersion { major: u8 },
    /// The peer's greeting names another security mechanism than ours.
    MechanismMismatch { peer: [u8; 20] },
    /// A command body does not follow its grammar.
    MalformedCommand,
    /// A well-formed command that is not allowed at this point of the handshake.
    UnexpectedCommand(String),
    /// A data frame arrived where the handshake expects a command.
    UnexpectedMessage,
    /// The peer's Socket-Type may not talk to ours.
    IncompatibleSocketType { ours: SocketType, peer: SocketType },
    /// The peer's Socket-Type is not a type we know.
    UnknownSocketType(String),
    /// The peer's READY has no Socket-Type property.
    MissingSocketType,
    /// A frame is larger than ZMQ_MAXMSGSIZE (or the handshake limit).
    MessageTooLarge { size: u64, max: u64 },
    /// A long frame claims a size above 2^63-1, which RFC 23 forbids.
    SizeOutOfRange(u64),
    /// Flag bits 7-3 must be zero.
    ReservedFlags(u8),
    /// Commands are single frames: the MORE bit must be zero.
    CommandWithMore,
    /// The peer sent an ERROR command.
    PeerError { reason: String },
    /// Our ZAP handler refused the peer with this status (300, 400, 500).
    Denied { status: u16 },
    /// A PLAIN server needs a ZAP handler and none is bound.
    NoAuthenticator,
    /// The ZAP handler went away before it answered.
    AuthenticatorGone,
    /// Our ZAP handler's reply broke RFC 27.
    BadZapReply(ReplyError),
    /// The system had no memory for a frame the peer announced.
    OutOfMemory,
    /// A CURVE box did not open: forged, altered, or sealed with keys
    /// other than the ones agreed (a wrong server key, for one).
    Cryptographic,
    /// A CURVE short nonce did not count up: a replayed or reordered command.
    InvalidSequence,
    /// The CURVE vouch does not match the connection's keys.
    KeyExchange,
    /// The peer's metadata is not a list of properties.
    InvalidMetadata,
    /// A CURVE command of this kind has the wrong size or fields.
    Malformed(Malformed),
}

/// Which CURVE command was malformed (libzmq reports each apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    Message,
    Hello,
    Initiate,
    Error,
    Ready,
    Welcome,
}

impl ProtocolError {
    /// Whether libzmq reports this failure with a handshake-failed event
    /// even after the handshake: CURVE's checks on each MESSAGE.
    pub fn reported_after_handshake(&self) -> bool {
        matches!(
            self,
            ProtocolError::Cryptographic
                | ProtocolError::InvalidSequence
                | ProtocolError::Malformed(Malformed::Message)
                | ProtocolError::UnexpectedCommand(_)
        )
    }

    /// The ZAP status code behind this failure, if authentication failed:
    /// ours refused the peer, or the peer's ERROR says it refused us.
    pub fn auth_status(&self) -> Option<u16> {
        match self {
            ProtocolError::Denied { status } => Some(*status),
            ProtocolError::PeerError { reason } => zap::status_in_reason(reason),
            _ => None,
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProtocolError::*;
        match self {
            BadSignature => f.write_str("not a ZMTP greeting signature"),
            UnsupportedVersion { major } => write!(f, "unsupported ZMTP major version {major}"),
            MechanismMismatch { peer } => {
                let end = peer.iter().position(|&b| b == 0).unwrap_or(peer.len());
                write!(
                    f,
                    "security mechanism mismatch: peer uses {:?}",
                    String::from_utf8_lossy(&peer[..end])
                )
            }
            MalformedCommand => f.write_str("malformed command"),
            UnexpectedCommand(name) => write!(f, "unexpected command {name:?}"),
            UnexpectedMessage => f.write_str("data frame received during the handshake"),
            IncompatibleSocketType { ours, peer } => write!(
                f,
                "socket type {} cannot talk to {}",
                ours.name(),
                peer.name()
            ),
            UnknownSocketType(name) => write!(f, "unknown socket type {name:?}"),
            MissingSocketType => f.write_str("READY without Socket-Type"),
            MessageTooLarge { size, max } => {
                write!(f, "frame of {size} bytes exceeds the limit of {max}")
            }
            SizeOutOfRange(size) => write!(f, "frame size {size} exceeds 2^63-1"),
            ReservedFlags(flags) => write!(f, "reserved frame flag bits set: {flags:#04x}"),
            CommandWithMore => f.write_str("command frame with the MORE flag"),
            PeerError { reason } => write!(f, "peer sent ERROR: {reason}"),
            Denied { status } => write!(f, "ZAP handler refused the peer ({status})"),
            NoAuthenticator => f.write_str("no ZAP handler bound for a PLAIN server"),
            AuthenticatorGone => f.write_str("the ZAP handler closed before it answered"),
            BadZapReply(e) => write!(f, "malformed ZAP reply: {e:?}"),
            OutOfMemory => f.write_str("no memory for the frame the peer announced"),
            Cryptographic => f.write_str("a CURVE box failed to open"),
            InvalidSequence => f.write_str("a CURVE nonce did not increase"),
            KeyExchange => f.write_str("the CURVE vouch does not match the connection's keys"),
            InvalidMetadata => f.write_str("malformed metadata"),
            Malformed(which) => write!(f, "malformed CURVE {which:?} command"),
        }
    }
}

impl std::error::Error for ProtocolError {}
