//! The socket base: options, endpoints, blocking with timeouts and the
//! pollable signal, over a per-type `Pattern`.
//!
//! A socket is used by one application thread at a time (as in libzmq);
//! its state sits behind a mutex that is never held while waiting, so a
//! context in another thread can always wake it with ETERM.

pub(crate) mod dealer;
pub(crate) mod fq;
pub(crate) mod lb;
pub mod monitor;
pub mod options;
pub(crate) mod pair;
pub(crate) mod pattern;
pub(crate) mod pipes;
pub(crate) mod push;
pub(crate) mod rep;
pub(crate) mod req;
pub(crate) mod router;
mod spin;
mod state_lock;
pub(crate) mod stream;
pub(crate) mod subscriptions;
pub(crate) mod xpub;
pub(crate) mod xsub;

use self::options::Options;
use self::pattern::Pattern;
use self::state_lock::StateLock;
use crate::error::{Error, Result};
use crate::io::context::CtxInner;
use crate::io::mailbox::{EnginePipes, IoCommand, IoMailbox};
use crate::link::engine::{
    EngineLink, IoLoad, SharedEngine, DIRECT_READ_GAP, DIRECT_READ_HUGE, DIRECT_STREAM_MAX,
};
use crate::link::inproc::{Peer, ZapHandle};
use crate::link::{next_pipe_id, ConnOptions, MonitorStop, PipeEnd, SocketCommand, SocketCore};
use crate::msg::Msg;
use crate::pipe::Pipe;
use crate::signal::Woken;
use crate::transport::stream::Acceptor;
use crate::transport::target::Target;
use crate::transport::{self, ipc, tcp, Scheme};
use crate::SocketType;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// zmq_send/zmq_recv flags.
pub const DONTWAIT: i32 = 1;
/// ZMQ_SNDMORE, numbered as in zmq.h.
pub const SNDMORE: i32 = 2;
/// zmq_poll / ZMQ_EVENTS bits.
pub const POLLIN: i16 = 1;
/// ZMQ_POLLOUT, numbered as in zmq.h.
pub const POLLOUT: i16 = 2;

struct Endpoint {
    /// The endpoint as given, and as resolved (ZMQ_LAST_ENDPOINT).
    given: String,
    resolved: String,
    id: u64,
    bound: bool,
    /// The I/O thread serving it (none for inproc).
    io: Option<Arc<IoMailbox>>,
    /// A connect's pipe, when it exists from the start.
    pipe: Option<u64>,
}

struct State {
    opts: Options,
    pattern: Box<dyn Pattern>,
    rcvmore: bool,
    endpoints: Vec<Endpoint>,
    next_endpoint: u64,
    /// Commands taken from the core, in a buffer reused between batches.
    inbox: Vec<SocketCommand>,
    /// When this thread last read the connection itself.
    last_direct: Option<Instant>,
    /// The last successful operation: a receive that follows a send (or a
    /// send that follows a receive) is request-reply traffic, which the
    /// direct paths serve; so are streams of small or huge frames received
    /// (see `DIRECT_STREAM_MAX`, `DIRECT_READ_HUGE`); other streams are left
    /// to the I/O thread.
    last_op: Option<Op>,
    /// How many extra looks a blocking call takes before it sleeps.
    spin: spin::Spin,
    /// The size of the last frame received.
    last_len: usize,
}

/// One of `Socket::blocking`'s looks before its last: it will look again
/// before it sleeps, so empty pipes need not be asked to wake it (see
/// `Reader::read_spinning`). The last look, and a call that does not wait,
/// use `op` directly and do ask.
fn look<T>(st: &mut State, op: &mut impl FnMut(&mut State) -> Result<T>) -> Result<T> {
    st.pattern.pipes().set_spinning(true);
    let r = op(st);
    st.pattern.pipes().set_spinning(false);
    r
}

/// What a blocking call waits for: room to send a frame of this size, or
/// a frame to receive. Small frames (see `DIRECT_STREAM_MAX`) are served by
/// the direct paths.
#[derive(Clone, Copy)]
enum Wait {
    Send(usize),
    Recv,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Send,
    Recv,
}

impl State {
    fn attach(&mut self, pipe: PipeEnd) {
        self.pattern.attach(pipe);
    }

    /// Attaches a pipe made at connect, before the handshake names the peer.
    fn attach_unnamed(&mut self, pipe: PipeEnd) {
        self.pattern.attach_unnamed(pipe);
    }

    fn detach(&mut self, id: u64) {
        self.pattern.detach(id);
    }

