//! An engine drives one ZMTP connection: it shovels bytes between a
//! non-blocking stream and its sans-IO protocol (`zmtp::protocol`: the ZMTP
//! session, or raw bytes for STREAM), and frames between
//! the session and the socket's pipes. Its I/O thread owns its life; an
//! application thread may drive it for a moment, under its lock, through
//! the link behind its pipes (see `link::engine`).

use super::mailbox::EnginePipes;
use super::mailbox::IoMailbox;
use super::zap::{Reply, ZapCall};
use crate::link::engine::{Drive, EngineLink, DIRECT_SEND_GAP};
use crate::link::events as monitor;
use crate::link::{ConnOptions, PipeEnd, SocketCommand, SocketCore};
use crate::msg::Msg;
use crate::pipe::Wake;
use crate::pipe::Waker;
use crate::properties::{Properties, Source};
use crate::transport::stream::{Stream, Whole};
use crate::zmtp::input::OWN_BUFFER;
use crate::zmtp::liveness::{Heartbeat, LivenessConfig};
use crate::zmtp::protocol::Protocol;
use crate::zmtp::session::ZERO_COPY_MIN;
use crate::zmtp::{zap, Event, ProtocolError, SessionConfig};
use crate::SocketType;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// How much encoded output to batch before writing.
const BATCH: usize = 64 * 1024;
/// Bytes one pump moves (read plus written) before it lets the other
/// connections of its I/O thread run. Without a bound, a sender on the same
/// thread as its receiver fills both socket buffers before the receiver
/// reads a byte: the data goes cold in the cache and the connection stalls
/// on a closed TCP window; taking turns keeps the buffers short. A
/// connection carrying large frames moves `LARGE_PER_TURN` of them per turn:
/// cutting one in pieces costs more in the TCP stack than it saves, while
/// more (16 measured) fill the receiver's window to zero again.
const PUMP_BUDGET: usize = 256 * 1024;
const LARGE_PER_TURN: usize = 2;

/// Why an engine stopped.
#[derive(Debug)]
pub enum Closed {
    /// The peer closed the connection (EPIPE, as libzmq says) or the
    /// stream failed with this errno.
    Io(i32),
    /// The peer broke the protocol.
    Protocol(ProtocolError),
    /// The socket is gone and everything it queued was sent.
    Done,
    /// The handshake took too long, or the peer fell silent.
    Timeout,
    /// The engine panicked (a bug of ours): this connection ends, with its
    /// monitor events, and its I/O thread serves the others on.
    Fault,
}

/// Runs one step of an engine; a panic in it becomes `Closed::Fault`.
fn unwind_guard<T>(step: impl FnOnce() -> Result<T, Closed>) -> Result<T, Closed> {
    // Unwind safety: after a panic the engine is only shut down (pipes
    // closed, link cleared, events reported), never pumped again.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).unwrap_or(Err(Closed::Fault))
}

/// The session's clocks as the connection's options set them: the
/// handshake deadline, and heartbeats (a timeout of -1 is the interval, as
/// libzmq; the TTL travels in deciseconds).
fn liveness(opts: &ConnOptions) -> LivenessConfig {
    let heartbeat = millis(opts.heartbeat_ivl).map(|interval| Heartbeat {
        interval,
        timeout: match opts.heartbeat_timeout {
            t if t >= 0 => Duration::from_millis(t as u64),
            _ => interval,
        },
        ttl: (opts.heartbeat_ttl / 100).clamp(0, u16::MAX as i32) as u16,
    });
    LivenessConfig {
        handshake: millis(opts.handshake_ivl),
        heartbeat,
    }
}

