//! One ZMTP 3.x connection as a sans-IO state machine: greeting, security
//! handshake (NULL, PLAIN or CURVE, with ZAP verdicts the driver fetches),
//! then traffic (sealed frame by frame under CURVE). The driver owns the
//! socket; the session says where each read lands, decodes, encodes, keeps
//! the output and the connection's clocks (time passed in), and never
//! blocks, reads a clock or touches a file descriptor. After the first
//! error every call fails alike.

use bytes::{Buf, Bytes, BytesMut};
use std::io::{self, Write};
use std::mem::MaybeUninit;
use std::time::Instant;

use super::command::{self, Command, IDENTITY};
use super::frame::{self, Frame, Header, MORE};
use super::greeting::{self, Greeting, GREETING_LEN, SIGNATURE_LEN};
use super::input::{Input, OWN_BUFFER};
use super::liveness::{Due, Expired, Liveness, LivenessConfig};
use super::mechanism::{Mechanism, Seal, Security, Step, SEALED_COMMAND, SEALED_MORE};
use super::output::Output;
use super::zap;
use super::ProtocolError;
use crate::properties::PropertiesRef;
use crate::slab::SlabWriter;
use crate::{Msg, SocketType};

/// Largest command accepted before the handshake ends. Independent of
/// ZMQ_MAXMSGSIZE so a small limit cannot break the handshake (libzmq issue
/// 4436), and small so an unauthenticated peer cannot make us buffer much.
pub const HANDSHAKE_COMMAND_MAX: u64 = 64 * 1024;

/// Floor for the size of commands after the handshake, so PING and ERROR
/// still pass when ZMQ_MAXMSGSIZE is tiny.
pub const TRAFFIC_COMMAND_MIN: u64 = 512;

/// Received bodies up to this size are copied out of the input buffer;
/// larger ones are split off it without a copy.
const COPY_MAX: usize = crate::block::MAX;

/// Bodies from this size on are written from their own buffer instead of
/// being copied into the output buffer (drivers share them first, see
/// `Msg::share`, or `send` copies them).
pub const ZERO_COPY_MIN: usize = 16 * 1024;

/// What the socket layer tells a new connection.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Our socket type.
    pub socket_type: SocketType,
    /// Our ZMQ_ROUTING_ID, may be empty.
    pub routing_id: Bytes,
    /// ZMQ_MAXMSGSIZE, -1 = unlimited.
    pub max_msg_size: i64,
    /// The mechanism and our role in it.
    pub security: Security,
    /// The handshake deadline and heartbeats.
    pub liveness: LivenessConfig,
}

/// What the handshake taught us about the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    pub socket_type: SocketType,
    /// READY's Identity property, if present and non-empty.
    pub routing_id: Option<Bytes>,
    /// The peer's ZMTP minor version as its greeting sent it (0 for 3.0,
    /// 1 for 3.1; a 4.x peer would count as 3.1 or later whatever this is).
    pub minor: u8,
    /// Every READY property, names as the peer spelled them.
    pub properties: Vec<(String, Bytes)>,
}

/// What `poll_input` hands the socket layer.
#[derive(Debug)]
pub enum Event {
    /// The handshake finished; `peer()` is now `Some`.
    Ready,
    /// One data frame, MORE flag preserved.
    Message(Msg),
    /// The handshake waits for the ZAP handler's verdict on the peer:
    /// the driver asks it and calls `Session::authenticated`.
    Authenticate(zap::Request),
}

/// Events are equal when they carry the same frame (body and flags).
impl PartialEq for Event {
    fn eq(&self, other: &Event) -> bool {
        match (self, other) {
            (Event::Ready, Event::Ready) => true,
            (Event::Authenticate(a), Event::Authenticate(b)) => a == b,
            (Event::Message(a), Event::Message(b)) => {
                a.flags() == b.flags() && a.data() == b.data()
            }
            _ => false,
        }
    }
}

impl Eq for Event {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Greeting,
    Handshake,
    Traffic,
}

