//! PUB and XPUB (RFC 29): fan a message out to every peer whose
//! subscriptions match its first frame; a full peer misses the message
//! (PUB never blocks). Subscriptions arrive from peers as messages
//! starting with 1 (subscribe) or 0 (cancel); XPUB passes them up.

use super::options::{
    int_value, INVERT_MATCHING, ONLY_FIRST_SUBSCRIBE, SUBSCRIBE, UNSUBSCRIBE, XPUB_MANUAL,
    XPUB_NODROP, XPUB_VERBOSE, XPUB_VERBOSER, XPUB_WELCOME_MSG,
};
use super::pattern::Pattern;
use super::pipes::{IdMap, PipeSet};
use super::subscriptions::Subscriptions;
use crate::error::{Error, Result};
use crate::link::PipeEnd;
use crate::msg::Msg;
use crate::slab::SlabWriter;
use bytes::Bytes;
use std::collections::VecDeque;

#[derive(Default)]
pub struct XPub {
    pipes: PipeSet,
    /// Each peer's subscriptions.
    subs: IdMap<Subscriptions>,
    /// How many peers hold each topic, to pass up first/last changes.
    totals: Subscriptions,
    /// Peers receiving the current multipart message.
    matched: Vec<u64>,
    sending: bool,
    /// Subscription messages for the XPUB user, with the peer they came from.
    upstream: VecDeque<(Msg, u64)>,
    /// The peer of the subscription message the user read last
    /// (ZMQ_XPUB_MANUAL applies the user's SUBSCRIBE to it).
    last_peer: Option<u64>,
    /// ZMQ_XPUB_MANUAL: subscriptions are applied by the user, not us.
    manual: bool,
    /// ZMQ_ONLY_FIRST_SUBSCRIBE: only a message's first frame may be a
    /// subscription (and the rest of it, if it was).
    only_first: bool,
    /// In manual mode, what each peer itself asked for: each topic is
    /// cancelled upstream when the peer goes, even if others hold it (the
    /// user counts, as with libzmq).
    asked: IdMap<Subscriptions>,
    /// ZMQ_XPUB_VERBOSER: pass every cancel up too.
    verboser: bool,
    /// ZMQ_XPUB_WELCOME_MSG: sent to each new subscriber.
    welcome: Option<Bytes>,
    /// ZMQ_INVERT_MATCHING: send to peers whose subscriptions do not match.
    invert: bool,
    /// Peers that may have sent subscriptions since we last looked.
    unread: Vec<u64>,
    /// Plain PUB: no recv, subscriptions are consumed silently.
    plain: bool,
    verbose: bool,
    /// ZMQ_XPUB_NODROP: a full subscriber makes send fail with EAGAIN
    /// instead of missing the message.
    nodrop: bool,
    /// Where small bodies sent to several peers are copied once.
    slabs: SlabWriter,
}

impl XPub {
    pub fn publisher() -> XPub {
        XPub {
            plain: true,
            ..XPub::default()
        }
    }

    /// Applies what peers have sent since last time.
    fn read_subscriptions(&mut self) {
        for id in std::mem::take(&mut self.unread) {
            let Some(p) = self.pipes.get(id) else {
                continue;
            };
            // We are told (activated) when this peer sends again.
            p.rx.park();
            // Messages come whole: a frame is the first of one when the
            // frame before it had no MORE flag.
            let (mut first, mut subscribing) = (true, true);
            while let Some(mut msg) = p.rx.read() {
                let first_part = std::mem::replace(&mut first, !msg.more());
                let data = msg.data();
                let request = match data.split_first() {
                    Some((&kind, topic)) if kind <= 1 && (first_part || subscribing) => {
                        Some((kind, topic))
                    }
                    _ => None,
                };
                if first_part {
                    subscribing = !self.only_first || request.is_some();
                }
                let Some((kind, topic)) = request else {
                    // A user message from an XSUB, passed up as it is.
                    if !self.plain {
                        self.upstream.push_back((msg, p.id));
                    }
                    continue;
                };
                // Passed up as a message of its own, as libzmq does.
                let more = msg.more();
                if self.manual && self.plain {
                    continue; // a manual PUB: nobody reads them
                }
                if self.manual {
                    let asked = self.asked.entry(p.id).or_default();
                    if kind == 1 {
                        asked.add(topic);
                    } else {
                        asked.remove_all(topic);
                    }
                    if more {
                        msg.set_more(false);
                    }
                    self.upstream.push_back((msg, p.id));
                    continue;
                }
                let subs = self.subs.entry(p.id).or_default();
                let changed = if kind == 1 {
                    subs.add(topic) && self.totals.add(topic) || self.verbose || self.verboser
                } else {
                    subs.remove_all(topic) && self.totals.remove(topic) || self.verboser
                };
                if changed && !self.plain {
                    if more {
                        msg.set_more(false);
                    }
                    self.upstream.push_back((msg, p.id));
                }
            }
        }
    }

    /// The next frame for `Pattern::recv`.
    fn next_frame(&mut self) -> Result<Msg> {
        if self.plain {
            return Err(Error::NotSupported);
        }
        self.read_subscriptions();
        let (msg, peer) = self.upstream.pop_front().ok_or(Error::Again)?;
        self.last_peer = Some(peer);
        Ok(msg)
    }
}

