//! The link from a socket's pipes to the engine currently behind them, so
//! an application thread can drive an idle connection itself (write its
//! request, read its reply) instead of handing each message to the I/O
//! thread and back. The I/O thread keeps ownership of the connection's
//! life: handshake, errors, reconnects, linger.

use super::engine::Engine;
use super::mailbox::IoMailbox;
use crate::pipe::Wake;
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

/// An engine as a pipe's sleeping side: an idle engine in a request-reply
/// rhythm is driven at once by the waking thread (see
/// `Engine::try_direct_send`); otherwise its I/O thread is told, once per
/// batch (`scheduled` is set while an activation is on its way).
pub struct EngineWaker {
    pub mailbox: Arc<IoMailbox>,
    pub token: usize,
    pub scheduled: Arc<AtomicBool>,
    pub link: Arc<EngineLink>,
}

impl Wake for EngineWaker {
    fn wake(&self) {
        if self.link.direct_allowed() {
            if let Some((engine, _)) = self.link.get() {
                if let Some(mut e) = engine.try_lock() {
                    if e.try_direct_send() {
                        return;
                    }
                }
            }
        }
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            self.mailbox.activate(self.token);
        }
    }
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