    /// The socket's pipes: the pattern's, the one list of them.
    fn pipes(&self) -> &[PipeEnd] {
        &self.pattern.pipes().list
    }

    /// New high-water marks reach the pipes already attached (as libzmq):
    /// an engine's pipes take ours; an inproc pair adds the peer's.
    fn apply_marks(&mut self) {
        let (snd, rcv) = (self.opts.sndhwm as usize, self.opts.rcvhwm as usize);
        for p in self.pipes() {
            match &p.inproc {
                Some((ends, side)) => ends.set_marks(*side, snd, rcv),
                None => {
                    if !p.tx.is_conflating() {
                        p.tx.set_hwm(snd);
                    }
                    if !p.rx.is_conflating() {
                        p.rx.set_hwm(rcv);
                    }
                }
            }
        }
    }

    /// zmq_disconnect: drops a pipe we connected now, with what it holds
    /// for us unread (as libzmq), telling an inproc peer.
    fn disconnect(&mut self, pipe: u64) {
        if let Some(p) = self.pattern.pipes().get(pipe) {
            if let Some((ends, side)) = &p.inproc {
                ends.close(*side, pipe);
            }
            // Closed first, so the writer stops adding to it.
            p.rx.close();
            while p.rx.read().is_some() {}
        }
        self.detach(pipe);
    }

    /// The socket's only pipe, if it has one peer and that peer is behind
    /// an engine (not inproc).
    fn only_engine(&self) -> Option<&PipeEnd> {
        match self.pipes() {
            [only] if only.inproc.is_none() => Some(only),
            _ => None,
        }
    }

    /// With a single peer whose engine is up, the engine the owner thread
    /// may drive itself while it waits.
    fn direct(&self) -> Option<Direct> {
        let only = self.only_engine()?;
        let (engine, fd, io) = only.link.get()?;
        Some(Direct {
            pipe: only.id,
            engine,
            fd,
            rx: only.rx.shared(),
            io,
        })
    }
}

/// An engine a waiting thread can drive: see `Socket::blocking`.
struct Direct {
    pipe: u64,
    engine: Arc<SharedEngine>,
    fd: RawFd,
    rx: Arc<Pipe>,
    io: Arc<dyn IoLoad>,
}

/// A ZeroMQ socket (zmq_socket), used by one thread at a time.
pub struct Socket {
    core: Arc<SocketCore>,
    ctx: Arc<CtxInner>,
    state: StateLock<State>,
}

fn pattern_for(t: SocketType) -> Box<dyn Pattern> {
    use SocketType::*;
    match t {
        Pair => Box::<pair::Pair>::default(),
        Pub => Box::new(xpub::XPub::publisher()),
        XPub => Box::<xpub::XPub>::default(),
        Sub => Box::new(xsub::XSub::subscriber()),
        XSub => Box::<xsub::XSub>::default(),
        Req => Box::<req::Req>::default(),
        Rep => Box::<rep::Rep>::default(),
        Dealer => Box::<dealer::Dealer>::default(),
        Router => Box::<router::Router>::default(),
        Pull => Box::<push::Pull>::default(),
        Push => Box::<push::Push>::default(),
        Stream => Box::<stream::Stream>::default(),
    }
}

impl Socket {
    /// A new socket of the context `ctx` (see `Context::socket`).
    pub(crate) fn open(ctx: &Arc<CtxInner>, socket_type: SocketType) -> Result<Socket> {
        let core = ctx.register(socket_type)?;
        let socket = Socket::new(ctx.clone(), core);
        let (ipv6, blocky) = ctx.socket_defaults();
        if ipv6 {
            let _ = socket.set_option(options::IPV6, &1i32.to_ne_bytes());
        }
        // ZMQ_BLOCKY=0: new sockets do not make term wait (linger 0).
        if !blocky {
            let _ = socket.set_option(options::LINGER, &0i32.to_ne_bytes());
        }
        Ok(socket)
    }

    fn new(ctx: Arc<CtxInner>, core: Arc<SocketCore>) -> Socket {
        let t = core.socket_type;
        Socket {
            core,
            ctx,
            state: StateLock::new(State {
                opts: Options::new(t),
                pattern: pattern_for(t),
                rcvmore: false,
                endpoints: Vec::new(),
                next_endpoint: 1,
                inbox: Vec::new(),
                last_direct: None,
                last_op: None,
                spin: spin::Spin::default(),
                last_len: 0,
            }),
        }
    }

    /// The socket's type.
    pub fn socket_type(&self) -> SocketType {
        self.core.socket_type
    }

