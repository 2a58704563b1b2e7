//! ZMTP 3.x, sans-IO: bytes in, events and bytes out.
//! Nothing here does I/O or spawns threads, and only CURVE's cookie keys
//! read a clock (to rotate, see `mechanism::curve::cookie`); the engine drives
//! a [`Session`] with the bytes it reads and writes out what it produces.

pub mod command;
mod error;
pub mod frame;
pub mod greeting;
pub mod input;
pub mod liveness;
pub mod mechanism;
pub mod output;
pub mod protocol;
pub mod raw;
pub mod session;
pub mod zap;

pub use command::Metadata;
pub use error::{Malformed, ProtocolError};
pub use session::{Event, Session, SessionConfig};
