//! An I/O thread's mailbox: commands from sockets and pipe activations,
//! with one wake-up of the poll loop when the mailbox turns non-empty.

use crate::link::EngineLink;
use crate::link::{ConnOptions, MonitorStop, SocketCore};
use crate::pipe::{Reader, Writer};
use crate::transport::target::Target;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

/// The pipes a socket pre-creates for a connecting endpoint, so messages can
/// queue before (and between) connections.
pub struct EnginePipes {
    pub id: u64,
    /// Frames the engine reads and sends to the peer.
    pub outbound: Reader,
    /// Frames the engine received, for the socket.
    pub inbound: Writer,
    /// Where the socket finds the engine behind these pipes.
    pub link: Arc<EngineLink>,
}

pub enum IoCommand {
    /// Accept connections on a bound listener.
    Listen {
        listener: crate::transport::stream::Acceptor,
        socket: Arc<SocketCore>,
        opts: ConnOptions,
        endpoint_id: u64,
    },
    /// Keep a connection to `endpoint` up, reconnecting as needed.
    Connect {
        endpoint: Target,
        socket: Arc<SocketCore>,
        opts: ConnOptions,
        endpoint_id: u64,
        pipes: Option<EnginePipes>,
    },
    /// A pipe of the entry with this token changed state.
    Activate(usize),
    /// zmq_unbind / zmq_disconnect: drop what this endpoint created.
    CloseEndpoint {
        socket_id: u64,
        endpoint_id: u64,
        /// Dropped once the endpoint is closed (see `SocketClosed::done`).
        done: Option<Sender<()>>,
    },
    /// The socket is closed: flush within `linger` (None: no limit), then drop.
    SocketClosed {
        socket_id: u64,
        linger: Option<Duration>,
        /// Dropped once the close is handled.
        stop: Arc<MonitorStop>,
        /// Dropped once the listeners are closed, for a caller that waits
        /// until its ipc socket files are gone (a rebind right after).
        done: Option<Sender<()>>,
    },
    /// The context terminates: exit once nothing lingers.
    Stop,
}

pub struct IoMailbox {
    commands: Mutex<Vec<IoCommand>>,
    waker: mio::Waker,
    /// Commands are queued (set with the queue's lock held).
    queued: AtomicBool,
    /// The I/O thread is (about to be) blocked in its poll: only then is a
    /// wake-up (a syscall) needed.
    sleeping: AtomicBool,
    /// How many connections the I/O thread serves (see `IoLoad`).
    engines: AtomicUsize,
}

impl crate::link::engine::IoLoad for IoMailbox {
    fn serves_others(&self) -> bool {
        self.engines.load(Ordering::Relaxed) > 1
    }
}

impl IoMailbox {
    pub fn new(waker: mio::Waker) -> IoMailbox {
        IoMailbox {
            commands: Mutex::new(Vec::new()),
            waker,
            queued: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
            engines: AtomicUsize::new(0),
        }
    }

    pub fn send(&self, cmd: IoCommand) {
        {
            let mut q = self.commands.lock();
            q.push(cmd);
            self.queued.store(true, Ordering::SeqCst);
        }
        if self.sleeping.load(Ordering::SeqCst) {
            let _ = self.waker.wake();
        }
    }

    /// The I/O thread is about to block: returns false (and stays awake)
    /// if commands are already waiting.
    pub fn sleep(&self) -> bool {
        self.sleeping.store(true, Ordering::SeqCst);
        if self.queued.load(Ordering::SeqCst) {
            self.sleeping.store(false, Ordering::Relaxed);
            return false;
        }
        true
    }

    pub fn engine_added(&self) {
        self.engines.fetch_add(1, Ordering::Relaxed);
    }

    pub fn engine_removed(&self) {
        self.engines.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn awake(&self) {
        self.sleeping.store(false, Ordering::Relaxed);
    }

    pub fn activate(&self, token: usize) {
        self.send(IoCommand::Activate(token));
    }

    /// Moves the queued commands into `out` (empty), swapping buffers so
    /// neither side allocates in steady state.
    pub fn take_into(&self, out: &mut Vec<IoCommand>) {
        let mut q = self.commands.lock();
        std::mem::swap(&mut *q, out);
        self.queued.store(false, Ordering::SeqCst);
    }
}