    /// The file descriptor that becomes readable when ZMQ_EVENTS may have
    /// changed (ZMQ_FD).
    pub fn fd(&self) -> RawFd {
        self.core.set_watched();
        self.core.signaler.fd()
    }

    /// The signaler's descriptor, for our own waits (see `set_sleeping`).
    pub(crate) fn signal_fd(&self) -> RawFd {
        self.core.signaler.fd()
    }

    /// Lowers the signal that a poll just saw raised (see `Signaler::lower`).
    pub(crate) fn lower_signal(&self) {
        self.core.signaler.lower();
    }

    /// Marks the owner as about to block on the signaler (or not).
    pub(crate) fn set_sleeping(&self, sleeping: bool) {
        self.core.set_sleeping(sleeping);
    }

    fn check_term(&self) -> Result<()> {
        if self.ctx.is_terminating() {
            Err(Error::Terminated)
        } else {
            Ok(())
        }
    }

    /// Applies attach/detach commands from I/O threads.
    /// Lowers the signal and applies what it announced. Termination is
    /// checked after the drain: a shutdown's wake-up swallowed here must
    /// not leave the caller waiting.
    fn process_commands(&self, st: &mut State) -> Result<()> {
        if self.core.is_watched() {
            // The application polls ZMQ_FD: whatever raised it is lowered
            // now, flag or not (see `Signaler::lower`).
            self.core.signaler.lower();
        } else {
            self.core.signaler.drain();
        }
        self.apply_commands(st);
        self.check_term()
    }

    /// Accepts connections at `endpoint` (zmq_bind: tcp, ipc or inproc).
    pub fn bind(&self, endpoint: &str) -> Result<()> {
        self.check_term()?;
        let (scheme, address) = transport::parse(endpoint)?;
        let mut st = self.state.lock();
        let use_fd = st.opts.use_fd;
        let bound = match scheme {
            // ZMQ_USE_FD: the caller's own listening descriptor.
            Scheme::Tcp if use_fd >= 0 => tcp::adopt(use_fd),
            Scheme::Ipc if use_fd >= 0 => ipc::adopt(use_fd, address),
            Scheme::Tcp => tcp::bind_addr(address, st.opts.ipv6).and_then(|addr| {
                let listener = tcp::listen(addr, st.opts.backlog, &st.opts.tcp)
                    .map_err(|e| Error::from_io(&e))?;
                let local = listener.local_addr().map_err(|e| Error::from_io(&e))?;
                let acceptor = Acceptor::Tcp(mio::net::TcpListener::from_std(listener));
                Ok((acceptor, tcp::endpoint_string(local)))
            }),
            Scheme::Ipc => ipc::bind(address).map(|(acceptor, addr)| (acceptor, addr.endpoint())),
            Scheme::Inproc => {
                let peer = Peer {
                    core: self.core.clone(),
                    opts: st.opts.conn(),
                };
                self.ctx.inproc.lock().bind(address, peer)?;
                self.push_endpoint(&mut st, endpoint, endpoint.to_string(), true, None, None);
                // Connects made before the bind are attached now, as
                // libzmq does, so a SUB's subscriptions leave at once.
                self.apply_commands(&mut st);
                return Ok(());
            }
        };
        let (acceptor, resolved) = bound.inspect_err(|e| {
            self.core
                .emit(monitor::BIND_FAILED, e.errno() as u32, endpoint)
        })?;
        let io = self.ctx.io_thread(st.opts.affinity)?;
        self.core
            .emit(monitor::LISTENING, acceptor.as_raw_fd() as u32, &resolved);
        let opts = self.conn_options(&st.opts, resolved.clone());
        let id = self.push_endpoint(&mut st, endpoint, resolved, true, Some(io.clone()), None);
        io.send(IoCommand::Listen {
            listener: acceptor,
            socket: self.core.clone(),
            opts,
            endpoint_id: id,
        });
        Ok(())
    }

    /// What a tcp or ipc connection made on `endpoint` takes from us now,
    /// including where its ZAP handler is to be found.
    fn conn_options(&self, opts: &Options, endpoint: String) -> ConnOptions {
        let mut conn = opts.conn();
        conn.endpoint = endpoint;
        conn.zap = ZapHandle(Arc::downgrade(&self.ctx.inproc));
        conn
    }

    /// Records an endpoint; returns its id. `resolved` becomes
    /// ZMQ_LAST_ENDPOINT; `pipe` is an inproc connect's pipe.
    fn push_endpoint(
        &self,
        st: &mut State,
        endpoint: &str,
        resolved: String,
        bound: bool,
        io: Option<Arc<IoMailbox>>,
        pipe: Option<u64>,
    ) -> u64 {
        let id = st.next_endpoint;
        st.next_endpoint += 1;
        st.opts.last_endpoint = resolved.clone();
        st.endpoints.push(Endpoint {
            given: endpoint.to_string(),
            resolved,
            id,
            bound,
            io,
            pipe,
        });
        id
    }

