//! The link from a socket's pipes to the engine currently behind them, so
//! an application thread can drive an idle connection itself (write its
//! request, read its reply) instead of handing each message to the I/O
//! thread and back. The I/O thread keeps ownership of the connection's
//! life: handshake, errors, reconnects, linger.

use parking_lot::Mutex;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

// The direct-path policy: when an application thread drives its
// connection itself rather than hand the work to the I/O thread.

/// A thread reads its connection itself only if it last did so at least
/// this long ago (see `Socket::blocking`).
pub const DIRECT_READ_GAP: Duration = Duration::from_micros(20);

/// Frames up to this size are streamed by the application threads
/// themselves where they can (see `Socket::blocking`): a thread receiving
/// them from its only peer reads the connection when it runs dry, and a
/// thread sending them drains a full pipe into the connection instead of
/// waiting for the I/O thread, when that thread is busy with other
/// connections too (see `IoLoad`). For small frames the hand-offs cost more
/// than the work; large ones are better copied by the I/O thread in
/// parallel.
pub const DIRECT_STREAM_MAX: usize = 4096;

/// Frames from this size up are read by the receiving application thread
/// itself when its I/O thread serves other connections too (the sending end
/// in the same process, say): copying such a body out of the kernel takes
/// the I/O thread longer than the hand-off costs, and leaves it free for
/// the others (1 MiB between two sockets of one process: 1.12 times the
/// throughput; from 256 KiB to 512 KiB no gain, for more CPU).
pub const DIRECT_READ_HUGE: usize = 1024 * 1024;

/// Messages sent closer together than this go through the I/O thread,
/// which batches them into large writes; sparser ones are written by the
/// sending thread at once.
pub const DIRECT_SEND_GAP: Duration = Duration::from_micros(20);

/// What an application thread may do with the engine behind its pipes
/// (the I/O layer's engine implements it).
pub trait Drive: Send {
    /// Reads (if `readable`) and writes what the connection can take now;
    /// false if the connection failed (its I/O thread tears it down).
    fn drive(&mut self, readable: bool) -> bool;
    /// Writes what was just queued, from this thread, if that is worth it
    /// now; false if the I/O thread should be woken instead.
    fn try_direct_send(&mut self) -> bool;
}

/// An engine, shared by its I/O thread and the application threads that
/// drive it directly; whoever holds the lock drives it.
pub type SharedEngine = Mutex<dyn Drive>;

/// Whether the I/O thread behind an engine serves other connections too
/// (say the other end, in the same process): then a thread receiving a
/// stream relieves it by reading the connection itself when it runs dry,
/// and a thread sending one by draining its full pipe. An I/O thread
/// serving this connection alone keeps up by itself, and a second hand on
/// the engine would only contend with it (measured between two processes:
/// 0.85 of the throughput for the reader, 0.75 for the sender).
pub trait IoLoad: Send + Sync {
    fn serves_others(&self) -> bool;
}

/// What the link holds: the engine, its stream's descriptor, and its I/O
/// thread's load.
pub type Linked = (Arc<SharedEngine>, RawFd, Arc<dyn IoLoad>);

#[derive(Default)]
pub struct EngineLink {
    slot: Mutex<Option<Linked>>,
    /// The socket sends in a request-reply rhythm: an idle engine may be
    /// written by the sending thread.
    direct: AtomicBool,
}

impl EngineLink {
    pub fn new() -> Arc<EngineLink> {
        Arc::new(EngineLink::default())
    }

    /// The engine behind the pipes, its stream's descriptor and its I/O
    /// thread's idleness, if one is connected and past its handshake.
    pub fn get(&self) -> Option<Linked> {
        self.slot.lock().clone()
    }

    pub fn set(&self, engine: Arc<SharedEngine>, fd: RawFd, io: Arc<dyn IoLoad>) {
        *self.slot.lock() = Some((engine, fd, io));
    }

    pub fn clear(&self) {
        *self.slot.lock() = None;
    }

    pub fn allow_direct(&self, allowed: bool) {
        if self.direct.load(Ordering::Relaxed) != allowed {
            self.direct.store(allowed, Ordering::Relaxed);
        }
    }

    pub fn direct_allowed(&self) -> bool {
        self.direct.load(Ordering::Relaxed)
    }
}
