//! ROUTER (RFC 28): every received message is prefixed with the routing id
//! of the peer it came from; every sent message starts with the routing id
//! of the peer it goes to. Unroutable messages are dropped, or refused with
//! EHOSTUNREACH under ZMQ_ROUTER_MANDATORY.

use super::fq::FairQueue;
use super::options::{int_value, PROBE_ROUTER, ROUTER_HANDOVER, ROUTER_MANDATORY};
use super::pattern::Pattern;
use super::pipes::{IdSet, PipeSet};
use crate::error::{Error, Result};
use crate::link::PipeEnd;
use crate::msg::Msg;
use bytes::Bytes;
use std::collections::HashMap;

#[derive(Default)]
pub struct Router {
    pipes: PipeSet,
    fq: FairQueue,
    ids: HashMap<Bytes, u64>,
    /// The first body frame, held while its routing id frame is returned.
    prefetched: Option<Msg>,
    /// Where the frames of the message being sent go (None: dropped).
    out: Option<Option<u64>>,
    next_id: IdSource,
    mandatory: bool,
    /// ZMQ_ROUTER_HANDOVER: a newcomer with a known identity takes it over.
    handover: bool,
    /// ZMQ_PROBE_ROUTER: greet each new peer with an empty message.
    probe: bool,
    /// Pipes made at connect whose peer has not said its routing id yet:
    /// neither routable nor read until it does (as libzmq).
    unnamed: IdSet,
}

impl Router {
    /// Gives an attached pipe the routing id its peer asked for (generated
    /// if none) and starts reading it; false if it was refused.
    fn name(&mut self, pipe: u64, routing_id: Bytes) -> bool {
        let id = if routing_id.is_empty() {
            self.next_id.fresh(&self.ids)
        } else if let Some(&old) = self.ids.get(&routing_id) {
            if !self.handover {
                // Duplicate identity: the newcomer is refused.
                if let Some(p) = self.pipes.remove(pipe) {
                    p.rx.close();
                    p.tx.close();
                }
                return false;
            }
            // Handover: the old connection loses the identity to the new.
            if let Some(p) = self.pipes.get(old) {
                p.tx.close();
            }
            self.detach(old);
            routing_id
        } else {
            routing_id
        };
        self.ids.insert(id.clone(), pipe);
        // The pipe carries the id we route by (the peer's, or generated).
        if let Some(p) = self.pipes.get_mut(pipe) {
            p.routing_id = id;
        }
        self.fq.activate(pipe);
        true
    }

    fn routing_id_of(&self, pipe: u64) -> Bytes {
        self.pipes
            .get(pipe)
            .map(|p| p.routing_id.clone())
            .unwrap_or_default()
    }
}

/// Routing ids for peers that give none: a zero byte and a counter (as
/// libzmq's five bytes), started somewhere arbitrary since they are opaque.
pub(super) struct IdSource(u32);

impl Default for IdSource {
    fn default() -> Self {
        IdSource(std::process::id().wrapping_mul(2_654_435_761))
    }
}

impl IdSource {
    /// The next id that `taken` does not hold.
    pub(super) fn fresh(&mut self, taken: &HashMap<Bytes, u64>) -> Bytes {
        loop {
            self.0 = self.0.wrapping_add(1);
            let mut id = vec![0u8];
            id.extend_from_slice(&self.0.to_be_bytes());
            let id = Bytes::from(id);
            if !taken.contains_key(&id) {
                return id;
            }
        }
    }
}

/// The routing id frame put before a received message: MORE set, and the
/// properties of the connection the message came over (as libzmq says).
pub(super) fn envelope(routing_id: Bytes, body: &Msg) -> Msg {
    let mut id = Msg::from_bytes(routing_id);
    id.set_more(true);
    if let Some(props) = body.shared_properties() {
        id.set_properties(Some(props));
    }
    id
}

impl Router {
    /// The next frame for `Pattern::recv`.
    fn next_frame(&mut self) -> Result<Msg> {
        if let Some(m) = self.prefetched.take() {
            return Ok(m);
        }
        let starting = !self.fq.in_message();
        let (msg, pipe) = self.fq.recv(&mut self.pipes).ok_or(Error::Again)?;
        if !starting {
            return Ok(msg);
        }
        let id = envelope(self.routing_id_of(pipe), &msg);
        self.prefetched = Some(msg);
        Ok(id)
    }
}