    /// Connects to `endpoint`, now or whenever it appears (zmq_connect).
    pub fn connect(&self, endpoint: &str) -> Result<()> {
        self.check_term()?;
        let (scheme, address) = transport::parse(endpoint)?;
        let mut st = self.state.lock();
        let target = match scheme {
            Scheme::Tcp => Target::Tcp(tcp::connect_endpoint(address, st.opts.ipv6)?),
            Scheme::Ipc => Target::Ipc(ipc::parse(address)?),
            Scheme::Inproc => {
                let peer = Peer {
                    core: self.core.clone(),
                    opts: st.opts.conn(),
                };
                let mut end = self.ctx.inproc.lock().connect(address, peer)?;
                if let Some(name) = st.opts.connect_routing_id.take() {
                    end.routing_id = name;
                }
                let pipe = end.id;
                st.attach(end);
                self.push_endpoint(
                    &mut st,
                    endpoint,
                    endpoint.to_string(),
                    false,
                    None,
                    Some(pipe),
                );
                return Ok(());
            }
        };
        let io = self.ctx.io_thread(st.opts.affinity)?;
        let mut opts = self.conn_options(&st.opts, endpoint.to_string());
        opts.peer_routing_id = st.opts.connect_routing_id.take();
        // Pipes exist before the connection so messages can queue (the
        // handshake names the peer later), unless ZMQ_IMMEDIATE asks that
        // nothing queue for a peer not yet connected.
        let pipes = (!st.opts.immediate).then(|| {
            let (to_peer, outbound) = opts.outbound_pipe();
            let (inbound, from_peer) = opts.inbound_pipe();
            let pid = next_pipe_id();
            let link = EngineLink::new();
            self.core.plug(pid, &to_peer, &from_peer);
            let end = PipeEnd {
                id: pid,
                tx: to_peer,
                rx: from_peer,
                routing_id: opts.peer_routing_id.clone().unwrap_or_default(),
                link: link.clone(),
                inproc: None,
            };
            // ZMQ_CONNECT_ROUTING_ID names the peer now; a STREAM names
            // its connections itself, at once (as libzmq).
            match opts.peer_routing_id {
                None if self.core.socket_type != SocketType::Stream => st.attach_unnamed(end),
                _ => st.attach(end),
            }
            EnginePipes {
                id: pid,
                outbound,
                inbound,
                link,
            }
        });
        let pipe = pipes.as_ref().map(|p| p.id);
        let id = self.push_endpoint(
            &mut st,
            endpoint,
            endpoint.to_string(),
            false,
            Some(io.clone()),
            pipe,
        );
        io.send(IoCommand::Connect {
            endpoint: target,
            socket: self.core.clone(),
            opts,
            endpoint_id: id,
            pipes,
        });
        Ok(())
    }

    fn remove_endpoint(&self, endpoint: &str, bound: bool) -> Result<()> {
        self.check_term()?;
        transport::parse(endpoint)?;
        // As libzmq, a wildcard (`tcp://host:*`, `ipc://*`) names no single
        // endpoint: only the address it resolved to unbinds it.
        let wildcard = endpoint == "ipc://*"
            || (endpoint.starts_with("tcp://")
                && (endpoint.ends_with(":*") || endpoint.ends_with(":0")));
        let mut st = self.state.lock();
        let i = st
            .endpoints
            .iter()
            .position(|e| {
                e.bound == bound && (e.resolved == endpoint || (e.given == endpoint && !wildcard))
            })
            .ok_or(Error::NotFound)?;
        let e = st.endpoints.remove(i);
        match (&e.io, e.pipe) {
            (Some(io), pipe) => {
                let (done, closed) = closing(e.bound && e.resolved.starts_with("ipc://"));
                io.send(IoCommand::CloseEndpoint {
                    socket_id: self.core.id,
                    endpoint_id: e.id,
                    done,
                });
                if let Some(pipe) = pipe {
                    st.disconnect(pipe);
                }
                wait_closed(closed);
            }
            (None, Some(pipe)) => st.disconnect(pipe),
            (None, None) => {
                let (_, name) = transport::parse(&e.given)?;
                self.ctx.inproc.lock().unbind(name, self.core.id)?;
            }
        }
        Ok(())
    }

    /// Stops accepting at `endpoint` (zmq_unbind).
    pub fn unbind(&self, endpoint: &str) -> Result<()> {
        self.remove_endpoint(endpoint, true)
    }