impl Pattern for XPub {
    fn pipes(&self) -> &PipeSet {
        &self.pipes
    }

    fn attach(&mut self, pipe: PipeEnd) {
        if let Some(w) = &self.welcome {
            pipe.tx.write(Msg::from_slice(w));
        }
        self.subs.insert(pipe.id, Subscriptions::default());
        self.unread.push(pipe.id);
        self.pipes.attach(pipe);
    }

    fn activated(&mut self, id: u64) {
        if !self.unread.contains(&id) {
            self.unread.push(id);
        }
    }

    fn detach(&mut self, id: u64) {
        self.read_subscriptions();
        // Cancels go up for what the peer held: in manual mode each topic
        // it asked for, otherwise those nobody else is subscribed to.
        let subs = self.subs.remove(&id).unwrap_or_default();
        let mut cancels = Vec::new();
        for topic in subs.topics() {
            if self.totals.remove(&topic) && !self.manual {
                cancels.push(topic);
            }
        }
        if let Some(asked) = self.asked.remove(&id) {
            cancels.extend(asked.topics());
        }
        if !self.plain {
            for topic in cancels {
                let mut m = vec![0u8];
                m.extend_from_slice(&topic);
                self.upstream.push_back((Msg::from_slice(&m), id));
            }
        }
        self.matched.retain(|&p| p != id);
        self.pipes.remove(id);
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        self.read_subscriptions();
        if !self.sending {
            self.matched.clear();
            for p in &self.pipes.list {
                let matches = self.subs.get(&p.id).is_some_and(|s| s.matches(msg.data()));
                let wants = matches != self.invert;
                if wants && p.tx.check_write() {
                    self.matched.push(p.id);
                } else if wants && self.nodrop {
                    self.matched.clear();
                    return Err(Error::Again);
                }
            }
        }
        let more = msg.more();
        let mut frame = std::mem::take(msg);
        // One peer gets the frame itself; several share one body.
        match self.matched.as_slice() {
            [] => {}
            [id] => {
                if let Some(p) = self.pipes.get(*id) {
                    p.tx.write(frame);
                }
            }
            // A small body is copied once into a slab and counted in for
            // all of them at once; a large one is shared.
            many if Msg::slab_sized(frame.len()) => {
                let copies = self.slabs.copy_shared(frame.data(), many.len());
                for (id, body) in many.iter().zip(copies) {
                    if let Some(p) = self.pipes.get(*id) {
                        p.tx.write(frame.with_shared_body(body));
                    }
                }
            }
            many => {
                frame.share();
                for id in many {
                    if let Some(p) = self.pipes.get(*id) {
                        p.tx.write(frame.clone());
                    }
                }
            }
        }
        self.sending = more;
        Ok(())
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        *msg = self.next_frame()?;
        Ok(())
    }

    fn has_in(&mut self) -> bool {
        if self.plain {
            return false;
        }
        self.read_subscriptions();
        !self.upstream.is_empty()
    }

    fn has_out(&mut self) -> bool {
        true
    }

    fn set_option(&mut self, option: i32, value: &[u8]) -> Result<()> {
        match option {
            // PUB takes XPUB's options too, as libzmq's does; what a PUB
            // cannot see (subscriptions) they do not change.
            XPUB_VERBOSE => {
                self.verbose = int_value(value)? != 0;
                Ok(())
            }
            XPUB_NODROP => {
                self.nodrop = int_value(value)? != 0;
                Ok(())
            }
            XPUB_VERBOSER => {
                self.verboser = int_value(value)? != 0;
                Ok(())
            }
            XPUB_MANUAL => {
                // A PUB takes it too (as libzmq), though it cannot read
                // subscriptions to apply them by hand.
                self.manual = int_value(value)? != 0;
                Ok(())
            }
            XPUB_WELCOME_MSG => {
                self.welcome = (!value.is_empty()).then(|| Bytes::copy_from_slice(value));
                Ok(())
            }
            INVERT_MATCHING => {
                self.invert = int_value(value)? != 0;
                Ok(())
            }
            ONLY_FIRST_SUBSCRIBE => {
                self.only_first = int_value(value)? != 0;
                Ok(())
            }
            // Only in manual mode, as libzmq (EINVAL otherwise); before
            // any peer has spoken they do nothing.
            SUBSCRIBE | UNSUBSCRIBE if !self.manual => Err(Error::Invalid),
            SUBSCRIBE | UNSUBSCRIBE if self.last_peer.is_none() => Ok(()),
            SUBSCRIBE | UNSUBSCRIBE => {
                let Some(peer) = self.last_peer else {
                    return Ok(());
                };
                let subs = self.subs.entry(peer).or_default();
                if option == SUBSCRIBE {
                    if subs.add(value) {
                        self.totals.add(value);
                    }
                } else if subs.remove_all(value) {
                    self.totals.remove(value);
                }
                Ok(())
            }
            _ => Err(Error::NotFound),
        }
    }
}