/// A ZMTP connection's protocol state.
///
/// Methods, in the sans-IO style: `new` queues our greeting; `poll_input`
/// handles bytes from the wire and returns at most one event; `send` encodes
/// what the application sends; `output` is what the driver must write.
#[derive(Debug)]
pub struct Session {
    cfg: SessionConfig,
    state: State,
    mechanism: Mechanism,
    peer_greeting: Option<Greeting>,
    /// Our greeting, and how much of it is in the output.
    greeting: [u8; GREETING_LEN],
    greeting_sent: usize,
    /// How much of the peer's greeting we had when we sent our major.
    peer_bytes_at_major: usize,
    peer: Option<PeerInfo>,
    out: Output,
    /// The last frame we encoded had MORE: the next one continues a message.
    sending_multipart: bool,
    /// The handshake deadline and heartbeats.
    liveness: Liveness,
    /// Bytes from the wire not decoded yet, and a large frame's body.
    input: Input,
    /// Seals and opens every frame after the handshake, for a mechanism
    /// that protects traffic.
    seal: Option<Box<dyn Seal>>,
    /// A large frame received whole, not handed out yet.
    completed: Option<Msg>,
    /// The size of a large frame begun since the driver last asked.
    large_received: Option<usize>,
    failed: Option<ProtocolError>,
    /// Where small received bodies are copied, side by side.
    slabs: SlabWriter,
    /// The last frame a seal opened (reused for the next).
    opened: BytesMut,
}

impl Session {
    /// A session whose greeting's signature is already in `output()`. As
    /// libzmq, the major version follows once the peer's signature is in,
    /// and the rest once its major version is: a libzmq peer then sends
    /// its whole greeting before it reads our mechanism, so when it gives
    /// up on that we still learn and report the mismatch.
    pub fn new(cfg: SessionConfig) -> Session {
        let mechanism = Mechanism::new(&cfg.security, cfg.socket_type, cfg.routing_id.clone());
        let mut out = Output::with_capacity(256);
        let greeting = Greeting::ours(mechanism.name(), mechanism.as_server()).encode();
        out.extend_from_slice(&greeting[..SIGNATURE_LEN]);
        Session {
            greeting,
            greeting_sent: SIGNATURE_LEN,
            peer_bytes_at_major: 0,
            mechanism,
            state: State::Greeting,
            peer_greeting: None,
            peer: None,
            liveness: Liveness::new(cfg.liveness.clone()),
            cfg,
            out,
            sending_multipart: false,
            input: Input::default(),
            seal: None,
            completed: None,
            large_received: None,
            failed: None,
            slabs: SlabWriter::default(),
            opened: BytesMut::new(),
        }
    }

    /// Whether the handshake is over and `send` may be called.
    pub fn is_ready(&self) -> bool {
        self.state == State::Traffic
    }

    /// The peer, once the handshake is over.
    pub fn peer(&self) -> Option<&PeerInfo> {
        self.peer.as_ref()
    }

    /// All bytes waiting to be written, as one buffer (queued large bodies
    /// are copied into it); the caller advances past what it wrote. Drivers
    /// that care about copies use `write_to` instead.
    pub fn output(&mut self) -> &mut BytesMut {
        self.out.flatten()
    }

    /// How many bytes wait to be written.
    pub fn pending_output(&self) -> usize {
        self.out.pending()
    }

    /// Writes pending output with one vectored write; returns the bytes
    /// written (`Ok(0)` only when nothing was pending).
    pub fn write_to(&mut self, w: &mut impl Write) -> io::Result<usize> {
        self.out.write_to(w)
    }

    /// Where the driver's next read from the wire lands (at least one
    /// byte of room): the input buffer, or the buffer of the large data
    /// frame that has begun to arrive. Fails if that frame breaks the size
    /// limit, or is one the system has no memory for.
    pub fn read_buffer(&mut self) -> Result<&mut [MaybeUninit<u8>], ProtocolError> {
        let mut missing = None;
        // (One large frame at a time: the next waits in the input buffer
        // until the last one is handed out.)
        let large_possible = !self.input.in_large() && self.completed.is_none();
        if large_possible && self.state == State::Traffic {
            if let Some((size, more)) = self.guarded(|s| s.large_header())? {
                self.input
                    .start_large(size as usize, more)
                    .map_err(|_| self.fail(ProtocolError::OutOfMemory))?;
                self.large_received = Some(size as usize);
            } else if let Ok(Some(h)) = Header::peek(&self.input.buf) {
                missing = Some((h.len as u64 + h.size).saturating_sub(self.input.buf.len() as u64));
            }
        }
        Ok(self.input.space(missing))
    }

    /// Whether reads land in a large frame's own buffer.
    pub fn reading_large(&self) -> bool {
        self.input.in_large()
    }

