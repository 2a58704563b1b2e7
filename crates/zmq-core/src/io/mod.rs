//! I/O threads: each runs a mio poll loop owning listeners, connecters and
//! connection engines. Sockets reach it through its mailbox and their
//! pipes, and an application thread may also drive an idle engine itself
//! through the link to it (`link::engine`), while the I/O thread keeps the
//! connection's life (handshake, timers, errors, reconnects, linger). The
//! context's shared state (`context`) lives here too.

pub mod connecter;
pub mod context;
pub mod engine;
pub mod listener;
pub mod mailbox;
pub mod sched;
pub mod thread;
pub mod zap;

pub use mailbox::IoMailbox;
pub use thread::IoThread;