/// A positive number of milliseconds as a duration (0 or less: none).
fn millis(ms: i32) -> Option<Duration> {
    (ms > 0).then(|| Duration::from_millis(ms as u64))
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
    fn drives(&self) -> bool {
        true
    }

    fn wake(&self) {
        if self.link.direct_allowed() {
            if let Some((engine, ..)) = self.link.get() {
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

impl Drive for Engine {
    fn drive(&mut self, readable: bool) -> bool {
        Engine::drive(self, readable)
    }

    fn try_direct_send(&mut self) -> bool {
        Engine::try_direct_send(self)
    }
}

/// An engine, shared by its I/O thread and the application threads that
/// drive it directly (see `link::engine`).
pub type EngineCell = parking_lot::Mutex<Engine>;

pub struct Engine {
    pub stream: Stream,
    session: Protocol,
    pub socket: Arc<SocketCore>,
    pub opts: ConnOptions,
    /// Pipes to the socket, once the handshake is done (or pre-created).
    pipes: Option<EnginePipes>,
    /// Whether the pipes were pre-created by a connecter (they outlive us).
    owned_pipes: bool,
    /// Whether the socket has already seen these pipes attached.
    reconnected: bool,
    /// Frames of an inbound message not yet complete, delivered all at once.
    pending: Vec<Msg>,
    /// The size of the last frame of `OWN_BUFFER` size sent or received:
    /// a pump may move a few such frames before taking turns.
    last_large: usize,
    /// The tcp receive low-water mark set on the stream (1: the default).
    low_water: usize,
    /// The inbound pipe was full; waiting for the socket to make room.
    blocked_in: bool,
    can_read: bool,
    can_write: bool,
    /// The socket was closed: flush outbound, then stop.
    pub lingering: bool,
    /// Where our pipes' wakers point, once registered.
    token_mailbox: Option<(Arc<super::IoMailbox>, usize)>,
    /// Set by pipe wakers while an activation is queued for us.
    scheduled: Arc<AtomicBool>,
    /// Ourselves, as the I/O thread shares us (for the pipes' link).
    pub me: Weak<EngineCell>,
    /// An application thread driving us hit the end of the connection;
    /// the I/O thread tears it down on its next pump.
    failed: Option<Closed>,
    /// When an application thread last sent through us directly.
    last_direct: Option<Instant>,
    /// An application thread is writing its message through us now.
    writing_directly: bool,
    /// The deadline the I/O thread has a timer for.
    pub timer_at: Option<Instant>,
    /// The last pump used up its budget with work left: pump again soon.
    pub yielded: bool,
    /// The ZAP request the handshake waits on.
    zap: Option<ZapCall>,
    /// The ZAP handler said 300: whatever the peer sends is ignored.
    silenced: bool,
    /// What the ZAP handler said of the peer: its user id and metadata.
    zap_answer: Option<(bytes::Bytes, crate::zmtp::Metadata)>,
    /// The connection's properties, on every frame received once the
    /// handshake is over (zmq_msg_gets).
    properties: Option<Source>,
}

impl Engine {
    /// `pipes` are the connecter's pre-created pipes, if any, and whether a
    /// previous connection already used them (the socket must then resend
    /// its state, e.g. subscriptions).
    pub fn new(
        stream: Stream,
        socket: Arc<SocketCore>,
        opts: ConnOptions,
        pipes: Option<(EnginePipes, bool)>,
    ) -> Engine {
        let session = Protocol::new(
            SessionConfig {
                liveness: liveness(&opts),
                socket_type: opts.socket_type,
                routing_id: opts.routing_id.clone(),
                max_msg_size: opts.max_msg_size,
                security: opts.security.clone(),
            },
            Instant::now(),
        );
        let (pipes, owned_pipes, reconnected) = match pipes {
            Some((p, attached)) => (Some(p), false, attached),
            None => (None, true, false),
        };
        Engine {
            stream,
            session,
            socket,
            opts,
            pipes,
            owned_pipes,
            reconnected,
            pending: Vec::new(),
            last_large: 0,
            low_water: 1,
            blocked_in: false,
            can_read: true,
            can_write: true,
            lingering: false,
            token_mailbox: None,
            scheduled: Arc::new(AtomicBool::new(false)),
            me: Weak::new(),
            failed: None,
            last_direct: None,
            writing_directly: false,
            timer_at: None,
            yielded: false,
            zap: None,
            silenced: false,
            zap_answer: None,
            properties: None,
        }
    }

    /// Registers our wakers on the pipes once we are the engine behind them.
    fn plug(&self, mailbox: &Arc<super::IoMailbox>, token: usize) {
        if let Some(p) = &self.pipes {
            let waker = Waker::new(Arc::new(EngineWaker {
                mailbox: mailbox.clone(),
                token,
                scheduled: self.scheduled.clone(),
                link: p.link.clone(),
            }));
            p.outbound.set_reader(waker.clone());
            p.inbound.set_writer(waker);
            if let Some(me) = self.me.upgrade() {
                p.link.set(me, self.stream.as_raw_fd(), mailbox.clone());
            }
        }
    }

    /// Called when the stream is registered under `token`.
    pub fn start(&mut self, mailbox: &Arc<super::IoMailbox>, token: usize) {
        self.token_mailbox = Some((mailbox.clone(), token));
    }

    /// Runs until no more progress is possible without new readiness.
    /// Returns the bytes read and written.
    pub fn pump(&mut self, readable: bool, writable: bool) -> Result<usize, Closed> {
        if let Some(why) = self.failed.take() {
            return Err(why);
        }
        unwind_guard(|| self.pump_unguarded(readable, writable))
    }

    fn pump_unguarded(&mut self, readable: bool, writable: bool) -> Result<usize, Closed> {
        // From here on, new pipe activity must schedule us again.
        self.scheduled.store(false, Ordering::Release);
        self.can_read |= readable;
        self.can_write |= writable;
        self.yielded = false;
        let mut moved = 0;
        loop {
            let mut progress = false;
            if self.blocked_in {
                progress |= self.retry_pending();
            }
            if !self.blocked_in {
                progress |= self.decode()?;
                // Publish the whole decoded batch with one wake-up.
                if let Some(p) = &self.pipes {
                    p.inbound.flush();
                }
                if !self.blocked_in && self.can_read {
                    let n = self.read()?;
                    moved += n;
                    progress |= n > 0;
                }
            }
            progress |= self.fill_output();
            if self.can_write && self.session.pending_output() > 0 {
                let n = self.write()?;
                moved += n;
                progress |= n > 0;
            }
            if !progress {
                break;
            }
            if moved >= PUMP_BUDGET.max(LARGE_PER_TURN * self.last_large) {
                // Decode what was read, so no whole message waits for the
                // next turn; reading and writing more can.
                if !self.blocked_in {
                    self.decode()?;
                    if let Some(p) = &self.pipes {
                        p.inbound.flush();
                    }
                }
                self.yielded = true;
                break;
            }
        }
        if self.lingering && self.flushed() {
            return Err(Closed::Done);
        }
        // A STREAM socket closed this connection (an empty body), and all
        // it sent before is out.
        if self.session.close_requested() && self.session.pending_output() == 0 {
            return Err(Closed::Done);
        }
        Ok(moved)
    }

    /// True when nothing is left to send.
    pub fn flushed(&mut self) -> bool {
        let pipe_empty = self
            .pipes
            .as_ref()
            .is_none_or(|p| !p.outbound.has_message());
        pipe_empty && self.session.pending_output() == 0
    }

    /// Reads from the stream into the space the session gives (its input
    /// buffer, or a large frame's own buffer). Returns the bytes read (0:
    /// nothing more for now).
    fn read(&mut self) -> Result<usize, Closed> {
        let (ptr, len) = match self.session.read_buffer() {
            Ok(space) => (space.as_mut_ptr().cast::<u8>(), space.len()),
            // A frame the system has no memory for (a hostile size, say)
            // closes the connection, as libzmq's ENOMEM does.
            Err(ProtocolError::OutOfMemory) => return Err(Closed::Io(libc::ENOMEM)),
            Err(e) => return Err(Closed::Protocol(e)),
        };
        // (Unix sockets wake readers whatever the mark: ipc reads as before.)
        if let Stream::Tcp(tcp) = &self.stream {
            let large = self.session.reading_large() && len >= LOW_WATER_FROM;
            let want = if large { len.min(LOW_WATER_MAX) } else { 1 };
            if want != self.low_water && set_low_water(tcp, want) {
                self.low_water = want;
            }
        }
        let n = read_fd(&self.stream, ptr, len, &mut self.can_read)?;
        // SAFETY: the kernel wrote exactly `n` bytes into that space.
        unsafe { self.session.commit_read(n) };
        if n > 0 {
            self.session.input_at(Instant::now());
            if let Some(size) = self.session.take_large_received() {
                self.last_large = size;
            }
        }
        Ok(n)
    }

    /// Writes pending output; returns the bytes written (0: try later).
    fn write(&mut self) -> Result<usize, Closed> {
        // A message written by the thread that waits for its answer goes
        // out whole (see `Whole`).
        let written = if self.writing_directly {
            self.session.write_to(&mut Whole(&mut self.stream))
        } else {
            self.session.write_to(&mut self.stream)
        };
        match written {
            Ok(0) => Err(Closed::Io(libc::EPIPE)),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.can_write = false;
                Ok(0)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => self.write(),
            Err(e) => Err(Closed::Io(e.raw_os_error().unwrap_or(libc::EPIPE))),
        }
    }

    /// Decodes what the input buffer holds into events.
    fn decode(&mut self) -> Result<bool, Closed> {
        let mut progress = self.poll_zap()?;
        if self.silenced {
            self.session.discard_input();
            return Ok(progress);
        }
        while !self.blocked_in {
            if self.deliver_small() {
                progress = true;
            }
            let event = self.session.poll_input();
            match self.check(event)? {
                None => break,
                Some(Event::Ready) => self.on_ready(),
                Some(Event::Message(msg)) => self.deliver(msg),
                Some(Event::Authenticate(request)) => self.ask_zap(&request)?,
            }
            progress = true;
        }
        Ok(progress)
    }

    /// Passes a session result on; a failure first writes out what the
    /// session queued for the peer (an ERROR naming why it is refused).
    fn check<T>(&mut self, result: Result<T, ProtocolError>) -> Result<T, Closed> {
        result.map_err(|e| {
            if self.session.pending_output() > 0 {
                let _ = self.session.write_to(&mut self.stream);
            }
            Closed::Protocol(e)
        })
    }

    /// Sends the session's ZAP request to the context's handler; with none
    /// bound, the mechanism decides at once.
    fn ask_zap(&mut self, request: &zap::Request) -> Result<(), Closed> {
        let origin = zap::Origin {
            domain: self.opts.zap_domain.clone(),
            address: self.stream.peer_address(),
            identity: self.opts.routing_id.clone(),
        };
        let waker = match &self.token_mailbox {
            Some((mailbox, token)) => Waker::new(Arc::new(EngineWaker {
                mailbox: mailbox.clone(),
                token: *token,
                scheduled: self.scheduled.clone(),
                link: EngineLink::new(),
            })),
            None => Waker::nobody(),
        };
        self.zap = ZapCall::start(&self.opts.zap, request, &origin, waker);
        if self.zap.is_none() {
            self.verdict(zap::Verdict::Unavailable)?;
        }
        Ok(())
    }

    /// Hands the ZAP handler's reply, once in, to the session.
    fn poll_zap(&mut self) -> Result<bool, Closed> {
        let Some(call) = &mut self.zap else {
            return Ok(false);
        };
        let verdict = match call.poll() {
            Reply::Waiting => return Ok(false),
            Reply::HandlerGone => Err(ProtocolError::AuthenticatorGone),
            Reply::Arrived(frames) => zap::parse_reply(&frames).map_err(ProtocolError::BadZapReply),
        };
        self.zap = None;
        match verdict {
            Ok(answer) => {
                self.zap_answer = Some((answer.user_id, answer.metadata));
                self.verdict(answer.verdict)?
            }
            Err(e) => return Err(Closed::Protocol(self.session.fail(e))),
        }
        Ok(true)
    }

    fn verdict(&mut self, verdict: zap::Verdict) -> Result<(), Closed> {
        let event = self.session.authenticated(verdict);
        match self.check(event) {
            // 300 (try later): as libzmq, the peer is told nothing and left
            // waiting until the handshake times out (or it hangs up).
            Err(Closed::Protocol(ProtocolError::Denied { status: 300 })) => {
                let endpoint = &self.opts.endpoint;
                self.socket
                    .emit(monitor::HANDSHAKE_FAILED_AUTH, 300, endpoint);
                self.silenced = true;
                Ok(())
            }
            Ok(Some(Event::Ready)) => {
                self.on_ready();
                Ok(())
            }
            other => other.map(drop),
        }
    }

    /// Hands the socket the run of small single-frame messages at the
    /// head of the input, straight into the pipe while it has room (the
    /// bulk of a stream of small messages, at a fraction of the cost of
    /// an event each). Returns whether any went.
    fn deliver_small(&mut self) -> bool {
        let Some(p) = &self.pipes else {
            return false;
        };
        if !self.pending.is_empty() || self.lingering || p.inbound.is_closed() {
            return false;
        }
        let mut delivered = false;
        while let Some(mut msg) = self.session.next_small_message() {
            #[cfg(test)]
            tests::maybe_panic(&msg);
            if !msg.has_properties() {
                msg.set_properties(self.properties.as_mut().map(Source::take));
            }
            delivered = true;
            if !p.inbound.check_write() {
                // Full: it waits whole, as any message does.
                self.pending.push(msg);
                self.blocked_in = true;
                break;
            }
            p.inbound.write_deferred(msg);
        }
        delivered
    }

    /// Queues one inbound frame; whole messages go to the socket at once.
    fn deliver(&mut self, mut msg: Msg) {
        #[cfg(test)]
        tests::maybe_panic(&msg);
        if !msg.has_properties() {
            msg.set_properties(self.properties.as_mut().map(Source::take));
        }
        let last = !msg.more();
        self.pending.push(msg);
        if last {
            self.retry_pending();
        }
    }

    /// Hands a complete pending message to the socket if there is room.
    fn retry_pending(&mut self) -> bool {
        let Some(p) = &self.pipes else {
            return false;
        };
        if p.inbound.is_closed() || self.lingering {
            self.pending.clear();
            self.blocked_in = false;
            return true;
        }
        if !p.inbound.check_write() {
            self.blocked_in = true;
            return false;
        }
        for m in self.pending.drain(..) {
            p.inbound.write_deferred(m);
        }
        self.blocked_in = false;
        true
    }

    /// Moves queued outbound messages into the session's output buffer.
    fn fill_output(&mut self) -> bool {
        if !self.session.is_ready() {
            return false;
        }
        let Some(p) = &self.pipes else {
            return false;
        };
        let mut progress = false;
        // Each frame is moved from the pipe's slot straight here.
        let mut m = Msg::new();
        while self.session.pending_output() < BATCH && p.outbound.read_into(&mut m, false) {
            // Large bodies go out without a copy, from shared storage
            // (smaller ones are copied into the output batch).
            if m.len() >= ZERO_COPY_MIN {
                m.share();
                if OWN_BUFFER.contains(&(m.len() as u64)) {
                    self.last_large = m.len();
                }
            }
            self.session.send(&m);
            progress = true;
        }
        progress
    }

    /// The handshake finished: attach (or re-attach) the pipes to the socket.
    fn on_ready(&mut self) {
        let Some(peer) = self.session.peer() else {
            return;
        };
        self.socket
            .emit(monitor::HANDSHAKE_SUCCEEDED, 0, &self.opts.endpoint);
        let mut properties = Source::new(self.connection_properties(&peer.properties));
        let routing_id = match &self.opts.peer_routing_id {
            Some(name) => name.clone(),
            None => peer.routing_id.clone().unwrap_or_default(),
        };
        // Small bodies find them in their slab, counted once per slab.
        self.session.set_slab_properties(Some(properties.take()));
        self.properties = Some(properties);
        let (mailbox, token) = self
            .token_mailbox
            .clone()
            .expect("engine started before handshake");
        match &self.pipes {
            Some(p) => {
                self.plug(&mailbox, token);
                self.socket
                    .command(SocketCommand::PeerRoutingId(p.id, routing_id));
                if self.reconnected {
                    self.socket.command(SocketCommand::Hiccup(p.id));
                }
            }
            None => {
                let (to_peer, outbound) = self.opts.outbound_pipe();
                let (inbound, from_peer) = self.opts.inbound_pipe();
                let id = crate::link::next_pipe_id();
                let link = EngineLink::new();
                self.socket.plug(id, &to_peer, &from_peer);
                self.pipes = Some(EnginePipes {
                    id,
                    outbound,
                    inbound,
                    link: link.clone(),
                });
                self.plug(&mailbox, token);
                self.socket.command(SocketCommand::Attach(PipeEnd {
                    id,
                    tx: to_peer,
                    rx: from_peer,
                    routing_id,
                    link,
                    inproc: None,
                }));
            }
        }
        if self.notifies() {
            // ZMQ_STREAM_NOTIFY: the connection, before any data.
            self.deliver(Msg::new());
        }
    }

    /// What zmq_msg_gets finds on our frames, in libzmq's order (the first
    /// of a name wins): the peer's address and our descriptor, then what
    /// the ZAP handler said, then the peer's handshake metadata.
    fn connection_properties(&self, peer: &[(String, bytes::Bytes)]) -> Properties {
        let mut props = Properties::default();
        props.insert("Peer-Address", self.stream.peer_address().as_bytes());
        props.insert("__fd", self.stream.as_raw_fd().to_string().as_bytes());
        if let Some((user_id, metadata)) = &self.zap_answer {
            props.insert("User-Id", user_id);
            for (name, value) in &metadata.0 {
                props.insert(name, value);
            }
        }
        for (name, value) in peer {
            props.insert(name, value);
        }
        props
    }

    /// Called by an application thread that just queued a message while we
    /// were idle: writes it out now, from that thread, unless messages come
    /// so fast that batching them on the I/O thread is worth more (then, or
    /// if the write cannot finish, returns false and the I/O thread is woken).
    pub fn try_direct_send(&mut self) -> bool {
        if !self.session.is_ready() || self.lingering || self.failed.is_some() {
            return false;
        }
        let now = Instant::now();
        if self
            .last_direct
            .is_some_and(|t| now.duration_since(t) < DIRECT_SEND_GAP)
        {
            self.last_direct = Some(now);
            return false;
        }
        self.last_direct = Some(now);
        self.can_write = true;
        // Read first, as the I/O thread would: a connection the peer has
        // closed is noticed before the message is written into it.
        self.writing_directly = true;
        let fine = self.drive(true);
        self.writing_directly = false;
        if !fine {
            return false;
        }
        self.pipes.is_some() && self.flushed()
    }

    /// Pumps from an application thread. A failure is kept for the I/O
    /// thread, which is woken to tear the connection down; returns whether
    /// the engine is still fine.
    pub fn drive(&mut self, readable: bool) -> bool {
        if self.failed.is_some() {
            return false;
        }
        match self.pump(readable, false) {
            Ok(_) => {
                if self.yielded {
                    // The rest is the I/O thread's.
                    if let Some((mailbox, token)) = &self.token_mailbox {
                        mailbox.activate(*token);
                    }
                }
                true
            }
            Err(why) => {
                self.failed = Some(why);
                if let Some((mailbox, token)) = &self.token_mailbox {
                    mailbox.activate(*token);
                }
                false
            }
        }
    }

    /// The next moment `on_timer` has something to do.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.session.poll_timeout()
    }

    /// Handshake timeout and heartbeats (the session's clocks): a silent
    /// peer is dropped, a live one is pinged every ZMQ_HEARTBEAT_IVL.
    pub fn on_timer(&mut self, now: Instant) -> Result<(), Closed> {
        unwind_guard(|| {
            self.session
                .handle_timeout(now)
                .map_err(|_| Closed::Timeout)
        })?;
        if self.session.pending_output() > 0 {
            self.pump(false, true)?;
        }
        Ok(())
    }

    /// Tells the socket's monitor how the connection ended.
    pub fn report_closed(&self, why: &Closed) {
        let endpoint = &self.opts.endpoint;
        let sealed_failure = matches!(why, Closed::Protocol(e) if e.reported_after_handshake());
        if !self.session.is_ready() || sealed_failure {
            let failure = match why {
                Closed::Protocol(e) => monitor::handshake_failure(e),
                Closed::Io(errno) => Some((monitor::HANDSHAKE_FAILED_NO_DETAIL, *errno as u32)),
                _ => Some((monitor::HANDSHAKE_FAILED_NO_DETAIL, 0)),
            };
            if let Some((event, value)) = failure {
                self.socket.emit(event, value, endpoint);
            }
        }
        let fd = self.stream.as_raw_fd() as u32;
        self.socket.emit(monitor::DISCONNECTED, fd, endpoint);
    }

    /// Our STREAM socket closed this connection (an empty body).
    pub fn close_requested(&self) -> bool {
        self.session.close_requested()
    }

    /// A STREAM connection that tells its socket when it comes and goes.
    fn notifies(&self) -> bool {
        self.opts.socket_type == SocketType::Stream && self.opts.stream_notify
    }

    /// Tears down our side: pipes we created die with us; pre-created ones
    /// stay with the connecter for the next connection.
    pub fn shutdown(&mut self) -> Option<EnginePipes> {
        self.pending.clear();
        self.zap = None;
        let p = self.pipes.take()?;
        p.link.clear();
        // Whole messages already decoded still reach the socket.
        p.inbound.flush();
        if self.notifies() && !self.session.close_requested() {
            // ZMQ_STREAM_NOTIFY: the disconnection, after the data (not
            // when our own application closed it).
            p.inbound.write(Msg::new());
        }
        if self.owned_pipes {
            p.inbound.close();
            p.outbound.close();
            self.socket.command(SocketCommand::Detach(p.id));
            None
        } else {
            p.outbound.set_reader(Waker::nobody());
            p.inbound.set_writer(Waker::nobody());
            Some(p)
        }
    }
}

/// A large body is awaited with the tcp receive low-water mark raised to
/// what it still lacks, up to this much: the kernel then wakes us once per
/// body (or per MiB of it) rather than for every few segments (1 MiB
/// between two processes: 3.9 wake-ups per message instead of 13.7, and
/// 1.13-1.30 times the throughput). The kernel keeps the mark within half
/// the receive buffer, so a small ZMQ_RCVBUF cannot stall a body.
const LOW_WATER_MAX: usize = 1024 * 1024;
/// Bodies lacking less than this are read as they come: raising the mark
/// and lowering it again costs two system calls.
const LOW_WATER_FROM: usize = 128 * 1024;

/// Sets SO_RCVLOWAT; false if the kernel refused (the mark is unchanged).
fn set_low_water(tcp: &mio::net::TcpStream, bytes: usize) -> bool {
    let v = bytes as libc::c_int;
    // SAFETY: an int option on our open socket, passed by pointer and size.
    let rc = unsafe {
        libc::setsockopt(
            tcp.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVLOWAT,
            (&v as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    rc == 0
}

/// One read(2) of at most `len` bytes into `ptr`: the bytes read, or 0 when
/// nothing is there (`can_read` is then cleared); an error when the peer
/// closed the connection or the stream failed.
fn read_fd(
    stream: &Stream,
    ptr: *mut u8,
    len: usize,
    can_read: &mut bool,
) -> Result<usize, Closed> {
    loop {
        // SAFETY: callers pass `len` writable bytes at `ptr` (a buffer's
        // spare capacity or unfilled part); the kernel writes at most that
        // many through the raw pointer, and the fd is our open stream.
        let n = unsafe { libc::read(stream.as_raw_fd(), ptr.cast(), len) };
        match n {
            0 => return Err(Closed::Io(libc::EPIPE)),
            n if n > 0 => return Ok(n as usize),
            _ => {
                let e = io::Error::last_os_error();
                match e.kind() {
                    io::ErrorKind::WouldBlock => {
                        *can_read = false;
                        return Ok(0);
                    }
                    io::ErrorKind::Interrupted => {}
                    _ => return Err(Closed::Io(e.raw_os_error().unwrap_or(libc::EPIPE))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socket::monitor::next_event;
    use crate::socket::options;
    use crate::{Context, SocketType};

    /// A message with this body makes the engine that receives it panic
    /// (test builds only): a stand-in for a bug of ours.
    const PANIC_BODY: &[u8] = b"\xffpanic in the engine, please";

    pub(super) fn maybe_panic(msg: &Msg) {
        if msg.data() == PANIC_BODY {
            panic!("a panic injected by the test");
        }
    }

    #[test]
    fn a_panicking_engine_ends_its_connection_not_its_io_thread() {
        let ctx = Context::new();
        let pull = ctx.socket(SocketType::Pull).unwrap();
        pull.set_option(options::RCVTIMEO, &5000i32.to_ne_bytes())
            .unwrap();
        let wanted = monitor::HANDSHAKE_SUCCEEDED | monitor::DISCONNECTED;
        pull.monitor(Some("inproc://engine-panic"), wanted as u32)
            .unwrap();
        let events = ctx.socket(SocketType::Pair).unwrap();
        events
            .set_option(options::RCVTIMEO, &5000i32.to_ne_bytes())
            .unwrap();
        events.connect("inproc://engine-panic").unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let mut buf = [0u8; 64];
        let n = pull.get_option(options::LAST_ENDPOINT, &mut buf).unwrap();
        let endpoint = std::str::from_utf8(&buf[..n - 1]).unwrap().to_string();
        let push = ctx.socket(SocketType::Push).unwrap();
        push.connect(&endpoint).unwrap();
        push.send(&mut Msg::from_slice(b"before"), 0).unwrap();
        assert_eq!(pull.recv(0).unwrap().data(), b"before");
        assert_eq!(next_event(&events), monitor::HANDSHAKE_SUCCEEDED);

        push.send(&mut Msg::from_slice(PANIC_BODY), 0).unwrap();
        // The connection is closed and reported...
        assert_eq!(next_event(&events), monitor::DISCONNECTED);
        // ...the peer reconnects, and the same I/O thread serves it.
        assert_eq!(next_event(&events), monitor::HANDSHAKE_SUCCEEDED);
        push.send(&mut Msg::from_slice(b"after"), 0).unwrap();
        assert_eq!(pull.recv(0).unwrap().data(), b"after");
        for s in [push, pull, events] {
            s.set_option(options::LINGER, &0i32.to_ne_bytes()).unwrap();
            drop(s);
        }
        ctx.terminate();
    }
}