    /// The driver's read put `n` bytes into the space `read_buffer` gave.
    ///
    /// # Safety
    /// Those `n` bytes were written (by the kernel or by a copy).
    pub unsafe fn commit_read(&mut self, n: usize) {
        // SAFETY: as the caller promises.
        if let Some((body, more)) = unsafe { self.input.filled(n) } {
            let mut msg = Msg::from_buf(body);
            msg.set_more(more);
            self.completed = Some(msg);
        }
    }

    /// Takes bytes the driver already has (a test, or a transport that
    /// hands over buffers), as reads into `read_buffer` would.
    pub fn receive(&mut self, mut bytes: &[u8]) -> Result<(), ProtocolError> {
        while !bytes.is_empty() {
            let space = self.read_buffer()?;
            let n = space.len().min(bytes.len());
            for (dst, &src) in space[..n].iter_mut().zip(bytes) {
                dst.write(src);
            }
            // SAFETY: the loop above wrote those `n` bytes.
            unsafe { self.commit_read(n) };
            bytes = &bytes[n..];
        }
        Ok(())
    }

    /// Bytes received and not decoded yet (a large frame's body aside).
    pub fn pending_input(&self) -> usize {
        self.input.buf.len()
    }

    /// Drops what was received and not decoded (a peer we no longer
    /// listen to).
    pub fn discard_input(&mut self) {
        self.input.buf.clear();
    }

    /// Ties the small bodies received from now on to the connection's
    /// properties, held by their slabs (see `slab`).
    pub fn set_slab_properties(&mut self, properties: Option<PropertiesRef>) {
        self.slabs.set_properties(properties);
    }

    /// The size of the large frame (see `OWN_BUFFER`) begun since the
    /// last call, if one was.
    pub fn take_large_received(&mut self) -> Option<usize> {
        self.large_received.take()
    }

    /// Decodes at most one event from what was received; `Ok(None)` means
    /// more bytes are needed. Greeting, handshake commands and PING replies
    /// are handled here, writing to `output()`. Large frame bodies are
    /// handed out without copying.
    pub fn poll_input(&mut self) -> Result<Option<Event>, ProtocolError> {
        if let Some(msg) = self.completed.take() {
            return Ok(Some(Event::Message(msg)));
        }
        let mut input = std::mem::take(&mut self.input.buf);
        let event = self.guarded(|s| s.process(&mut input));
        self.input.buf = input;
        event
    }

    /// The next message if it is a small single-frame data message, whole
    /// in the input buffer, in plain traffic: the common case, taken
    /// without the event machinery of `poll_input`. Anything else (a
    /// command, a frame of a multipart message, a large or incomplete
    /// frame, a sealed stream, a failed session) is left for `poll_input`.
    pub fn next_small_message(&mut self) -> Option<Msg> {
        if self.state != State::Traffic
            || self.seal.is_some()
            || self.completed.is_some()
            || self.failed.is_some()
        {
            return None;
        }
        let limit = self.max_msg_size();
        take_small(&mut self.input.buf, limit, false, &mut self.slabs)
            .ok()
            .flatten()
    }