    /// Drops the connection to `endpoint` with what it held unread
    /// (zmq_disconnect).
    pub fn disconnect(&self, endpoint: &str) -> Result<()> {
        self.remove_endpoint(endpoint, false)
    }

    /// Applies queued commands without touching the signaler (hot path).
    fn apply_commands(&self, st: &mut State) {
        let mut inbox = std::mem::take(&mut st.inbox);
        self.core.take_commands(&mut inbox);
        for cmd in inbox.drain(..) {
            match cmd {
                SocketCommand::Attach(p) => st.attach(p),
                SocketCommand::Detach(id) => st.detach(id),
                SocketCommand::Hiccup(id) => st.pattern.hiccup(id),
                SocketCommand::Activate(id) => st.pattern.activated(id),
                SocketCommand::PeerRoutingId(id, routing_id) => {
                    st.pattern.peer_routing_id(id, routing_id);
                }
            }
        }
        st.inbox = inbox;
    }

    /// Runs `op` until it succeeds, blocking up to `timeout_ms` (-1: no
    /// limit) unless `flags` has DONTWAIT. The signaler is only touched when
    /// `op` finds nothing to do, so a busy socket makes no syscall.
    ///
    /// With a single connected peer, the waiting thread also watches the
    /// connection and, when bytes arrive, reads and decodes them itself:
    /// the I/O thread's hand-off (a wake-up on each side) is skipped.
    fn blocking<T>(
        &self,
        timeout_ms: impl Fn(&Options) -> i32,
        flags: i32,
        wait: Wait,
        mut op: impl FnMut(&mut State) -> Result<T>,
    ) -> Result<T> {
        let mut st = self.state.lock();
        let small = match wait {
            Wait::Send(len) => len <= DIRECT_STREAM_MAX,
            Wait::Recv => st.last_len <= DIRECT_STREAM_MAX,
        };
        let drain_when_full = small && matches!(wait, Wait::Send(_));
        let timeout = timeout_ms(&st.opts);
        let no_wait = flags & DONTWAIT != 0 || timeout == 0;
        // Read the clock only once we actually have to wait.
        let mut wait: Option<Option<Instant>> = None;
        // The I/O thread was busy with the engine: wait for its signal.
        let mut engine_busy = false;
        loop {
            self.check_term()?;
            self.apply_commands(&mut st);
            match look(&mut st, &mut op) {
                Err(Error::Again) => {}
                other => return other,
            }
            if no_wait {
                self.process_commands(&mut st)?;
                return op(&mut st);
            }
            // A send finding the pipe to its only connection full: rather
            // than wait for a busy I/O thread to drain it, drain it into the
            // connection ourselves when the engine is free. An I/O thread
            // serving this connection alone keeps up by itself, and wakes us
            // once per half pipe; draining here would only leave it idle,
            // to be woken for every few messages we write (measured between
            // two processes: 0.75 of the throughput, 1.5 times the CPU).
            if drain_when_full && !engine_busy {
                if let Some(d) = st.direct().filter(|d| d.io.serves_others()) {
                    if let Some(mut engine) = d.engine.try_lock() {
                        engine.drive(false);
                        drop(engine);
                        match look(&mut st, &mut op) {
                            Err(Error::Again) => {}
                            other => return other,
                        }
                    }
                }
            }
            // A peer thread in full flow usually delivers within a moment:
            // look a few more times before paying for a sleep and a wake-up.
            // Large frames keep the I/O thread busy for a while each: a
            // thread looking for them would take the core it needs (inproc
            // has no I/O thread, so looking there still pays).
            let may_spin = small || st.pipes().iter().all(|p| p.inproc.is_some());
            let tries = if may_spin { st.spin.tries() } else { 0 };
            for _ in 0..tries {
                for _ in 0..32 {
                    std::hint::spin_loop();
                }
                self.apply_commands(&mut st);
                match look(&mut st, &mut op) {
                    Err(Error::Again) => {}
                    other => {
                        st.spin.paid();
                        return other;
                    }
                }
            }
            if tries > 0 {
                st.spin.wasted();
            }
            // Say we may sleep, lower the signal, then look again: a wake-up
            // raised after this point stays raised for the wait below.
            self.core.set_sleeping(true);
            if let Err(e) = self.process_commands(&mut st) {
                self.core.set_sleeping(false);
                return Err(e);
            }
            match op(&mut st) {
                Err(Error::Again) => {}
                other => {
                    self.core.set_sleeping(false);
                    return other;
                }
            }
            let deadline = *wait.get_or_insert_with(|| {
                (timeout > 0).then(|| Instant::now() + Duration::from_millis(timeout as u64))
            });
            // Reading the connection ourselves saves hand-offs when replies
            // are sparse; when they come thick and fast, the I/O thread reads
            // them in large batches instead.
            let sparse = || {
                st.last_direct
                    .is_none_or(|t| t.elapsed() >= DIRECT_READ_GAP)
            };
            // A stream of small messages is cheaper to decode here than to
            // hand over one by one, and one of huge ones takes the I/O
            // thread longer to copy than the hand-off costs, when that
            // thread has other connections to serve (see `IoLoad`); those
            // in between are better read by the I/O thread in parallel with
            // our own processing.
            let served_here = st.last_len <= DIRECT_STREAM_MAX || st.last_len >= DIRECT_READ_HUGE;
            let stream = st.last_op == Some(Op::Recv) && served_here;
            let request_reply = st.last_op == Some(Op::Send) && sparse();
            let direct = if engine_busy || !(request_reply || stream) {
                None
            } else {
                st.direct()
                    .filter(|d| request_reply || d.io.serves_others())
            };
            engine_busy = false;
            drop(st);
            let woke = match &direct {
                Some(d) => self.core.signaler.wait_with(d.fd, deadline),
                None => self.core.signaler.wait(deadline),
            };
            self.core.set_sleeping(false);
            st = self.state.lock();
            match (woke, direct) {
                (Woken::Interrupted, _) => return Err(Error::Interrupted),
                (Woken::Timeout, _) => {
                    self.process_commands(&mut st)?;
                    return op(&mut st);
                }
                (Woken::Fd, Some(d)) => match d.engine.try_lock() {
                    Some(mut engine) => {
                        st.last_direct = Some(Instant::now());
                        // We read what arrives ourselves: no need to be woken.
                        d.rx.reader_awake();
                        engine.drive(true);
                        drop(engine);
                        st.pattern.activated(d.pipe);
                    }
                    None => engine_busy = true,
                },
                _ => {}
            }
        }
    }

