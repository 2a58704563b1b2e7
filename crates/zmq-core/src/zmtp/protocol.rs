//! The protocol an engine speaks on its stream, sans-IO: ZMTP for every
//! socket type but STREAM, whose connections carry raw bytes. The engine
//! drives either through this one interface (reads land where it says,
//! events come out, bytes to write wait in it, its clocks are asked), so
//! another framing (WebSocket) is one more variant here and no change to
//! the ZMTP session. (An enum, not a trait object: the calls are per
//! message, and the I/O thread keeps engines of every kind in one table.)

use super::liveness::Expired;
use super::raw::Raw;
use super::session::{Event, PeerInfo, Session, SessionConfig};
use super::zap::Verdict;
use super::ProtocolError;
use crate::msg::Msg;
use crate::properties::PropertiesRef;
use crate::SocketType;
use std::io::{self, Write};
use std::mem::MaybeUninit;
use std::time::Instant;

// One per connection, held in place by its engine: the raw variant being
// smaller wastes a few hundred bytes per STREAM connection, while boxing
// the session would cost a pointer chase on every message.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Protocol {
    Zmtp(Session),
    Raw(Raw),
}

impl Protocol {
    /// The protocol a socket of this configuration speaks, its clocks
    /// started at `now`.
    pub fn new(cfg: SessionConfig, now: Instant) -> Protocol {
        if cfg.socket_type == SocketType::Stream {
            return Protocol::Raw(Raw::default());
        }
        let mut session = Session::new(cfg);
        session.start(now);
        Protocol::Zmtp(session)
    }

    /// Where the next read lands.
    pub fn read_buffer(&mut self) -> Result<&mut [MaybeUninit<u8>], ProtocolError> {
        match self {
            Protocol::Zmtp(s) => s.read_buffer(),
            Protocol::Raw(r) => Ok(r.read_buffer()),
        }
    }

    /// A read put `n` bytes into the space `read_buffer` gave.
    ///
    /// # Safety
    /// Those `n` bytes were written.
    pub unsafe fn commit_read(&mut self, n: usize) {
        match self {
            // SAFETY: forwarded caller contract.
            Protocol::Zmtp(s) => unsafe { s.commit_read(n) },
            // SAFETY: forwarded caller contract.
            Protocol::Raw(r) => unsafe { r.commit_read(n) },
        }
    }

    /// Whether reads land in a large frame's own buffer.
    pub fn reading_large(&self) -> bool {
        matches!(self, Protocol::Zmtp(s) if s.reading_large())
    }

    /// Bytes arrived at `now` (they show the peer alive).
    pub fn input_at(&mut self, now: Instant) {
        if let Protocol::Zmtp(s) = self {
            s.input_at(now);
        }
    }

    /// The size of a large frame begun since the last call, if one was.
    pub fn take_large_received(&mut self) -> Option<usize> {
        match self {
            Protocol::Zmtp(s) => s.take_large_received(),
            Protocol::Raw(_) => None,
        }
    }

    /// Ties small received bodies to the connection's properties (see
    /// `Session::set_slab_properties`; raw bytes carry none).
    pub fn set_slab_properties(&mut self, properties: Option<PropertiesRef>) {
        if let Protocol::Zmtp(s) = self {
            s.set_slab_properties(properties);
        }
    }

    pub fn discard_input(&mut self) {
        match self {
            Protocol::Zmtp(s) => s.discard_input(),
            Protocol::Raw(r) => r.discard_input(),
        }
    }

    pub fn poll_input(&mut self) -> Result<Option<Event>, ProtocolError> {
        match self {
            Protocol::Zmtp(s) => s.poll_input(),
            Protocol::Raw(r) => Ok(r.poll_input()),
        }
    }

    /// A small single-frame message, if that is what comes next (see
    /// `Session::next_small_message`); raw streams have none.
    pub fn next_small_message(&mut self) -> Option<Msg> {
        match self {
            Protocol::Zmtp(s) => s.next_small_message(),
            Protocol::Raw(_) => None,
        }
    }

    pub fn send(&mut self, msg: &Msg) {
        match self {
            Protocol::Zmtp(s) => s.send(msg),
            Protocol::Raw(r) => r.send(msg),
        }
    }

    pub fn pending_output(&self) -> usize {
        match self {
            Protocol::Zmtp(s) => s.pending_output(),
            Protocol::Raw(r) => r.pending_output(),
        }
    }

    pub fn write_to(&mut self, w: &mut impl Write) -> io::Result<usize> {
        match self {
            Protocol::Zmtp(s) => s.write_to(w),
            Protocol::Raw(r) => r.write_to(w),
        }
    }

    /// Whether traffic may flow (a raw connection: at once).
    pub fn is_ready(&self) -> bool {
        match self {
            Protocol::Zmtp(s) => s.is_ready(),
            Protocol::Raw(_) => true,
        }
    }

    pub fn peer(&self) -> Option<&PeerInfo> {
        match self {
            Protocol::Zmtp(s) => s.peer(),
            Protocol::Raw(r) => Some(r.peer()),
        }
    }

    /// Ends the connection with `err`, telling the peer where the protocol
    /// can.
    pub fn fail(&mut self, err: ProtocolError) -> ProtocolError {
        match self {
            Protocol::Zmtp(s) => s.fail(err),
            Protocol::Raw(_) => err,
        }
    }

    /// The ZAP handler's verdict (asked for by an `Authenticate` event).
    pub fn authenticated(&mut self, verdict: Verdict) -> Result<Option<Event>, ProtocolError> {
        match self {
            Protocol::Zmtp(s) => s.authenticated(verdict),
            Protocol::Raw(_) => Ok(None),
        }
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Protocol::Zmtp(s) => s.poll_timeout(),
            Protocol::Raw(_) => None,
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), Expired> {
        match self {
            Protocol::Zmtp(s) => s.handle_timeout(now),
            Protocol::Raw(_) => Ok(()),
        }
    }

    /// A raw connection whose application asked to close it.
    pub fn close_requested(&self) -> bool {
        match self {
            Protocol::Zmtp(_) => false,
            Protocol::Raw(r) => r.close_requested(),
        }
    }
}