    /// Runs `f` unless the session already failed; a failure sticks.
    fn guarded<T>(
        &mut self,
        f: impl FnOnce(&mut Session) -> Result<T, ProtocolError>,
    ) -> Result<T, ProtocolError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let result = f(self);
        if let Err(err) = &result {
            self.failed = Some(err.clone());
        }
        result
    }

    fn process(&mut self, input: &mut BytesMut) -> Result<Option<Event>, ProtocolError> {
        loop {
            match self.state {
                State::Greeting => {
                    greeting::check_prefix(input)?;
                    self.send_greeting(input.len());
                    let Some(bytes) = input.get(..GREETING_LEN) else {
                        return Ok(None);
                    };
                    let peer = Greeting::decode(bytes.try_into().expect("64 bytes"))?;
                    if peer.mechanism != self.mechanism.name() {
                        return Err(ProtocolError::MechanismMismatch {
                            peer: peer.mechanism,
                        });
                    }
                    input.advance(GREETING_LEN);
                    self.peer_greeting = Some(peer);
                    self.state = State::Handshake;
                    let step = self.mechanism.start(&mut self.out)?;
                    if let Some(event) = self.step(step) {
                        return Ok(Some(event));
                    }
                }
                State::Handshake => {
                    let Some(frame) = self.next_frame(input)? else {
                        return Ok(None);
                    };
                    let step = self.mechanism.handle(frame.body, &mut self.out)?;
                    if let Some(event) = self.step(step) {
                        return Ok(Some(event));
                    }
                }
                State::Traffic if self.seal.is_some() => {
                    // Only sealed frames, each a MESSAGE command (libzmq
                    // sends it in a data frame; either kind will do).
                    let Some(frame) = self.next_frame(input)? else {
                        return Ok(None);
                    };
                    if let Some(event) = self.open(frame.body)? {
                        return Ok(Some(event));
                    }
                }
                State::Traffic => {
                    if let Some(msg) = self.small_message(input)? {
                        return Ok(Some(Event::Message(msg)));
                    }
                    let Some(frame) = self.next_frame(input)? else {
                        return Ok(None);
                    };
                    if !frame.is_command() {
                        let more = frame.more();
                        let mut msg = Msg::from_bytes(frame.body);
                        msg.set_more(more);
                        return Ok(Some(Event::Message(msg)));
                    }
                    if let Some(event) = self.handle_command(Command::parse(frame.body)?)? {
                        return Ok(Some(event));
                    }
                }
            }
        }
    }

    /// Sends as much more of our greeting as the peer's has earned, given
    /// `received` bytes of it: our major version once its signature is in;
    /// the rest once its greeting is whole, or once its major version is in
    /// and more bytes came after we sent ours. Had its signature and major
    /// version come in one read, our major and rest would reach a libzmq
    /// peer together, and it would give up on a mechanism mismatch before
    /// sending its own rest; waiting for the bytes our major version makes
    /// it send avoids that.
    fn send_greeting(&mut self, received: usize) {
        if self.greeting_sent == SIGNATURE_LEN && received >= SIGNATURE_LEN {
            self.out
                .extend_from_slice(&self.greeting[SIGNATURE_LEN..][..1]);
            self.greeting_sent += 1;
            self.peer_bytes_at_major = received;
        }
        let earned = received >= GREETING_LEN
            || (received > SIGNATURE_LEN && received > self.peer_bytes_at_major);
        if self.greeting_sent == SIGNATURE_LEN + 1 && earned {
            self.out
                .extend_from_slice(&self.greeting[SIGNATURE_LEN + 1..]);
            self.greeting_sent = GREETING_LEN;
        }
    }

    /// Acts on a mechanism's step: the event it gives the driver, if any.
    fn step(&mut self, step: Step) -> Option<Event> {
        match step {
            Step::Continue => None,
            Step::Authenticate(request) => Some(Event::Authenticate(request)),
            Step::Done(done) => {
                let minor = self.peer_greeting.map_or(0, |g| g.minor);
                let routing_id = done.metadata.get(IDENTITY).filter(|id| !id.is_empty());
                self.peer = Some(PeerInfo {
                    socket_type: done.socket_type,
                    routing_id: routing_id.cloned(),
                    minor,
                    properties: done.metadata.0,
                });
                self.state = State::Traffic;
                self.seal = self.mechanism.take_seal();
                self.liveness.ready();
                Some(Event::Ready)
            }
        }
    }

    /// The ZAP handler's answer to `Event::Authenticate`; returns `Ready`
    /// if that ends the handshake. A refusal queues the ERROR for the peer
    /// (write it out before closing) and fails the session.
    pub fn authenticated(&mut self, verdict: zap::Verdict) -> Result<Option<Event>, ProtocolError> {
        self.guarded(|s| {
            let step = s.mechanism.verdict(verdict, &mut s.out)?;
            Ok(s.step(step))
        })
    }

    /// Fails the session for a reason found outside it (the ZAP handler
    /// answered nonsense or went away); returns the error.
    pub fn fail(&mut self, err: ProtocolError) -> ProtocolError {
        self.failed = Some(err.clone());
        err
    }

    /// If the input starts with a data frame of `OWN_BUFFER` size whose
    /// body has begun but not all arrived, takes its header (checked as
    /// decoding would) and returns the body size and whether MORE is set.
    fn large_header(&mut self) -> Result<Option<(u64, bool)>, ProtocolError> {
        if self.seal.is_some() {
            return Ok(None); // data frames are refused, in `process`
        }
        let input = &mut self.input.buf;
        let header = match Header::peek(input)? {
            Some(h) if !h.is_command() && OWN_BUFFER.contains(&h.size) => h,
            _ => return Ok(None),
        };
        header.check_size(u64::try_from(self.cfg.max_msg_size).unwrap_or(u64::MAX))?;
        if ((input.len() - header.len) as u64) >= header.size {
            return Ok(None);
        }
        input.advance(header.len);
        Ok(Some((header.size, header.flags & MORE != 0)))
    }

    /// A small data frame (see `take_small`); anything else (commands,
    /// big or oversized frames) is left to `next_frame`.
    fn small_message(&mut self, input: &mut BytesMut) -> Result<Option<Msg>, ProtocolError> {
        take_small(input, self.max_msg_size(), true, &mut self.slabs)
    }

    /// The next complete frame, with the size limit and frame kind of the
    /// current state checked as soon as its header is in.
    fn next_frame(&self, input: &mut BytesMut) -> Result<Option<Frame>, ProtocolError> {
        let Some(header) = Header::peek(input)? else {
            return Ok(None);
        };
        let limit = match (self.state, header.is_command()) {
            // A sealed frame may be a MESSAGE as large as the limit allows
            // the frame inside it.
            (State::Traffic, _) if self.seal.is_some() => {
                let overhead = self.seal.as_ref().map_or(0, |s| s.overhead());
                self.max_msg_size()
                    .max(TRAFFIC_COMMAND_MIN)
                    .saturating_add(overhead as u64)
            }
            (State::Traffic, false) => self.max_msg_size(),
            (State::Traffic, true) => self.max_msg_size().max(TRAFFIC_COMMAND_MIN),
            (_, true) => HANDSHAKE_COMMAND_MAX,
            (_, false) => return Err(ProtocolError::UnexpectedMessage),
        };
        header.check_size(limit)?;
        Ok(frame::take(input, &header))
    }

    fn max_msg_size(&self) -> u64 {
        u64::try_from(self.cfg.max_msg_size).unwrap_or(u64::MAX)
    }

    /// Opens a sealed frame (a MESSAGE command's body): a message frame,
    /// or a command handled as any other.
    fn open(&mut self, body: Bytes) -> Result<Option<Event>, ProtocolError> {
        let data = match command::name_and_data(&body) {
            Some((command::MESSAGE, data)) => data,
            _ => return Err(ProtocolError::UnexpectedCommand("not MESSAGE".into())),
        };
        let seal = self.seal.as_mut().expect("open is only called when sealed");
        let flags = seal.open_into(data, &mut self.opened)?;
        if flags & SEALED_COMMAND != 0 {
            let command = Command::parse(self.opened.split().freeze())?;
            return self.handle_command(command);
        }
        let size = self.opened.len();
        if size as u64 > self.max_msg_size() {
            return Err(ProtocolError::MessageTooLarge {
                size: size as u64,
                max: self.max_msg_size(),
            });
        }
        // Small bodies are copied out and the buffer kept for the next
        // frame; large ones leave in it, without a copy.
        let mut msg = if size <= COPY_MAX {
            Msg::received(&self.opened, &mut self.slabs)
        } else {
            Msg::from_bytes(self.opened.split().freeze())
        };
        msg.set_more(flags & SEALED_MORE != 0);
        Ok(Some(Event::Message(msg)))
    }

    /// Installs the traffic seal directly (tests of the sealed path, before
    /// a mechanism provides one).
    #[cfg(test)]
    pub fn set_seal(&mut self, seal: Box<dyn Seal>) {
        self.seal = Some(seal);
    }

    /// A command after the handshake: answer PINGs, surface subscriptions to
    /// a publisher in their 3.0 message form, ignore what we do not know.
    fn handle_command(&mut self, cmd: Command) -> Result<Option<Event>, ProtocolError> {
        let publisher = matches!(self.cfg.socket_type, SocketType::Pub | SocketType::XPub);
        match cmd {
            Command::Ping { ttl, context } => {
                self.liveness.peer_ping(ttl);
                self.emit_command(&Command::Pong { context });
                Ok(None)
            }
            Command::Subscribe(topic) if publisher => Ok(Some(subscription_message(1, &topic))),
            Command::Cancel(topic) if publisher => Ok(Some(subscription_message(0, &topic))),
            Command::Error { reason } => Err(ProtocolError::PeerError {
                reason: String::from_utf8_lossy(&reason).into(),
            }),
            _ => Ok(None),
        }
    }

    /// The connection starts at `now`: the handshake deadline runs from
    /// here. (Without it, the session keeps no time.)
    pub fn start(&mut self, now: Instant) {
        self.liveness.start(now);
    }

    /// Bytes from the peer arrived at `now` (they show it alive).
    pub fn input_at(&mut self, now: Instant) {
        self.liveness.input(now);
    }

    /// When `handle_timeout` next has something to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.liveness.poll_timeout()
    }

    /// Handles the deadlines due at `now`: an unfinished handshake or a
    /// silent peer has expired (drop the connection); a PING may be queued
    /// (write the output).
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), Expired> {
        if let Due::Ping(ttl) = self.liveness.handle_timeout(now)? {
            self.send_ping(ttl);
        }
        Ok(())
    }

    /// Queues a heartbeat PING (ZMTP 3.1) asking the peer to consider us
    /// gone after `ttl` deciseconds of silence (0: no limit).
    fn send_ping(&mut self, ttl: u16) {
        if self.is_ready() {
            self.emit_command(&Command::Ping {
                ttl,
                context: Bytes::new(),
            });
        }
    }

    /// Queues a command after the handshake: sealed into a MESSAGE when a
    /// mechanism protects traffic, as it is otherwise.
    fn emit_command(&mut self, cmd: &Command) {
        match &mut self.seal {
            Some(seal) => seal.seal(SEALED_COMMAND, &cmd.body(), &mut self.out),
            None => cmd.encode(&mut self.out),
        }
    }

    /// Encodes one outgoing frame. Only valid once ready: the frame is
    /// dropped (and debug builds panic) before that.
    ///
    /// A SUB/XSUB socket's single-frame message starting with 1 or 0 is a
    /// subscribe or cancel; a 3.1 peer gets it as a SUBSCRIBE or CANCEL
    /// command, a 3.0 peer as the message itself.
    pub fn send(&mut self, msg: &Msg) {
        debug_assert!(self.is_ready(), "Session::send before the handshake ended");
        if !self.is_ready() {
            return;
        }
        let first_frame = !self.sending_multipart;
        self.sending_multipart = msg.more();
        let subscriber = matches!(self.cfg.socket_type, SocketType::Sub | SocketType::XSub);
        // Only a 3.1 (or later) peer understands SUBSCRIBE/CANCEL commands.
        let peer_v31 = self.peer_greeting.is_some_and(|g| g.is_v31());
        if subscriber && peer_v31 && first_frame && !msg.more() {
            if let Some(cmd) = subscription_command(msg.data()) {
                return self.emit_command(&cmd);
            }
        }
        if let Some(seal) = &mut self.seal {
            let flags = if msg.more() { SEALED_MORE } else { 0 };
            return seal.seal(flags, msg.data(), &mut self.out);
        }
        let flags = if msg.more() { MORE } else { 0 };
        if msg.len() < ZERO_COPY_MIN {
            return frame::encode(&mut self.out, flags, msg.data());
        }
        // A large body goes out from its own buffer, after its header.
        frame::encode_header(&mut self.out, flags, msg.len());
        self.out.push_shared(msg.to_bytes());
    }
}