    /// Sends one frame. On success `msg` is left empty; on failure it is
    /// untouched, as zmq_msg_send promises.
    pub fn send(&self, msg: &mut Msg, flags: i32) -> Result<()> {
        msg.set_more(flags & SNDMORE != 0);
        // A received frame sent on says nothing of where it goes next.
        if msg.properties().is_some() {
            msg.set_properties(None);
        }
        self.blocking(
            |o| o.sndtimeo,
            flags,
            Wait::Send(msg.len()),
            |st| {
                // A send answering a receive is part of a request-reply rhythm:
                // the engine may write it from this thread at once.
                if let Some(only) = st.only_engine() {
                    only.link.allow_direct(st.last_op == Some(Op::Recv));
                }
                st.pattern.send(msg)?;
                st.last_op = Some(Op::Send);
                Ok(())
            },
        )
    }

    /// Receives one frame (zmq_msg_recv), waiting up to ZMQ_RCVTIMEO
    /// unless `flags` has `DONTWAIT`.
    pub fn recv(&self, flags: i32) -> Result<Msg> {
        let mut msg = Msg::new();
        self.recv_into(&mut msg, flags)?;
        Ok(msg)
    }

    /// As `recv`, into `msg`, its old content dropped. When no frame came
    /// (EAGAIN: DONTWAIT, or ZMQ_RCVTIMEO ran out) `msg` is left empty, as
    /// libzmq's zmq_msg_recv leaves it; after any other error it is
    /// untouched. The frame is written once, where the caller keeps it: a
    /// frame returned by value was copied through each layer of the
    /// blocking loop, each copy reading back the one just written.
    pub fn recv_into(&self, msg: &mut Msg, flags: i32) -> Result<()> {
        let received = self.blocking(
            |o| o.rcvtimeo,
            flags,
            Wait::Recv,
            |st| {
                st.pattern.recv(msg)?;
                st.rcvmore = msg.more();
                st.last_op = Some(Op::Recv);
                st.last_len = msg.len();
                Ok(())
            },
        );
        if received == Err(Error::Again) {
            *msg = Msg::new();
        }
        received
    }

    /// ZMQ_EVENTS: POLLIN and/or POLLOUT.
    pub fn events(&self) -> Result<i16> {
        self.check_term()?;
        let mut st = self.state.lock();
        self.process_commands(&mut st)?;
        let mut ev = 0;
        if st.pattern.has_in() {
            ev |= POLLIN;
        }
        if st.pattern.has_out() {
            ev |= POLLOUT;
        }
        Ok(ev)
    }

