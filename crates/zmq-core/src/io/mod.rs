//! I/O threads: each runs a mio poll loop owning listeners, connecters and
//! connection engines; sockets talk to it only through its mailbox and pipes.

pub mod connecter;
pub mod engine;
pub mod link;
pub mod listener;
pub mod mailbox;
pub mod sched;
pub mod thread;
pub mod zap;

pub use mailbox::IoMailbox;
pub use thread::IoThread;