impl Pattern for Router {
    fn pipes(&self) -> &PipeSet {
        &self.pipes
    }

    fn attach(&mut self, pipe: PipeEnd) {
        let (id, routing_id) = (pipe.id, pipe.routing_id.clone());
        self.pipes.attach(pipe);
        if self.name(id, routing_id) && self.probe {
            if let Some(p) = self.pipes.get(id) {
                p.tx.write(Msg::new());
            }
        }
    }

    fn attach_unnamed(&mut self, pipe: PipeEnd) {
        self.unnamed.insert(pipe.id);
        if self.probe {
            pipe.tx.write(Msg::new());
        }
        self.pipes.attach(pipe);
    }

    fn activated(&mut self, id: u64) {
        if !self.unnamed.contains(&id) {
            self.fq.activate(id);
        }
    }

    fn peer_routing_id(&mut self, id: u64, routing_id: Bytes) {
        if self.unnamed.remove(&id) {
            self.name(id, routing_id);
            return;
        }
        let Some(old) = self.pipes.get(id).map(|p| p.routing_id.clone()) else {
            return;
        };
        // A reconnected peer that gives no name keeps the one it had.
        if old == routing_id || routing_id.is_empty() {
            return;
        }
        if let Some(&other) = self.ids.get(&routing_id) {
            // A name in use: refused or handed over, as at attach.
            let (loser, winner) = if self.handover {
                (other, id)
            } else {
                (id, other)
            };
            if let Some(p) = self.pipes.get(loser) {
                p.tx.close();
                p.rx.close();
            }
            self.detach(loser);
            if winner != id {
                return;
            }
        }
        if self.ids.get(&old) == Some(&id) {
            self.ids.remove(&old);
        }
        self.ids.insert(routing_id.clone(), id);
        if let Some(p) = self.pipes.get_mut(id) {
            p.routing_id = routing_id;
        }
    }

    fn detach(&mut self, id: u64) {
        self.unnamed.remove(&id);
        // After a handover the name may already belong to the newcomer.
        if let Some(p) = self.pipes.get(id) {
            if self.ids.get(&p.routing_id) == Some(&id) {
                self.ids.remove(&p.routing_id);
            }
        }
        self.pipes.detach(id);
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        let more = msg.more();
        let Some(target) = self.out else {
            // The first frame names the peer.
            let pipe = self.ids.get(msg.data()).copied();
            let target = match pipe.and_then(|id| self.pipes.get(id)) {
                Some(p) if p.tx.check_write() => Some(p.id),
                Some(_) if self.mandatory => return Err(Error::Again),
                None if self.mandatory => return Err(Error::HostUnreachable),
                _ => None,
            };
            *msg = Msg::new();
            self.out = more.then_some(target);
            return Ok(());
        };
        let frame = std::mem::take(msg);
        if let Some(p) = target.and_then(|id| self.pipes.get(id)) {
            p.tx.write(frame);
        }
        if !more {
            self.out = None;
        }
        Ok(())
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        *msg = self.next_frame()?;
        Ok(())
    }

    fn has_in(&mut self) -> bool {
        self.prefetched.is_some() || self.fq.has_in(&self.pipes)
    }

    /// Messages to unknown peers are dropped, so a ROUTER can always send;
    /// a mandatory one only while some peer has room (as libzmq).
    fn has_out(&mut self) -> bool {
        !self.mandatory
            || self
                .pipes
                .list
                .iter()
                .any(|p| !self.unnamed.contains(&p.id) && p.tx.check_write())
    }

    fn set_option(&mut self, option: i32, value: &[u8]) -> Result<()> {
        match option {
            ROUTER_MANDATORY => self.mandatory = int_value(value)? != 0,
            ROUTER_HANDOVER => self.handover = int_value(value)? != 0,
            PROBE_ROUTER => self.probe = int_value(value)? != 0,
            _ => return Err(Error::NotFound),
        }
        Ok(())
    }

    fn get_option(&self, option: i32, buf: &mut [u8]) -> Result<usize> {
        match option {
            ROUTER_MANDATORY => super::options::put(buf, &(self.mandatory as i32).to_ne_bytes()),
            _ => Err(Error::NotFound),
        }
    }
}
