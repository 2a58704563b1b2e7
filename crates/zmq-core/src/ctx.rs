//! The context: owns the I/O threads and knows every open socket, so that
//! zmq_ctx_term can wake blocked calls with ETERM and wait for all closes.

use crate::error::{Error, Result};
use crate::io::context::CtxInner;
use crate::socket::Socket;
use crate::SocketType;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Context options, numbered as in zmq.h.
pub const IO_THREADS: i32 = 1;
/// ZMQ_MAX_SOCKETS, numbered as in zmq.h.
pub const MAX_SOCKETS: i32 = 2;
/// ZMQ_SOCKET_LIMIT, numbered as in zmq.h.
pub const SOCKET_LIMIT: i32 = 3;
/// ZMQ_MAX_MSGSZ, numbered as in zmq.h.
pub const MAX_MSGSZ: i32 = 5;
/// ZMQ_MSG_T_SIZE, numbered as in zmq.h.
pub const MSG_T_SIZE: i32 = 6;
/// ZMQ_BLOCKY, numbered as in zmq.h.
pub const BLOCKY: i32 = 70;
/// Set only (shares its number with SOCKET_LIMIT, which is get only).
pub const THREAD_PRIORITY: i32 = 3;
/// ZMQ_THREAD_SCHED_POLICY, numbered as in zmq.h.
pub const THREAD_SCHED_POLICY: i32 = 4;
/// ZMQ_THREAD_AFFINITY_CPU_ADD, numbered as in zmq.h.
pub const THREAD_AFFINITY_CPU_ADD: i32 = 7;
/// ZMQ_THREAD_AFFINITY_CPU_REMOVE, numbered as in zmq.h.
pub const THREAD_AFFINITY_CPU_REMOVE: i32 = 8;
/// ZMQ_THREAD_NAME_PREFIX, numbered as in zmq.h.
pub const THREAD_NAME_PREFIX: i32 = 9;
/// ZMQ_IPV6, numbered as in zmq.h.
pub const IPV6: i32 = 42;

const SOCKET_LIMIT_VALUE: i32 = 65535;

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
    /// A new context (zmq_ctx_new): one I/O thread, started on first use.
    pub fn new() -> Context {
        Context {
            inner: Arc::new(CtxInner::new()),
        }
    }

    /// The context a socket belongs to.
    pub fn socket(&self, socket_type: SocketType) -> Result<Socket> {
        Socket::open(&self.inner, socket_type)
    }

    /// Sets a context option (zmq_ctx_set: `IO_THREADS`, `MAX_SOCKETS`...);
    /// EINVAL for an unknown option or a value out of range.
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

    /// Reads a context option (zmq_ctx_get).
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
