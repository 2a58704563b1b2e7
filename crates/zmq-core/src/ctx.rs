//! The context: owns the I/O threads and knows every open socket, so that
//! zmq_ctx_term can wake blocked calls with ETERM and wait for all closes.

use crate::error::{Error, Result};
use crate::io::sched::ThreadSettings;
use crate::io::{IoMailbox, IoThread};
use crate::signal::Signaler;
use crate::socket::core::SocketCore;
use crate::socket::Socket;
use crate::transport::inproc;
use crate::SocketType;
use parking_lot::{Condvar, Mutex};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// Context options, numbered as in zmq.h.
pub const IO_THREADS: i32 = 1;
pub const MAX_SOCKETS: i32 = 2;
pub const SOCKET_LIMIT: i32 = 3;
pub const MAX_MSGSZ: i32 = 5;
pub const MSG_T_SIZE: i32 = 6;
pub const BLOCKY: i32 = 70;
/// Set only (shares its number with SOCKET_LIMIT, which is get only).
pub const THREAD_PRIORITY: i32 = 3;
pub const THREAD_SCHED_POLICY: i32 = 4;
pub const THREAD_AFFINITY_CPU_ADD: i32 = 7;
pub const THREAD_AFFINITY_CPU_REMOVE: i32 = 8;
pub const THREAD_NAME_PREFIX: i32 = 9;
pub const IPV6: i32 = 42;

const SOCKET_LIMIT_VALUE: i32 = 65535;

struct Settings {
    io_threads: i32,
    max_sockets: i32,
    max_msgsz: i32,
    blocky: bool,
    ipv6: bool,
    /// How the I/O threads are started.
    threads: ThreadSettings,
}

pub struct CtxInner {
    settings: Mutex<Settings>,
    io: Mutex<Vec<IoThread>>,
    next_io: AtomicUsize,
    sockets: Mutex<HashMap<u64, Arc<SocketCore>>>,
    all_closed: Condvar,
    terminating: AtomicBool,
    next_socket: AtomicU64,
    /// inproc:// names bound in this context.
    pub inproc: Mutex<inproc::Registry>,
    /// The process that made the context: a child forked from it has none
    /// of its I/O threads.
    pid: u32,
}

/// A ZeroMQ context. Cheap to clone; shared by all threads.
#[derive(Clone)]
pub struct Context {
    inner: Arc<CtxInner>,
}

impl Default for Context {
    fn default() -> Self {
        Context::new()
    }
}

impl Context {
    pub fn new() -> Context {
        Context {
            inner: Arc::new(CtxInner {
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
                inproc: Mutex::new(inproc::Registry::default()),
                pid: std::process::id(),
            }),
        }
    }

    /// The context a socket belongs to.
    pub(crate) fn from_inner(inner: Arc<CtxInner>) -> Context {
        Context { inner }
    }

    pub fn socket(&self, socket_type: SocketType) -> Result<Socket> {
        let inner = &self.inner;
        if inner.is_terminating() {
            return Err(Error::Terminated);
        }
        let max = inner.settings.lock().max_sockets as usize;
        let mut sockets = inner.sockets.lock();
        if sockets.len() >= max {
            return Err(Error::TooManyFiles);
        }
        let signaler = Arc::new(Signaler::new().map_err(|e| Error::from_io(&e))?);
        let id = inner.next_socket.fetch_add(1, Ordering::Relaxed);
        let core = SocketCore::new(id, socket_type, signaler);
        sockets.insert(id, core.clone());
        drop(sockets);
        let socket = Socket::new(inner.clone(), core);
        let (ipv6, blocky) = {
            let s = inner.settings.lock();
            (s.ipv6, s.blocky)
        };
        if ipv6 {
            let _ = socket.set_option(crate::socket::options::IPV6, &1i32.to_ne_bytes());
        }
        // ZMQ_BLOCKY=0: new sockets do not make term wait (linger 0).
        if !blocky {
            let _ = socket.set_option(crate::socket::options::LINGER, &0i32.to_ne_bytes());
        }
        Ok(socket)
    }

    pub fn set(&self, option: i32, value: i32) -> Result<()> {
        let mut s = self.inner.settings.lock();
        match option {
            IO_THREADS if value >= 0 => s.io_threads = value,
            MAX_SOCKETS if value >= 1 => s.max_sockets = value,
            THREAD_PRIORITY if value >= 0 => s.threads.priority = Some(value),
            THREAD_SCHED_POLICY if value >= 0 => s.threads.policy = Some(value),
            THREAD_AFFINITY_CPU_ADD if value >= 0 => {
                if !s.threads.cpus.contains(&value) {
                    s.threads.cpus.push(value);
                }
            }
            THREAD_AFFINITY_CPU_REMOVE if value >= 0 => {
                let before = s.threads.cpus.len();
                s.threads.cpus.retain(|&c| c != value);
                if s.threads.cpus.len() == before {
                    return Err(Error::Invalid);
                }
            }
            // An int, kept as its decimal text (as libzmq 4.3).
            THREAD_NAME_PREFIX => s.threads.name_prefix = value.to_string(),
            MAX_MSGSZ if value >= 0 => s.max_msgsz = value,
            BLOCKY if value >= 0 => s.blocky = value != 0,
            IPV6 if value >= 0 => s.ipv6 = value != 0,
            _ => return Err(Error::Invalid),
        }
        Ok(())
    }

    pub fn get(&self, option: i32) -> Result<i32> {
        let s = self.inner.settings.lock();
        Ok(match option {
            IO_THREADS => s.io_threads,
            MAX_SOCKETS => s.max_sockets,
            SOCKET_LIMIT => SOCKET_LIMIT_VALUE,
            MAX_MSGSZ => s.max_msgsz,
            MSG_T_SIZE => 64,
            BLOCKY => s.blocky as i32,
            IPV6 => s.ipv6 as i32,
            THREAD_SCHED_POLICY => s.threads.policy.unwrap_or(-1),
            THREAD_NAME_PREFIX => s.threads.name_prefix.parse().unwrap_or(0),
            _ => return Err(Error::Invalid),
        })
    }

    /// Makes every blocking call on this context's sockets return ETERM.
    pub fn shutdown(&self) {
        self.inner.terminating.store(true, Ordering::SeqCst);
        for s in self.inner.sockets.lock().values() {
            s.signaler.notify();
        }
    }

    /// Shuts down, waits until every socket is closed, then stops the I/O
    /// threads once queued messages are flushed (per each socket's linger).
    ///
    /// In a child forked from the process that made the context, the I/O
    /// threads do not exist: nothing is waited for, and what they own is
    /// left alone (the parent still uses it), as libzmq lets a child
    /// terminate its inherited context.
    pub fn terminate(&self) {
        self.shutdown();
        if self.inner.is_forked() {
            std::mem::forget(std::mem::take(&mut *self.inner.io.lock()));
            return;
        }
        let mut sockets = self.inner.sockets.lock();
        while !sockets.is_empty() {
            self.inner.all_closed.wait(&mut sockets);
        }
        drop(sockets);
        self.inner.inproc.lock().clear();
        let mut io = std::mem::take(&mut *self.inner.io.lock());
        for t in &mut io {
            t.stop();
        }
    }
}

impl CtxInner {
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
