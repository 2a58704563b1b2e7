//! zmq-core: a ZeroMQ engine speaking ZMTP 3.x, usable from Rust directly
//! and wrapped by zmq-capi as libzmq.so.5.

pub mod error;
pub mod msg;
pub mod socket_type;
pub mod zmtp;

pub use error::{Error, Result};
pub use msg::Msg;
pub use socket_type::SocketType;