/// The command a subscription message becomes.
fn subscription_command(data: &[u8]) -> Option<Command> {
    match data.split_first()? {
        (1, topic) => Some(Command::Subscribe(Bytes::copy_from_slice(topic))),
        (0, topic) => Some(Command::Cancel(Bytes::copy_from_slice(topic))),
        _ => None,
    }
}

/// A subscription in the message form ZMTP 3.0 uses: the flag byte, then the topic.
fn subscription_message(flag: u8, topic: &[u8]) -> Event {
    let mut body = BytesMut::with_capacity(1 + topic.len());
    body.extend_from_slice(&[flag]);
    body.extend_from_slice(topic);
    Event::Message(Msg::from_bytes(body.freeze()))
}

/// A small data frame whole at the head of `input` (one flagged MORE only
/// if `multipart`), copied out (inline, next to the bodies before it in a
/// slab, or in a recycled block): splitting it off the input would keep
/// the whole input buffer alive and cost a reference count per frame.
/// Anything else is left.
fn take_small(
    input: &mut BytesMut,
    limit: u64,
    multipart: bool,
    slabs: &mut SlabWriter,
) -> Result<Option<Msg>, ProtocolError> {
    let Some(header) = Header::peek(input)? else {
        return Ok(None);
    };
    let size = header.size as usize;
    let more = header.flags & MORE != 0;
    if header.is_command()
        || (more && !multipart)
        || size > COPY_MAX
        || header.size > limit
        || input.len() < header.len + size
    {
        return Ok(None);
    }
    let mut msg = Msg::received(&input[header.len..header.len + size], slabs);
    msg.set_more(more);
    input.advance(header.len + size);
    Ok(Some(msg))
}

#[cfg(test)]
mod tests;
