//! How a socket is linked to its peers: a pipe pair each, to an engine on
//! an I/O thread or (inproc) straight to another socket. This layer holds
//! what a socket shares with the I/O threads and with other sockets: its
//! core (identity, signaler, a command queue for pipe attach/detach, its
//! monitor), the pipe ends it is handed, the options a connection copies,
//! the link to the engine behind a pipe, and the inproc registry.
//! Commands are rare (attach and detach per connection; an activation
//! only when a parked pipe has messages again), so a mutex is fine here.

pub mod ends;
pub mod engine;
pub mod events;
pub mod inproc;

pub use ends::Ends;
pub use engine::EngineLink;
pub use inproc::ZapHandle;

use crate::pipe::{pipe, Reader, Wake, Waker, Writer};
use crate::signal::Signaler;
use crate::transport::filter::AcceptFilters;
use crate::transport::socks::SocksProxy;
use crate::transport::tcp::TcpSettings;
use crate::zmtp::mechanism::Security;
use crate::SocketType;
use bytes::Bytes;
use events::{EventSink, MONITOR_STOPPED};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// One attached peer as the socket sees it.
pub struct PipeEnd {
    pub id: u64,
    /// The socket writes here; the engine sends it.
    pub tx: Writer,
    /// The engine writes here; the socket reads it.
    pub rx: Reader,
    /// The peer's routing id (its Identity property), empty if none.
    pub routing_id: Bytes,
    /// The engine behind this pipe, for driving it directly.
    pub link: Arc<EngineLink>,
    /// For inproc pipes: who is at either end, and which side we are.
    pub inproc: Option<(Arc<Ends>, usize)>,
}

pub enum SocketCommand {
    /// A new peer is connected and handshaken.
    Attach(PipeEnd),
    /// A peer is gone for good.
    Detach(u64),
    /// A pre-created pipe got a new connection: resend state (subscriptions).
    Hiccup(u64),
    /// A pipe the socket found empty has messages again.
    Activate(u64),
    /// The peer behind a pipe turned out to have this routing id (an
    /// inproc connect made before the bind learns it at the bind).
    PeerRoutingId(u64, Bytes),
}

pub struct SocketCore {
    pub id: u64,
    pub socket_type: SocketType,
    pub signaler: Arc<Signaler>,
    commands: Mutex<Vec<SocketCommand>>,
    /// Commands are queued: lets the hot path skip the mutex and syscall.
    pending: AtomicBool,
    /// The owner thread is (about to be) blocked on the signaler: only
    /// then does a wake-up need the syscall.
    sleeping: AtomicBool,
    /// Someone outside our calls watches the signaler (ZMQ_FD was handed
    /// out): every change must raise it.
    watched: AtomicBool,
    /// Where zmq_socket_monitor sends events.
    monitor: Mutex<Option<Box<dyn EventSink>>>,
}

impl SocketCore {
    pub fn new(id: u64, socket_type: SocketType, signaler: Arc<Signaler>) -> Arc<SocketCore> {
        Arc::new(SocketCore {
            id,
            socket_type,
            signaler,
            commands: Mutex::new(Vec::new()),
            pending: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
            watched: AtomicBool::new(false),
            monitor: Mutex::new(None),
        })
    }

    /// Queues a command and wakes the socket.
    pub fn command(&self, cmd: SocketCommand) {
        self.commands.lock().push(cmd);
        self.pending.store(true, Ordering::SeqCst);
        self.wake();
    }

    /// Raises the signal if anyone may be waiting on it. Callers change
    /// what the owner would see (a pipe, the command queue) before this.
    pub fn wake(&self) {
        if self.sleeping.load(Ordering::SeqCst) || self.watched.load(Ordering::Relaxed) {
            self.signaler.notify();
        }
    }

    /// The owner is about to look one last time and then block.
    pub fn set_sleeping(&self, sleeping: bool) {
        self.sleeping.store(sleeping, Ordering::SeqCst);
    }

    /// Reports an event to the socket's monitor, if it has one.
    pub fn emit(&self, event: u16, value: u32, endpoint: &str) {
        if let Some(m) = &*self.monitor.lock() {
            m.emit(event, value, endpoint);
        }
    }

    /// Installs (or, with None, removes) the monitor; returns the old one.
    pub fn set_monitor(&self, monitor: Option<Box<dyn EventSink>>) -> Option<Box<dyn EventSink>> {
        std::mem::replace(&mut *self.monitor.lock(), monitor)
    }

    /// ZMQ_FD was handed out: raise the signal on every change from now on.
    pub fn set_watched(&self) {
        self.watched.store(true, Ordering::SeqCst);
    }

    /// Whether ZMQ_FD was handed out.
    pub fn is_watched(&self) -> bool {
        self.watched.load(Ordering::Relaxed)
    }

