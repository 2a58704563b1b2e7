//! The I/O thread's poll loop. It alone owns its listeners, connecters and
//! engines (by mio token); everything else reaches it through the mailbox.

use super::connecter::{Connecter, State};
use super::engine::EngineCell;
use super::engine::{Closed, Engine};
use super::listener::Listener;
use super::mailbox::{EnginePipes, IoCommand, IoMailbox};
use super::sched::ThreadSettings;
use crate::link::events as monitor;
use crate::transport::stream::Stream;
use mio::{Events, Interest, Poll, Token};
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

const WAKER: Token = Token(usize::MAX);

/// What a timer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    /// A connecter's next attempt.
    Retry,
    /// The end of a closed socket's linger period.
    Linger,
    /// An engine's own deadline (handshake, heartbeats).
    Engine,
    /// A connect attempt taking longer than ZMQ_CONNECT_TIMEOUT.
    ConnectTimeout,
}

/// A handle to a running I/O thread.
pub struct IoThread {
    pub mailbox: Arc<IoMailbox>,
    handle: Option<JoinHandle<()>>,
}

impl IoThread {
    pub fn spawn(name: String, settings: ThreadSettings) -> io::Result<IoThread> {
        let poll = Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKER)?;
        let mailbox = Arc::new(IoMailbox::new(waker));
        let mut lp = Loop {
            poll,
            mailbox: mailbox.clone(),
            entries: Vec::new(),
            free: Vec::new(),
            timers: BinaryHeap::new(),
            epochs: Vec::new(),
            owner_of: Vec::new(),
            owners: BTreeSet::new(),
            stopping: false,
            closed_since_trim: 0,
            inbox: Vec::new(),
            again: Vec::new(),
            again_spare: Vec::new(),
            accepted: Vec::new(),
            moved: 0,
        };
        let handle = std::thread::Builder::new().name(name).spawn(move || {
            settings.apply();
            lp.run()
        })?;
        Ok(IoThread {
            mailbox,
            handle: Some(handle),
        })
    }

    /// Asks the thread to exit once nothing lingers, and waits for it.
    pub fn stop(&mut self) {
        self.mailbox.send(IoCommand::Stop);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

enum Entry {
    Listener(Listener),
    Connecter(Connecter),
    Engine {
        engine: Arc<EngineCell>,
        connecter: Option<usize>,
        endpoint_id: u64,
    },
}

impl Entry {
    fn socket_id(&self) -> u64 {
        match self {
            Entry::Listener(l) => l.socket.id,
            Entry::Connecter(c) => c.socket.id,
            Entry::Engine { engine, .. } => engine.lock().socket.id,
        }
    }

    fn endpoint_id(&self) -> u64 {
        match self {
            Entry::Listener(l) => l.endpoint_id,
            Entry::Connecter(c) => c.endpoint_id,
            Entry::Engine { endpoint_id, .. } => *endpoint_id,
        }
    }
}

struct Loop {
    poll: Poll,
    mailbox: Arc<IoMailbox>,
    entries: Vec<Option<Entry>>,
    free: Vec<usize>,
    /// (deadline, token, the entry's epoch, kind): stale ones (an entry
    /// since replaced, a state since left) are ignored.
    timers: BinaryHeap<Reverse<(Instant, usize, u64, Timer)>>,
    /// Bumped each time a token is given to a new entry.
    epochs: Vec<u64>,
    /// (socket id, token) of every entry: a socket's close finds its
    /// entries without visiting (and locking) every other socket's, which
    /// made closing n connected sockets cost n² (a tenth of a 10,000
    /// DEALER scale run).
    owners: BTreeSet<(u64, usize)>,
    /// Each token's socket id (as in `owners`), read without a lock.
    owner_of: Vec<u64>,
    stopping: bool,
    /// Connections closed since the heap was last trimmed (see `trim`).
    closed_since_trim: usize,
    /// The mailbox's commands, taken in a batch (buffer reused).
    inbox: Vec<IoCommand>,
    /// Engines that used up their turn with work left, to pump next round.
    again: Vec<usize>,
    /// The previous round's `again`, kept for its capacity.
    again_spare: Vec<usize>,
    /// Bytes the engines moved since this thread last went idle.
    moved: usize,
    /// Connections taken off a listener's queue, to set up (buffer reused).
    accepted: Vec<Stream>,
}

/// A busy spell that moved this many bytes is a stream: its writer is
/// likely to write again at once (see `serve`).
const STREAMING: usize = 4096;

/// After this many connections closed, an idle I/O thread gives the
/// allocator's free memory back to the system.
const TRIM_AFTER: usize = 1024;

/// Returns free heap memory to the system. glibc keeps what thousands of
/// closed connections freed (spread over its per-thread arenas): in the
/// bench's churn.c (rounds of 1,000 connections opened, answered, closed)
/// RSS after the last round grew from 117 MiB (5 rounds) to 169 MiB (40)
/// without it and stays near 30 MiB with it (libzmq: 114 to 140 MiB).
fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

impl Loop {
    /// Serves until stopped. A panic outside any one engine's step (those
    /// end only their connection, see `Engine::pump`) leaves this loop's
    /// state in doubt: every connection and endpoint it holds is closed,
    /// with its events and its sockets told, and the loop serves on, so
    /// that sockets still close and the context still terminates.
    fn run(&mut self) {
        while std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.serve())).is_err() {
            for token in 0..self.entries.len() {
                match self.entries[token] {
                    Some(Entry::Engine { .. }) => self.engine_closed(token, Closed::Fault),
                    Some(_) => self.drop_entry(token, true),
                    None => {}
                }
            }
            self.again.clear();
        }
    }

    fn serve(&mut self) {
        let mut events = Events::with_capacity(256);
        loop {
            if self.again.is_empty() && self.closed_since_trim >= TRIM_AFTER {
                self.closed_since_trim = 0;
                trim();
            }
            let idle = self.again.is_empty();
            let streamed = idle && std::mem::take(&mut self.moved) >= STREAMING;
            // After a stream, a socket thread on this CPU that talks to us
            // (a sender our wake-up preempted, a receiver making room) is
            // likely runnable: hand it the CPU without sleeping, so it runs
            // until it blocks (a full pipe) or its slice ends and we find a
            // batch, rather than waking us, and being preempted, every few
            // messages (about every 180 of 64 B between two processes each
            // on its own core). Its activations meanwhile queue without a
            // wake-up syscall, since we are not asleep. Only once per busy
            // spell, and never for a thread on another CPU: there the yield
            // would hand the core to some other thread.
            let timeout = if streamed && self.mailbox.sender_shares_cpu() {
                // SAFETY: sched_yield takes no arguments and cannot fail
                // on Linux.
                unsafe { libc::sched_yield() };
                Some(std::time::Duration::ZERO)
            } else if idle && self.mailbox.sleep() {
                self.timers
                    .peek()
                    .map(|Reverse((t, ..))| t.saturating_duration_since(Instant::now()))
            } else {
                Some(std::time::Duration::ZERO)
            };
            let polled = self.poll.poll(&mut events, timeout);
            self.mailbox.awake();
            if let Err(e) = polled {
                if e.kind() != io::ErrorKind::Interrupted {
                    return;
                }
            }
            for ev in events.iter() {
                let token = ev.token();
                if token == WAKER {
                    continue;
                }
                let closed = ev.is_read_closed() || ev.is_write_closed() || ev.is_error();
                self.ready(
                    token.0,
                    ev.is_readable() || closed,
                    ev.is_writable() || closed,
                );
            }
            let mut inbox = std::mem::take(&mut self.inbox);
            self.mailbox.take_into(&mut inbox);
            for cmd in inbox.drain(..) {
                self.command(cmd);
            }
            self.inbox = inbox;
            self.fire_timers();
            let mut turns = std::mem::take(&mut self.again_spare);
            std::mem::swap(&mut turns, &mut self.again);
            for &token in &turns {
                self.pump(token, false, false);
            }
            turns.clear();
            self.again_spare = turns;
            if self.stopping && self.entries.iter().all(Option::is_none) {
                return;
            }
        }
    }

    fn insert(&mut self, entry: Entry) -> usize {
        if matches!(entry, Entry::Engine { .. }) {
            self.mailbox.engine_added();
        }
        let socket_id = entry.socket_id();
        let token = match self.free.pop() {
            Some(t) => {
                self.entries[t] = Some(entry);
                self.epochs[t] += 1;
                self.owner_of[t] = socket_id;
                t
            }
            None => {
                self.entries.push(Some(entry));
                self.epochs.push(0);
                self.owner_of.push(socket_id);
                self.entries.len() - 1
            }
        };
        self.owners.insert((socket_id, token));
        token
    }

    fn timer(&mut self, at: Instant, token: usize, kind: Timer) {
        self.timers
            .push(Reverse((at, token, self.epochs[token], kind)));
    }

    fn remove(&mut self, token: usize) -> Option<Entry> {
        let entry = self.entries.get_mut(token)?.take()?;
        self.free.push(token);
        self.owners.remove(&(self.owner_of[token], token));
        if matches!(entry, Entry::Engine { .. }) {
            self.mailbox.engine_removed();
        }
        Some(entry)
    }

    fn command(&mut self, cmd: IoCommand) {
        match cmd {
            IoCommand::Listen {
                mut listener,
                socket,
                opts,
                endpoint_id,
            } => {
                let token = self.free.last().copied().unwrap_or(self.entries.len());
                if self
                    .poll
                    .registry()
                    .register(&mut listener, Token(token), Interest::READABLE)
                    .is_ok()
                {
                    self.insert(Entry::Listener(Listener {
                        listener,
                        socket,
                        opts,
                        endpoint_id,
                    }));
                    self.accept(token);
                }
            }
            IoCommand::Connect {
                endpoint,
                socket,
                opts,
                endpoint_id,
                pipes,
            } => {
                let token = self.insert(Entry::Connecter(Connecter {
                    endpoint,
                    socket,
                    opts,
                    endpoint_id,
                    pipes,
                    state: State::Waiting,
                    connections: 0,
                    backoff: None,
                    lingering: false,
                }));
                self.start_connect(token);
            }
            IoCommand::Activate(token) => self.activate(token),
            IoCommand::CloseEndpoint {
                socket_id,
                endpoint_id,
                done: _done,
            } => {
                for token in self.tokens_of(socket_id) {
                    if self.entries[token]
                        .as_ref()
                        .is_some_and(|e| e.endpoint_id() == endpoint_id)
                    {
                        self.drop_entry(token, true);
                    }
                }
            }
            IoCommand::SocketClosed {
                socket_id,
                linger,
                stop,
                done,
            } => {
                let deadline = linger.map(|l| Instant::now() + l);
                for token in self.tokens_of(socket_id) {
                    self.linger(token, deadline);
                }
                drop((stop, done));
            }
            IoCommand::Stop => self.stopping = true,
        }
    }

    fn tokens_of(&self, socket_id: u64) -> Vec<usize> {
        self.owners
            .range((socket_id, 0)..=(socket_id, usize::MAX))
            .map(|&(_, token)| token)
            .collect()
    }

    /// The socket is closed: listeners go now, connections flush first.
    fn linger(&mut self, token: usize, deadline: Option<Instant>) {
        if deadline.is_some_and(|d| d <= Instant::now()) {
            self.drop_entry(token, false);
            return;
        }
        match self.entries[token].as_mut() {
            Some(Entry::Listener(_)) => self.drop_entry(token, false),
            Some(Entry::Connecter(c)) => {
                c.lingering = true;
                let idle = !matches!(c.state, State::Connected(_)) && !c.has_pending();
                if idle {
                    self.drop_entry(token, false);
                } else if let Some(d) = deadline {
                    self.timer(d, token, Timer::Linger);
                }
            }
            Some(Entry::Engine { engine, .. }) => {
                engine.lock().lingering = true;
                if let Some(d) = deadline {
                    self.timer(d, token, Timer::Linger);
                }
                self.pump(token, false, false);
            }
            None => {}
        }
    }

    fn ready(&mut self, token: usize, readable: bool, writable: bool) {
        match self.entries.get(token) {
            Some(Some(Entry::Listener(_))) => self.accept(token),
            Some(Some(Entry::Connecter(_))) => self.connect_done(token),
            Some(Some(Entry::Engine { .. })) => self.pump(token, readable, writable),
            _ => {}
        }
    }

    fn activate(&mut self, token: usize) {
        match self.entries.get_mut(token) {
            Some(Some(Entry::Engine { .. })) => self.pump(token, false, false),
            Some(Some(Entry::Connecter(c)))
                if c.lingering && !matches!(c.state, State::Connected(_)) && !c.has_pending() =>
            {
                self.drop_entry(token, false);
            }
            _ => {}
        }
    }

    fn accept(&mut self, token: usize) {
        // Empty the kernel's accept queue first, then set the connections
        // up: in a storm of connects, a queue left full while engines are
        // made drops SYNs, each retried only a second later.
        let mut accepted = std::mem::take(&mut self.accepted);
        let Some(Some(Entry::Listener(l))) = self.entries.get(token) else {
            return;
        };
        loop {
            match l.listener.accept() {
                Ok(stream) => accepted.push(stream),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let errno = e.raw_os_error().unwrap_or(0) as u32;
                    l.socket
                        .emit(monitor::ACCEPT_FAILED, errno, &l.opts.endpoint);
                    break;
                }
            }
        }
        for stream in accepted.drain(..) {
            let Some(Some(Entry::Listener(l))) = self.entries.get(token) else {
                break;
            };
            if !stream.admitted_by(&l.opts.accept) {
                // An accept filter refuses the peer: closed at once,
                // reported as a failed accept (EACCES), as libzmq does.
                drop(stream);
                let errno = libc::EACCES as u32;
                l.socket
                    .emit(monitor::ACCEPT_FAILED, errno, &l.opts.endpoint);
                continue;
            }
            stream.configure(&l.opts.tcp);
            let fd = stream.as_raw_fd() as u32;
            l.socket.emit(monitor::ACCEPTED, fd, &l.opts.endpoint);
            let engine = Engine::new(stream, l.socket.clone(), l.opts.clone(), None);
            let endpoint_id = l.endpoint_id;
            self.add_engine(engine, None, endpoint_id);
        }
        self.accepted = accepted;
    }

    fn add_engine(&mut self, mut engine: Engine, connecter: Option<usize>, endpoint_id: u64) {
        let token = self.free.last().copied().unwrap_or(self.entries.len());
        let registered = self.poll.registry().register(
            &mut engine.stream,
            Token(token),
            Interest::READABLE | Interest::WRITABLE,
        );
        if registered.is_err() {
            // The poller refused it (no memory, or the user's epoll watch
            // limit): the connection closes as if the peer had gone, and a
            // connecter tries again later.
            let fd = engine.stream.as_raw_fd() as u32;
            engine
                .socket
                .emit(monitor::DISCONNECTED, fd, &engine.opts.endpoint);
            let pipes = engine.shutdown();
            self.give_back(connecter, pipes);
            if let Some(ct) = connecter {
                self.schedule_retry(ct);
            }
            return;
        }
        engine.start(&self.mailbox, token);
        let cell = Arc::new(EngineCell::new(engine));
        cell.lock().me = Arc::downgrade(&cell);
        let t = self.insert(Entry::Engine {
            engine: cell,
            connecter,
            endpoint_id,
        });
        debug_assert_eq!(t, token);
        if let Some(ct) = connecter {
            if let Some(Some(Entry::Connecter(c))) = self.entries.get_mut(ct) {
                c.state = State::Connected(token);
            }
        }
        self.pump(token, true, true);
    }

    fn pump(&mut self, token: usize, readable: bool, writable: bool) {
        let Some(Some(Entry::Engine { engine, .. })) = self.entries.get_mut(token) else {
            return;
        };
        let result = engine.lock().pump(readable, writable);
        match result {
            Ok(moved) => {
                self.moved += moved;
                self.schedule_engine(token);
            }
            Err(why) => self.engine_closed(token, why),
        }
    }

    fn engine_closed(&mut self, token: usize, why: Closed) {
        self.closed_since_trim += 1;
        let Some(Entry::Engine {
            engine, connecter, ..
        }) = self.remove(token)
        else {
            return;
        };
        let mut engine = engine.lock();
        let _ = self.poll.registry().deregister(&mut engine.stream);
        let lingering = engine.lingering;
        if !lingering {
            engine.report_closed(&why);
        }
        // A STREAM socket that closed its connection meant it: no retry.
        let closed_by_us = engine.close_requested();
        let pipes = engine.shutdown();
        drop(engine);
        self.give_back(connecter, pipes);
        // A peer that broke the protocol or refused us would do it again:
        // as libzmq, the connection is given up, with what it had queued
        // (a lost connection or a silent peer is retried).
        let give_up = matches!(why, Closed::Protocol(_)) || closed_by_us;
        if let Some(ct) = connecter {
            if let Some(Some(Entry::Connecter(c))) = self.entries.get_mut(ct) {
                c.state = State::Waiting;
                if give_up || lingering && !c.has_pending() {
                    self.drop_entry(ct, give_up);
                } else {
                    self.schedule_retry(ct);
                }
            }
        }
    }

    /// Shuts a removed engine down; returns its connecter's pipes.
    fn shut(&mut self, engine: Arc<EngineCell>) -> Option<EnginePipes> {
        self.closed_since_trim += 1;
        let mut engine = engine.lock();
        let _ = self.poll.registry().deregister(&mut engine.stream);
        engine.shutdown()
    }

    /// A connecter's pipes, back from its ended connection. (With the
    /// connecter gone too, they are closed.)
    fn give_back(&mut self, connecter: Option<usize>, pipes: Option<EnginePipes>) {
        let Some(p) = pipes else {
            return;
        };
        match connecter.and_then(|ct| self.entries.get_mut(ct)) {
            Some(Some(Entry::Connecter(c))) => c.pipes = Some(p),
            _ => {
                p.inbound.close();
                p.outbound.close();
            }
        }
    }

    /// Removes an entry; `detach` also tells the socket its pipes are gone
    /// (zmq_unbind / zmq_disconnect).
    fn drop_entry(&mut self, token: usize, detach: bool) {
        let Some(entry) = self.remove(token) else {
            return;
        };
        match entry {
            Entry::Listener(mut l) => {
                let _ = self.poll.registry().deregister(&mut l.listener);
                let fd = l.listener.as_raw_fd() as u32;
                match l.listener.remove_files() {
                    Ok(()) => l.socket.emit(monitor::CLOSED, fd, &l.opts.endpoint),
                    Err(e) => {
                        let errno = e.raw_os_error().unwrap_or(0) as u32;
                        l.socket
                            .emit(monitor::CLOSE_FAILED, errno, &l.opts.endpoint);
                    }
                }
            }
            Entry::Connecter(mut c) => {
                match std::mem::replace(&mut c.state, State::Waiting) {
                    State::Connecting(mut s) | State::Socks(mut s, _) => {
                        let _ = self.poll.registry().deregister(&mut s);
                    }
                    State::Connected(engine) => {
                        // Its connection first, which hands the pipes back.
                        if let Some(Entry::Engine { engine, .. }) = self.remove(engine) {
                            c.pipes = self.shut(engine).or(c.pipes.take());
                        }
                    }
                    State::Waiting => {}
                }
                if let Some(p) = c.pipes.take() {
                    p.inbound.close();
                    p.outbound.close();
                    if detach {
                        c.socket.command(crate::link::SocketCommand::Detach(p.id));
                    }
                }
            }
            Entry::Engine {
                engine, connecter, ..
            } => {
                let pipes = self.shut(engine);
                self.give_back(connecter, pipes);
            }
        }
    }

    fn schedule_retry(&mut self, token: usize) {
        let Some(Some(Entry::Connecter(c))) = self.entries.get_mut(token) else {
            return;
        };
        match c.next_retry() {
            Some(ivl) => {
                if !c.lingering {
                    let ms = ivl.as_millis() as u32;
                    c.socket
                        .emit(monitor::CONNECT_RETRIED, ms, &c.opts.endpoint);
                }
                self.timer(Instant::now() + ivl, token, Timer::Retry)
            }
            None if c.lingering => self.drop_entry(token, false),
            // ZMQ_RECONNECT_IVL -1: the endpoint is given up, and its pipe
            // with it (as libzmq), so a new connect can take its place.
            None => self.drop_entry(token, true),
        }
    }

    fn start_connect(&mut self, token: usize) {
        let Some(Some(Entry::Connecter(c))) = self.entries.get_mut(token) else {
            return;
        };
        if !matches!(c.state, State::Waiting) {
            return;
        }
        let stream = c.endpoint.connect(c.opts.socks.as_ref());
        match stream {
            Some(mut s) => {
                let registered = self.poll.registry().register(
                    &mut s,
                    Token(token),
                    Interest::READABLE | Interest::WRITABLE,
                );
                if registered.is_ok() {
                    c.socket.emit(
                        monitor::CONNECT_DELAYED,
                        libc::EINPROGRESS as u32,
                        &c.opts.endpoint,
                    );
                    c.state = State::Connecting(s);
                    if c.opts.connect_timeout > 0 {
                        let ms = c.opts.connect_timeout as u64;
                        let at = Instant::now() + std::time::Duration::from_millis(ms);
                        self.timer(at, token, Timer::ConnectTimeout);
                    }
                } else {
                    self.schedule_retry(token);
                }
            }
            None => self.schedule_retry(token),
        }
    }

    /// The non-blocking connect finished one way or the other.
    fn connect_done(&mut self, token: usize) {
        let Some(Some(Entry::Connecter(c))) = self.entries.get_mut(token) else {
            return;
        };
        if matches!(c.state, State::Socks(..)) {
            return self.socks_step(token);
        }
        let State::Connecting(stream) = &c.state else {
            return;
        };
        let failed = matches!(stream.take_error(), Ok(Some(_)) | Err(_));
        let connected = !failed && stream.is_connected();
        if !failed && !connected {
            return; // spurious wake-up; still connecting
        }
        let State::Connecting(mut stream) = std::mem::replace(&mut c.state, State::Waiting) else {
            unreachable!("matched above")
        };
        if failed {
            let _ = self.poll.registry().deregister(&mut stream);
            self.schedule_retry(token);
            return;
        }
        // Through a SOCKS proxy: ask it for the target before ZMTP starts.
        if let Some(handshake) = c.endpoint.socks(c.opts.socks.as_ref()) {
            c.state = State::Socks(stream, Box::new(handshake));
            return self.socks_step(token);
        }
        let _ = self.poll.registry().deregister(&mut stream);
        self.start_engine(token, stream);
    }

    /// Moves the SOCKS handshake on; once the proxy has connected us to the
    /// target, the engine takes the stream. A refusal is a failed attempt.
    fn socks_step(&mut self, token: usize) {
        let Some(Some(Entry::Connecter(c))) = self.entries.get_mut(token) else {
            return;
        };
        let State::Socks(stream, handshake) = &mut c.state else {
            return;
        };
        let ok = 'handshake: loop {
            while !handshake.output().is_empty() {
                match stream.write(handshake.output()) {
                    Ok(n) => handshake.written(n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break 'handshake false,
                }
            }
            if handshake.is_done() {
                break true;
            }
            // Never past the reply: the target's first bytes may follow it.
            let mut buf = [0u8; 262];
            let wanted = handshake.wanted().min(buf.len());
            match stream.read(&mut buf[..wanted]) {
                Ok(0) => break false,
                Ok(n) => {
                    if handshake.input(&buf[..n]).is_err() {
                        break false;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break false,
            }
        };
        let State::Socks(mut stream, _) = std::mem::replace(&mut c.state, State::Waiting) else {
            unreachable!("matched above")
        };
        let _ = self.poll.registry().deregister(&mut stream);
        if ok {
            self.start_engine(token, stream);
        } else {
            self.schedule_retry(token);
        }
    }

    /// The connecter's stream is connected (to its target): an engine
    /// takes it over.
    fn start_engine(&mut self, token: usize, stream: Stream) {
        let Some(Some(Entry::Connecter(c))) = self.entries.get_mut(token) else {
            return;
        };
        stream.configure(&c.opts.tcp);
        c.socket.emit(
            monitor::CONNECTED,
            stream.as_raw_fd() as u32,
            &c.opts.endpoint,
        );
        // The connecter's pipes go with the connection, and come back
        // when it ends (see `give_back`).
        let pipes = c.pipes.take().map(|p| (p, c.connections > 0));
        c.connections += 1;
        c.backoff = None;
        let mut engine = Engine::new(stream, c.socket.clone(), c.opts.clone(), pipes);
        // Closed while connecting: the connection only delivers what was
        // queued, then goes (within the linger timer set on the connecter).
        engine.lingering = c.lingering;
        let endpoint_id = c.endpoint_id;
        self.add_engine(engine, Some(token), endpoint_id);
    }

    fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(Reverse((at, token, epoch, kind))) = self.timers.peek().copied() {
            if at > now {
                break;
            }
            self.timers.pop();
            if self.epochs.get(token) != Some(&epoch) {
                continue;
            }
            match (self.entries.get_mut(token), kind) {
                (Some(Some(Entry::Connecter(c))), Timer::Linger) if c.lingering => {
                    self.drop_entry(token, false);
                }
                (Some(Some(Entry::Connecter(c))), Timer::Retry)
                    if matches!(c.state, State::Waiting) =>
                {
                    self.start_connect(token);
                }
                (Some(Some(Entry::Connecter(c))), Timer::ConnectTimeout)
                    if matches!(c.state, State::Connecting(_)) =>
                {
                    if let State::Connecting(mut s) =
                        std::mem::replace(&mut c.state, State::Waiting)
                    {
                        let _ = self.poll.registry().deregister(&mut s);
                    }
                    self.schedule_retry(token);
                }
                (Some(Some(Entry::Engine { engine, .. })), Timer::Linger)
                    if engine.lock().lingering =>
                {
                    self.drop_entry(token, false);
                }
                (Some(Some(Entry::Engine { engine, .. })), Timer::Engine) => {
                    let result = {
                        let mut e = engine.lock();
                        e.timer_at = None;
                        e.on_timer(now)
                    };
                    match result {
                        Ok(()) => self.schedule_engine(token),
                        Err(why) => self.engine_closed(token, why),
                    }
                }
                _ => {}
            }
        }
    }

    /// Arms the engine's next deadline (handshake, heartbeat), if it moved.
    fn schedule_engine(&mut self, token: usize) {
        let Some(Some(Entry::Engine { engine, .. })) = self.entries.get(token) else {
            return;
        };
        let next = {
            let mut e = engine.lock();
            if e.yielded && !self.again.contains(&token) {
                self.again.push(token);
            }
            match e.next_deadline() {
                Some(d) if e.timer_at.is_none_or(|t| d < t) => {
                    e.timer_at = Some(d);
                    Some(d)
                }
                _ => None,
            }
        };
        if let Some(d) = next {
            self.timer(d, token, Timer::Engine);
        }
    }
}
