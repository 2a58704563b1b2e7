//! zmq-core: a ZeroMQ engine speaking ZMTP 3.x, usable from Rust directly
//! and wrapped by zmq-capi as libzmq.so.5.

pub mod block;
pub mod ctx;
pub mod error;
pub mod io;
pub mod msg;
pub mod pipe;
pub mod poll;
pub mod pool;
pub mod properties;
pub mod proxy;
pub mod queue;
pub mod signal;
pub mod socket;
pub mod socket_type;
pub mod transport;
pub mod zmtp;

pub use ctx::Context;
pub use error::{Error, Result};
pub use msg::Msg;
pub use socket::Socket;
pub use socket_type::SocketType;