    /// Sets an option (zmq_setsockopt; `options::*` numbers, values as
    /// the C API takes them).
    pub fn set_option(&self, option: i32, value: &[u8]) -> Result<()> {
        self.check_term()?;
        let mut st = self.state.lock();
        // A subscription goes out at once, written by this thread if the
        // engine is idle, not after an I/O thread wakes: a message the
        // publisher sends right after must find it there, as often as
        // with libzmq.
        // (Each send sets the flag afresh, so it is simply cleared after.)
        let subscribing = matches!(option, options::SUBSCRIBE | options::UNSUBSCRIBE);
        if subscribing {
            st.pipes().iter().for_each(|p| p.link.allow_direct(true));
        }
        let applied = st.pattern.set_option(option, value);
        if subscribing {
            st.pipes().iter().for_each(|p| p.link.allow_direct(false));
        }
        match applied {
            Err(Error::NotFound) => {}
            // Acted on by the pattern, and kept for reading back.
            Ok(()) if option == options::INVERT_MATCHING => {}
            other => return other,
        }
        match st.opts.set(option, value) {
            Err(Error::NotFound) => Err(Error::Invalid),
            Ok(()) if matches!(option, options::SNDHWM | options::RCVHWM) => {
                st.apply_marks();
                Ok(())
            }
            other => other,
        }
    }

    /// Writes the option's value into `buf`, returning its length.
    pub fn get_option(&self, option: i32, buf: &mut [u8]) -> Result<usize> {
        self.check_term()?;
        let int = |buf: &mut [u8], v: i32| options::put(buf, &v.to_ne_bytes());
        match option {
            options::EVENTS => {
                let ev = self.events()?;
                return int(buf, ev as i32);
            }
            options::FD => return int(buf, self.fd()),
            _ => {}
        }
        let st = self.state.lock();
        if option == options::RCVMORE {
            return int(buf, st.rcvmore as i32);
        }
        match st.pattern.get_option(option, buf) {
            Err(Error::NotFound) => {}
            other => return other,
        }
        match st.opts.get(option, buf) {
            Err(Error::NotFound) => Err(Error::Invalid),
            other => other,
        }
    }

    /// Starts sending this socket's events (`events`, a mask of
    /// `monitor::*`) to a PAIR socket bound on `endpoint` (inproc only, as
    /// libzmq); None stops monitoring.
    pub fn monitor(&self, endpoint: Option<&str>, events: u32) -> Result<()> {
        self.check_term()?;
        let monitor = match endpoint {
            None => None,
            Some(ep) => {
                if transport::parse(ep)?.0 != Scheme::Inproc {
                    return Err(Error::ProtocolNotSupported);
                }
                let pair = Socket::open(&self.ctx, SocketType::Pair)?;
                // Pending events never hold up the context's termination.
                pair.set_option(options::LINGER, &0i32.to_ne_bytes())?;
                pair.bind(ep)?;
                Some(Box::new(monitor::Monitor::new(pair, events)) as Box<dyn monitor::EventSink>)
            }
        };
        if let Some(old) = self.core.set_monitor(monitor) {
            old.emit(monitor::MONITOR_STOPPED, 0, "");
        }
        Ok(())
    }

    /// Closes the socket: queued messages are sent within ZMQ_LINGER.
    pub fn close(self) {
        drop(self);
    }
}

