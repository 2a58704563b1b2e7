//! The link from a socket's pipes to the engine currently behind them, so
//! an application thread can drive an idle connection itself (write its
//! request, read its reply) instead of handing each message to the I/O
//! thread and back. The I/O thread keeps ownership of the connection's
//! life: handshake, errors, reconnects, linger.

use super::engine::Engine;
use parking_lot::Mutex;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An engine, shared by its I/O thread and the application threads that
/// drive it directly; whoever holds the lock drives it.
pub type EngineCell = Mutex<Engine>;

#[derive(Default)]
pub struct EngineLink {
    slot: Mutex<Option<(Arc<EngineCell>, RawFd)>>,
    /// The socket sends in a request-reply rhythm: an idle engine may be
    /// written by the sending thread.
    direct: AtomicBool,
}

impl EngineLink {
    pub fn new() -> Arc<EngineLink> {
        Arc::new(EngineLink::default())
    }

    /// The engine behind the pipes and its stream's descriptor, if one is
    /// connected and past its handshake.
    pub fn get(&self) -> Option<(Arc<EngineCell>, RawFd)> {
        self.slot.lock().clone()
    }

    pub fn set(&self, engine: Arc<EngineCell>, fd: RawFd) {
        *self.slot.lock() = Some((engine, fd));
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
