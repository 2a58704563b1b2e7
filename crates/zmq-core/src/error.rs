//! One error type for the whole engine, one variant per errno libzmq can
//! report. zmq-capi maps each variant to its errno in one place.

use std::fmt;

/// Why a call failed, one variant per errno libzmq reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// EAGAIN: non-blocking call found nothing to do, or a timeout expired.
    Again,
    /// EINVAL: bad argument, option value or endpoint.
    Invalid,
    /// EFAULT: bad pointer or handle.
    Fault,
    /// EFSM: operation not valid in the socket's current state.
    State,
    /// ETERM: the context was terminated.
    Terminated,
    /// ENOTSUP: operation not supported by this socket type or build.
    NotSupported,
    /// EPROTONOSUPPORT: unknown or unsupported transport.
    ProtocolNotSupported,
    /// ENOCOMPATPROTO: transport not compatible with the socket type.
    IncompatibleProtocol,
    /// EADDRINUSE
    AddrInUse,
    /// EADDRNOTAVAIL
    AddrNotAvailable,
    /// ENODEV: unknown interface name.
    NoDevice,
    /// ENOENT: endpoint not bound/connected.
    NotFound,
    /// EMFILE: too many sockets.
    TooManyFiles,
    /// EINTR
    Interrupted,
    /// EHOSTUNREACH: ROUTER_MANDATORY with an unknown peer.
    HostUnreachable,
    /// EMTHREAD
    NoThread,
    /// ECONNREFUSED
    ConnectionRefused,
    /// ENOMEM: the system had no memory for a message body.
    NoMemory,
    /// Any other OS error, by raw errno.
    Os(i32),
}

/// libzmq's own errno values (ZMQ_HAUSNUMERO + n).
pub const EFSM: i32 = 156_384_763;
/// libzmq's ENOCOMPATPROTO errno.
pub const ENOCOMPATPROTO: i32 = 156_384_764;
/// libzmq's ETERM errno.
pub const ETERM: i32 = 156_384_765;
/// libzmq's EMTHREAD errno.
pub const EMTHREAD: i32 = 156_384_766;

impl Error {
    /// The errno libzmq reports for this error (the one mapping; the C API
    /// and monitor events use it).
    pub fn errno(self) -> i32 {
        match self {
            Error::Again => libc::EAGAIN,
            Error::Invalid => libc::EINVAL,
            Error::Fault => libc::EFAULT,
            Error::State => EFSM,
            Error::Terminated => ETERM,
            Error::NotSupported => libc::ENOTSUP,
            Error::ProtocolNotSupported => libc::EPROTONOSUPPORT,
            Error::IncompatibleProtocol => ENOCOMPATPROTO,
            Error::AddrInUse => libc::EADDRINUSE,
            Error::AddrNotAvailable => libc::EADDRNOTAVAIL,
            Error::NoDevice => libc::ENODEV,
            Error::NotFound => libc::ENOENT,
            Error::TooManyFiles => libc::EMFILE,
            Error::Interrupted => libc::EINTR,
            Error::HostUnreachable => libc::EHOSTUNREACH,
            Error::NoThread => EMTHREAD,
            Error::ConnectionRefused => libc::ECONNREFUSED,
            Error::NoMemory => libc::ENOMEM,
            Error::Os(n) => n,
        }
    }

    /// The error an OS error stands for (by its errno).
    pub fn from_io(e: &std::io::Error) -> Error {
        match e.raw_os_error() {
            Some(libc::EADDRINUSE) => Error::AddrInUse,
            Some(libc::EADDRNOTAVAIL) => Error::AddrNotAvailable,
            Some(libc::ECONNREFUSED) => Error::ConnectionRefused,
            Some(libc::EINVAL) => Error::Invalid,
            Some(libc::EMFILE) => Error::TooManyFiles,
            Some(libc::EINTR) => Error::Interrupted,
            Some(code) => Error::Os(code),
            None => Error::Invalid,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for Error {}

/// A result whose error is an [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