/// For a close that must finish before the caller goes on (an ipc socket
/// file is removed by the I/O thread, and a bind of the same path may
/// follow at once): the sender to hand over, and what to wait on.
fn closing(wait: bool) -> (Option<Sender<()>>, Option<Receiver<()>>) {
    if !wait {
        return (None, None);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    (Some(tx), Some(rx))
}

/// Waits until every I/O thread handed a sender by `closing` has dropped
/// it, within a second (a stuck I/O thread must not hang the caller).
fn wait_closed(closed: Option<Receiver<()>>) {
    if let Some(rx) = closed {
        let _ = rx.recv_timeout(Duration::from_secs(1));
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // MONITOR_STOPPED comes last, after the I/O threads' CLOSED events.
        let stop = Arc::new(MonitorStop(self.core.clone()));
        let st = self.state.get_mut();
        let linger = match st.opts.linger {
            l if l < 0 => None,
            l => Some(Duration::from_millis(l as u64)),
        };
        let mut notified: Vec<*const IoMailbox> = Vec::new();
        // A forked child has no I/O threads to tell (nor to wait for).
        let forked = self.ctx.is_forked();
        let ipc_bound = st
            .endpoints
            .iter()
            .any(|e| e.bound && e.io.is_some() && e.resolved.starts_with("ipc://"));
        let (done, closed) = closing(ipc_bound && !forked);
        for io in st
            .endpoints
            .iter()
            .filter(|_| !forked)
            .filter_map(|e| e.io.as_ref())
        {
            let ptr = Arc::as_ptr(io);
            if !notified.contains(&ptr) {
                notified.push(ptr);
                io.send(IoCommand::SocketClosed {
                    socket_id: self.core.id,
                    linger,
                    stop: stop.clone(),
                    done: done.clone(),
                });
            }
        }
        // Inproc peers keep what we sent (until read) and drop our pipes,
        // including pipes attached since we last looked.
        let mut inbox = Vec::new();
        self.core.take_commands(&mut inbox);
        for cmd in inbox {
            if let SocketCommand::Attach(PipeEnd {
                id,
                inproc: Some((ends, side)),
                ..
            }) = cmd
            {
                ends.close(side, id);
            }
        }
        for p in st.pipes() {
            if let Some((ends, side)) = &p.inproc {
                ends.close(*side, p.id);
            }
        }
        drop((stop, done));
        wait_closed(closed);
        self.ctx.socket_closed(self.core.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Context;

    fn endpoint(s: &Socket) -> String {
        let mut buf = [0u8; 64];
        let n = s.get_option(options::LAST_ENDPOINT, &mut buf).unwrap();
        String::from_utf8(buf[..n - 1].to_vec()).unwrap()
    }

    #[test]
    fn a_refused_second_pair_peer_leaves_the_direct_path_on() {
        let ctx = Context::new();
        let server = ctx.socket(SocketType::Pair).unwrap();
        server
            .monitor(
                Some("inproc://pair-events"),
                monitor::HANDSHAKE_SUCCEEDED as u32,
            )
            .unwrap();
        let events = ctx.socket(SocketType::Pair).unwrap();
        events.connect("inproc://pair-events").unwrap();
        server.bind("tcp://127.0.0.1:*").unwrap();
        let ep = endpoint(&server);
        let first = ctx.socket(SocketType::Pair).unwrap();
        first.connect(&ep).unwrap();
        first.send(&mut Msg::from_slice(b"one"), 0).unwrap();
        assert_eq!(server.recv(0).unwrap().data(), b"one");
        assert!(server.state.lock().direct().is_some());

        // A second peer is refused (PAIR has one)...
        let second = ctx.socket(SocketType::Pair).unwrap();
        second.connect(&ep).unwrap();
        assert_eq!(monitor::next_event(&events), monitor::HANDSHAKE_SUCCEEDED);
        assert_eq!(monitor::next_event(&events), monitor::HANDSHAKE_SUCCEEDED);
        // (The refusal follows the event: a round trip makes sure the
        // server has taken it in.)
        std::thread::sleep(Duration::from_millis(50));
        first.send(&mut Msg::from_slice(b"two"), 0).unwrap();
        assert_eq!(server.recv(0).unwrap().data(), b"two");
        // ...and does not count as a peer: the first stays the only one.
        assert!(server.state.lock().direct().is_some());
    }

    /// A receiving thread reads its connection itself only when the I/O
    /// thread has other connections to serve: alone, the connection is
    /// left to the I/O thread; with a second one (here the sending end, in
    /// the same context) it may.
    #[test]
    fn the_direct_path_knows_whether_its_io_thread_serves_others() {
        let sender_ctx = Context::new();
        let ctx = Context::new();
        let pull = ctx.socket(SocketType::Pull).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let push = sender_ctx.socket(SocketType::Push).unwrap();
        push.connect(&endpoint(&pull)).unwrap();
        push.send(&mut Msg::from_slice(b"x"), 0).unwrap();
        assert_eq!(pull.recv(0).unwrap().data(), b"x");
        let d = pull.state.lock().direct().unwrap();
        assert!(
            !d.io.serves_others(),
            "the only connection of its I/O thread"
        );
        // A second connection on the receiver's I/O thread.
        let push2 = ctx.socket(SocketType::Push).unwrap();
        let pull2 = sender_ctx.socket(SocketType::Pull).unwrap();
        pull2.bind("tcp://127.0.0.1:*").unwrap();
        push2.connect(&endpoint(&pull2)).unwrap();
        push2.send(&mut Msg::from_slice(b"y"), 0).unwrap();
        assert_eq!(pull2.recv(0).unwrap().data(), b"y");
        assert!(d.io.serves_others());
        drop(push2);
        // Closed, its engine leaves the I/O thread.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while d.io.serves_others() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(!d.io.serves_others());
    }
}
