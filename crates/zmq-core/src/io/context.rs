//! The state a context shares with its sockets and I/O threads: its
//! settings, its I/O threads (started on first use), the cores of its open
//! sockets (so that termination can wake them) and its inproc names. The
//! public `Context` (ctx.rs) wraps it.

use super::sched::ThreadSettings;
use super::{IoMailbox, IoThread};
use crate::error::{Error, Result};
use crate::link::inproc;
use crate::link::SocketCore;
use crate::signal::Signaler;
use crate::SocketType;
use parking_lot::{Condvar, Mutex};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

pub(crate) struct Settings {
    pub io_threads: i32,
    pub max_sockets: i32,
    pub max_msgsz: i32,
    pub blocky: bool,
    pub ipv6: bool,
    /// How the I/O threads are started.
    pub threads: ThreadSettings,
}

pub struct CtxInner {
    pub(crate) settings: Mutex<Settings>,
    pub(crate) io: Mutex<Vec<IoThread>>,
    pub(crate) next_io: AtomicUsize,
    pub(crate) sockets: Mutex<HashMap<u64, Arc<SocketCore>>>,
    pub(crate) all_closed: Condvar,
    pub(crate) terminating: AtomicBool,
    pub(crate) next_socket: AtomicU64,
    /// inproc:// names bound in this context.
    pub inproc: Arc<Mutex<inproc::Registry>>,
    /// The process that made the context: a child forked from it has none
    /// of its I/O threads.
    pub(crate) pid: u32,
}

impl CtxInner {
    pub fn new() -> CtxInner {
        CtxInner {
            settings: Mutex::new(Settings {
                io_threads: 1,
                max_sockets: 1023,
                max_msgsz: i32::MAX,
                blocky: true,
                ipv6: false,
                threads: ThreadSettings::default(),
            }),
            io: Mutex::new(Vec::new()),
            next_io: AtomicUsize::new(0),
            sockets: Mutex::new(HashMap::new()),
            all_closed: Condvar::new(),
            terminating: AtomicBool::new(false),
            next_socket: AtomicU64::new(1),
            inproc: Arc::new(Mutex::new(inproc::Registry::default())),
            pid: std::process::id(),
        }
    }

    /// A new socket's core, registered with the context, if the context
    /// is not terminating and has room (ZMQ_MAX_SOCKETS).
    pub fn register(&self, socket_type: SocketType) -> Result<Arc<SocketCore>> {
        if self.is_terminating() {
            return Err(Error::Terminated);
        }
        let max = self.settings.lock().max_sockets as usize;
        let mut sockets = self.sockets.lock();
        if sockets.len() >= max {
            return Err(Error::TooManyFiles);
        }
        let signaler = Arc::new(Signaler::new().map_err(|e| Error::from_io(&e))?);
        let id = self.next_socket.fetch_add(1, Ordering::Relaxed);
        let core = SocketCore::new(id, socket_type, signaler);
        sockets.insert(id, core.clone());
        Ok(core)
    }

    /// ZMQ_IPV6 and ZMQ_BLOCKY as set on the context: new sockets' defaults.
    pub fn socket_defaults(&self) -> (bool, bool) {
        let s = self.settings.lock();
        (s.ipv6, s.blocky)
    }

    /// Whether we run in a child forked after the context was made.
    pub fn is_forked(&self) -> bool {
        std::process::id() != self.pid
    }

    pub fn is_terminating(&self) -> bool {
        self.terminating.load(Ordering::SeqCst)
    }

    /// An I/O thread for a new listener or connection (all are started on
    /// first use): in turn among those `affinity` names (bit i: thread i),
    /// or among all if it names none.
    pub fn io_thread(&self, affinity: u64) -> Result<Arc<IoMailbox>> {
        let mut io = self.io.lock();
        if io.is_empty() {
            let (n, threads) = {
                let s = self.settings.lock();
                (s.io_threads, s.threads.clone())
            };
            if n < 1 {
                return Err(Error::NoThread);
            }
            for i in 0..n {
                let t = IoThread::spawn(threads.name(i), threads.clone())
                    .map_err(|e| Error::from_io(&e))?;
                io.push(t);
            }
        }
        let allowed: Vec<usize> = (0..io.len().min(64))
            .filter(|&i| affinity & (1 << i) != 0)
            .collect();
        let turn = self.next_io.fetch_add(1, Ordering::Relaxed);
        let i = match allowed.len() {
            0 => turn % io.len(),
            n => allowed[turn % n],
        };
        Ok(io[i].mailbox.clone())
    }

    pub fn socket_closed(&self, id: u64) {
        self.inproc.lock().forget(id);
        let mut sockets = self.sockets.lock();
        sockets.remove(&id);
        if sockets.is_empty() {
            self.all_closed.notify_all();
        }
    }
}
