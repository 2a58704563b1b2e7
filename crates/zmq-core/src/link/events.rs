//! The events zmq_socket_monitor reports, numbered as in zmq.h, and what
//! a failed handshake reports; sent by the I/O threads through the
//! socket's `EventSink`, which the socket layer implements.

use crate::zmtp::{self, ProtocolError};

/// ZMQ_EVENT_CONNECTED, numbered as in zmq.h.
pub const CONNECTED: u16 = 0x0001;
/// ZMQ_EVENT_CONNECT_DELAYED, numbered as in zmq.h.
pub const CONNECT_DELAYED: u16 = 0x0002;
/// ZMQ_EVENT_CONNECT_RETRIED, numbered as in zmq.h.
pub const CONNECT_RETRIED: u16 = 0x0004;
/// ZMQ_EVENT_LISTENING, numbered as in zmq.h.
pub const LISTENING: u16 = 0x0008;
/// ZMQ_EVENT_BIND_FAILED, numbered as in zmq.h.
pub const BIND_FAILED: u16 = 0x0010;
/// ZMQ_EVENT_ACCEPTED, numbered as in zmq.h.
pub const ACCEPTED: u16 = 0x0020;
/// ZMQ_EVENT_ACCEPT_FAILED, numbered as in zmq.h.
pub const ACCEPT_FAILED: u16 = 0x0040;
/// ZMQ_EVENT_CLOSED, numbered as in zmq.h.
pub const CLOSED: u16 = 0x0080;
/// ZMQ_EVENT_CLOSE_FAILED, numbered as in zmq.h.
pub const CLOSE_FAILED: u16 = 0x0100;
/// ZMQ_EVENT_DISCONNECTED, numbered as in zmq.h.
pub const DISCONNECTED: u16 = 0x0200;
/// ZMQ_EVENT_MONITOR_STOPPED, numbered as in zmq.h.
pub const MONITOR_STOPPED: u16 = 0x0400;
/// ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, numbered as in zmq.h.
pub const HANDSHAKE_FAILED_NO_DETAIL: u16 = 0x0800;
/// ZMQ_EVENT_HANDSHAKE_SUCCEEDED, numbered as in zmq.h.
pub const HANDSHAKE_SUCCEEDED: u16 = 0x1000;
/// ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, numbered as in zmq.h.
pub const HANDSHAKE_FAILED_PROTOCOL: u16 = 0x2000;
/// ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, numbered as in zmq.h.
pub const HANDSHAKE_FAILED_AUTH: u16 = 0x4000;

/// The event (and its value) a handshake that failed this way reports,
/// as libzmq 4.3: an authentication failure with its ZAP status code, a
/// missing ZAP handler without detail (EFAULT), one that went away before
/// answering without detail (EPIPE), a peer whose socket type
/// may not talk to ours nothing (libzmq only disconnects), anything else
/// as a protocol error.
pub fn handshake_failure(e: &ProtocolError) -> Option<(u16, u32)> {
    const EFAULT: u32 = 14;
    const EPIPE: u32 = 32;
    if let Some(status) = e.auth_status() {
        return Some((HANDSHAKE_FAILED_AUTH, status.into()));
    }
    match e {
        ProtocolError::NoAuthenticator => Some((HANDSHAKE_FAILED_NO_DETAIL, EFAULT)),
        ProtocolError::AuthenticatorGone => Some((HANDSHAKE_FAILED_NO_DETAIL, EPIPE)),
        ProtocolError::IncompatibleSocketType { .. } | ProtocolError::UnknownSocketType(_) => None,
        _ => Some((HANDSHAKE_FAILED_PROTOCOL, protocol_error_code(e))),
    }
}

/// The value of HANDSHAKE_FAILED_PROTOCOL: libzmq's ZMQ_PROTOCOL_ERROR_*.
pub fn protocol_error_code(e: &ProtocolError) -> u32 {
    use ProtocolError::*;
    match e {
        BadZapReply(reply) => reply.code(),
        MechanismMismatch { .. } => 0x1100_0002,
        MalformedCommand | CommandWithMore => 0x1000_0011,
        InvalidSequence => 0x1000_0002,
        KeyExchange => 0x1000_0003,
        Malformed(which) => match which {
            zmtp::Malformed::Message => 0x1000_0012,
            zmtp::Malformed::Hello => 0x1000_0013,
            zmtp::Malformed::Initiate => 0x1000_0014,
            zmtp::Malformed::Error => 0x1000_0015,
            zmtp::Malformed::Ready => 0x1000_0016,
            zmtp::Malformed::Welcome => 0x1000_0017,
        },
        InvalidMetadata => 0x1000_0018,
        Cryptographic => 0x1100_0001,
        UnexpectedCommand(_) | UnexpectedMessage => 0x1000_0001,
        IncompatibleSocketType { .. } | UnknownSocketType(_) | MissingSocketType => 0x1000_0018,
        _ => 0x1000_0000,
    }
}

/// Where a socket's monitor events go (the socket layer's monitor, which
/// sends them to a PAIR socket).
pub trait EventSink: Send {
    /// Reports `event` with its `value` about `endpoint`.
    fn emit(&self, event: u16, value: u32, endpoint: &str);
}
