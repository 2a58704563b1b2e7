//! zmq-core: a ZeroMQ engine speaking ZMTP 3.x, usable from Rust directly
//! and wrapped by zmq-capi as libzmq.so.5.

pub(crate) mod block;
pub mod ctx;
pub mod error;
pub(crate) mod io;
pub mod msg;
pub(crate) mod pipe;
pub mod poll;
pub(crate) mod pool;
pub(crate) mod properties;
pub mod proxy;
pub(crate) mod queue;
pub(crate) mod signal;
pub mod socket;
pub mod socket_type;
pub(crate) mod transport;
pub(crate) mod zmtp;

/// Fails to compile when `$t` is Sync: of two blanket impls, one for every
/// type and one for Sync types, the call below can pick one only when the
/// type is not Sync (a compile-fail check inside an ordinary test).
#[cfg(test)]
#[macro_export]
macro_rules! assert_not_sync {
    ($t:ty) => {{
        trait AmbiguousIfSync<A> {
            fn check() {}
        }
        impl<T: ?Sized> AmbiguousIfSync<()> for T {}
        impl<T: ?Sized + Sync> AmbiguousIfSync<u8> for T {}
        <$t as AmbiguousIfSync<_>>::check();
    }};
}

/// Internals the micro benchmarks (benches/micro.rs) measure directly; not
/// an API.
#[doc(hidden)]
pub mod internals {
    pub use crate::pipe::Pipe;
    pub use crate::socket::subscriptions::Subscriptions;
    pub use crate::zmtp::{Event, Session, SessionConfig};
}

pub use ctx::Context;
pub use error::{Error, Result};
pub use msg::Msg;
pub use socket::Socket;
pub use socket_type::SocketType;