    /// Moves the queued commands, if any, into `out` (empty), swapping
    /// buffers; cheap when there are none.
    pub fn take_commands(&self, out: &mut Vec<SocketCommand>) {
        // SeqCst: this load pairs with the store of `sleeping` (free on x86).
        if !self.pending.load(Ordering::SeqCst) || !self.pending.swap(false, Ordering::Acquire) {
            return;
        }
        std::mem::swap(&mut *self.commands.lock(), out);
    }
}

impl Wake for SocketCore {
    fn wake(&self) {
        SocketCore::wake(self)
    }
}

/// A socket as the reader of one pipe: told which pipe has messages
/// again when it had parked it, otherwise simply woken.
struct PipeReader {
    socket: Arc<SocketCore>,
    id: u64,
}

impl Wake for PipeReader {
    fn wake(&self) {
        self.socket.wake()
    }

    fn activate(&self) {
        self.socket.command(SocketCommand::Activate(self.id))
    }
}

impl SocketCore {
    /// Makes this socket the writer of `tx` and the reader of `rx`, the
    /// pipe pair `id` (to an engine or to another socket).
    pub fn plug(self: &Arc<Self>, id: u64, tx: &Writer, rx: &Reader) {
        tx.set_writer(Waker::new(self.clone()));
        rx.set_reader(Waker::new(Arc::new(PipeReader {
            socket: self.clone(),
            id,
        })));
    }
}

/// Options a connection needs, copied when bind/connect is called (as in
/// libzmq, later option changes affect later connections only).
#[derive(Clone, Debug)]
pub struct ConnOptions {
    pub socket_type: SocketType,
    pub sndhwm: usize,
    pub rcvhwm: usize,
    pub routing_id: Bytes,
    pub max_msg_size: i64,
    pub reconnect_ivl: i32,
    pub reconnect_ivl_max: i32,
    /// The endpoint, as monitor events name it.
    pub endpoint: String,
    /// ZMQ_HANDSHAKE_IVL in ms (0: no limit).
    pub handshake_ivl: i32,
    /// ZMQ_HEARTBEAT_IVL, _TTL and _TIMEOUT in ms (0 / -1: off / default).
    pub heartbeat_ivl: i32,
    pub heartbeat_ttl: i32,
    pub heartbeat_timeout: i32,
    /// Kernel socket settings (-1: the OS default, as in libzmq).
    pub tcp: TcpSettings,
    /// ZMQ_CONNECT_TIMEOUT in ms (0: the OS's).
    pub connect_timeout: i32,
    /// ZMQ_CONNECT_ROUTING_ID: the name a ROUTER gives this connection's
    /// peer, whatever identity the peer announces.
    pub peer_routing_id: Option<Bytes>,
    /// ZMQ_CONFLATE, where the socket type allows it: pipes into and out
    /// of the socket hold only the newest message and have no high-water
    /// mark.
    pub conflate_in: bool,
    pub conflate_out: bool,
    /// The security mechanism and our role in it.
    pub security: Security,
    /// ZMQ_ZAP_DOMAIN (empty: none), for ZAP requests.
    pub zap_domain: Bytes,
    /// The context whose ZAP handler authenticates peers.
    pub zap: ZapHandle,
    /// Who a listener admits (ZMQ_TCP_ACCEPT_FILTER, ZMQ_IPC_FILTER_*).
    pub accept: AcceptFilters,
    /// A tcp connect goes through this SOCKS5 proxy (ZMQ_SOCKS_PROXY).
    pub socks: Option<SocksProxy>,
    /// ZMQ_STREAM_NOTIFY, for a STREAM socket's connections.
    pub stream_notify: bool,
}

impl ConnOptions {
    /// The pipe a connection writes and the socket reads.
    pub fn inbound_pipe(&self) -> (Writer, Reader) {
        pipe(self.rcvhwm, self.conflate_in)
    }

    /// The pipe the socket writes and a connection reads.
    pub fn outbound_pipe(&self) -> (Writer, Reader) {
        pipe(self.sndhwm, self.conflate_out)
    }
}

static NEXT_PIPE: AtomicU64 = AtomicU64::new(1);

pub fn next_pipe_id() -> u64 {
    NEXT_PIPE.fetch_add(1, Ordering::Relaxed)
}

/// Stops a closed socket's monitor (MONITOR_STOPPED) when the last holder
/// lets go: the socket itself, and each I/O thread told of the close once
/// its listeners have reported CLOSED (libzmq's order).
pub struct MonitorStop(pub Arc<SocketCore>);

impl Drop for MonitorStop {
    fn drop(&mut self) {
        if let Some(m) = self.0.set_monitor(None) {
            m.emit(MONITOR_STOPPED, 0, "");
        }
    }
}
