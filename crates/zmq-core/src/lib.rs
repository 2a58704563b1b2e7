//! zmq-core: a ZeroMQ engine speaking ZMTP 3.x, usable from Rust directly
//! and wrapped by zmq-capi as libzmq.so.5. Rust users call `Context`,
//! `Socket` (with `socket::options`, `socket::monitor`, `poll`, `proxy`),
//! `Msg`, `SocketType` and `Error`, and for CURVE `crypto` (keys) and `z85`;
//! everything else is internal.
//!
//! The layers, top first; each imports only from those below it (checked by
//! `tests/layers.rs`):
//!
//! | layer | modules | holds |
//! |---|---|---|
//! | API | `ctx`, `poll`, `proxy` | the context, zmq_poll, zmq_proxy |
//! | socket | `socket` | the socket base (options, endpoints, blocking) and one pattern per type |
//! | io | `io` | I/O threads, engines, listeners, connecters; the context's shared state |
//! | link | `link` | what a socket shares with its connections: its core, pipe ends, connection options, the engine link, inproc joins |
//! | transport | `transport` | tcp, ipc, SOCKS5, accept filters: streams and listeners, no protocol |
//! | zmtp | `zmtp` | the sans-IO ZMTP session: greeting, frames, commands, mechanisms |
//! | base | `msg`, `pipe`, `queue`, `signal`, `error`, `crypto`, `z85`, ... | frames, pipes between threads, wake-up signals, CURVE's cryptography (libsodium) |
//!
//! A message's path on send: `Socket::send` hands the frame to its pattern
//! (say, PUSH's load-balancer), which writes it into a `Pipe` to one peer;
//! the pipe wakes the `Engine` behind it (through `pipe::Wake`), or the
//! sending thread drives that idle engine itself (`link::engine`); the
//! engine gives it to its `zmtp::Session`, which encodes it (and runs the
//! mechanism); the engine writes the bytes to the transport's stream. On
//! the peer, its engine reads the stream, the session decodes frames, the
//! engine writes them into the pipe to its socket and wakes it (or the
//! waiting thread reads the stream itself), and `Socket::recv` gets them
//! from its pattern (PULL's fair-queue).

#![warn(missing_docs)]

pub(crate) mod block;
pub mod crypto;
pub mod ctx;
pub mod error;
pub(crate) mod io;
pub(crate) mod link;
pub mod msg;
pub(crate) mod pipe;
pub mod poll;
pub(crate) mod pool;
pub(crate) mod properties;
pub mod proxy;
pub(crate) mod queue;
pub(crate) mod signal;
pub(crate) mod slab;
pub mod socket;
pub mod socket_type;
pub(crate) mod transport;
pub mod z85;
pub(crate) mod zmtp;

/// Fails to compile when type `$t` implements `$trait`: of two blanket
/// impls, one for every type and one for the trait's implementors, the
/// call below can pick one only when the type is not an implementor (a
/// compile-fail check inside an ordinary test).
#[cfg(test)]
#[macro_export]
macro_rules! assert_not_impl {
    ($t:ty: $trait:path) => {{
        trait AmbiguousIfImpl<A> {
            fn check() {}
        }
        impl<T: ?Sized> AmbiguousIfImpl<()> for T {}
        impl<T: ?Sized + $trait> AmbiguousIfImpl<u8> for T {}
        <$t as AmbiguousIfImpl<_>>::check();
    }};
}

/// Internals the micro benchmarks (benches/micro.rs) measure directly; not
/// an API.
#[doc(hidden)]
pub mod internals {
    pub use crate::pipe::pipe;
    pub use crate::socket::subscriptions::Subscriptions;
    pub use crate::zmtp::{Event, Session, SessionConfig};
}

pub use ctx::Context;
pub use error::{Error, Result};
pub use msg::Msg;
pub use socket::Socket;
pub use socket_type::SocketType;
