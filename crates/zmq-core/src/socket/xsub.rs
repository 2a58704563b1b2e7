//! SUB and XSUB (RFC 29): fair-queue messages from publishers (SUB keeps
//! only those whose first frame matches a subscription; XSUB, as libzmq's,
//! leaves filtering to the publisher), and send subscriptions upstream to
//! every publisher (again after each reconnect).

use super::fq::FairQueue;
use super::options::{int_value, INVERT_MATCHING, ONLY_FIRST_SUBSCRIBE, SUBSCRIBE, UNSUBSCRIBE};
use super::pattern::Pattern;
use super::pipes::PipeSet;
use super::subscriptions::Subscriptions;
use crate::error::{Error, Result};
use crate::link::PipeEnd;
use crate::msg::Msg;

#[derive(Default)]
pub struct XSub {
    pipes: PipeSet,
    fq: FairQueue,
    subs: Subscriptions,
    /// A matching message is being received.
    receiving: bool,
    /// A plain (non-subscription) message is being sent upstream.
    sending: bool,
    /// Plain SUB: subscriptions by option only, no send.
    plain: bool,
    /// A frame fetched by `has_in`, returned by the next `recv`.
    pending: Option<Msg>,
    /// ZMQ_INVERT_MATCHING: keep the messages that do not match instead.
    invert: bool,
    /// ZMQ_ONLY_FIRST_SUBSCRIBE: only a message's first frame may be a
    /// subscription (and the rest of it, if it was).
    only_first: bool,
    /// The frames of the message being sent are read as subscriptions.
    subscribing: bool,
}

fn subscription(kind: u8, topic: &[u8]) -> Msg {
    let mut m = Msg::with_size(topic.len() + 1);
    let data = m.data_mut();
    data[0] = kind;
    data[1..].copy_from_slice(topic);
    m
}

impl XSub {
    pub fn subscriber() -> XSub {
        XSub {
            plain: true,
            ..XSub::default()
        }
    }

    fn send_all(&self, msg: &Msg) {
        for p in &self.pipes.list {
            p.tx.write(msg.clone());
        }
    }

    fn resend(&self, pipe: &PipeEnd) {
        for topic in self.subs.topics() {
            pipe.tx.write(subscription(1, &topic));
        }
    }

    fn subscribe(&mut self, kind: u8, topic: &[u8]) {
        let send = if kind == 1 {
            self.subs.add(topic);
            true
        } else {
            self.subs.remove(topic)
        };
        if send {
            self.send_all(&subscription(kind, topic));
        }
    }
}

impl XSub {
    /// The next frame of a matching message, into `out`; others are
    /// dropped whole (through `out`, which holds nothing of value after an
    /// Err(Again)).
    fn fetch(&mut self, out: &mut Msg) -> Result<()> {
        loop {
            self.fq
                .recv_into(&mut self.pipes, out)
                .ok_or(Error::Again)?;
            // Only SUB filters; XSUB passes everything up, as libzmq's.
            let wanted = !self.plain || self.subs.matches(out.data()) != self.invert;
            if self.receiving || wanted {
                self.receiving = out.more();
                return Ok(());
            }
            let mut more = out.more();
            while more && self.fq.recv_into(&mut self.pipes, out).is_some() {
                more = out.more();
            }
        }
    }
}

impl Pattern for XSub {
    fn pipes(&self) -> &PipeSet {
        &self.pipes
    }

    fn attach(&mut self, pipe: PipeEnd) {
        self.resend(&pipe);
        self.fq.activate(pipe.id);
        self.pipes.attach(pipe);
    }

    fn activated(&mut self, id: u64) {
        self.fq.activate(id);
    }

    fn detach(&mut self, id: u64) {
        self.pipes.detach(id);
    }

    fn hiccup(&mut self, id: u64) {
        if let Some(p) = self.pipes.get(id) {
            self.resend(p);
        }
    }

    /// As libzmq's XSUB: a frame starting with 1 subscribes and one
    /// starting with 0 cancels (passed on only if it was held), in any
    /// frame of a message unless ZMQ_ONLY_FIRST_SUBSCRIBE; the rest is
    /// passed upstream as it is.
    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if self.plain {
            return Err(Error::NotSupported);
        }
        if !self.sending {
            self.subscribing = !self.only_first;
        }
        let first = !self.sending;
        self.sending = msg.more();
        if first || self.subscribing {
            match msg.data().split_first() {
                Some((1, topic)) => {
                    self.subs.add(topic);
                    self.subscribing = true;
                }
                Some((0, topic)) => {
                    self.subscribing = true;
                    if !self.subs.remove(topic) {
                        *msg = Msg::new();
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        let mut frame = std::mem::take(msg);
        match self.pipes.list.as_slice() {
            [only] => only.tx.write(frame),
            _ => {
                frame.share();
                self.send_all(&frame);
            }
        }
        Ok(())
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        match self.pending.take() {
            Some(m) => {
                *msg = m;
                Ok(())
            }
            None => self.fetch(msg),
        }
    }

    fn has_in(&mut self) -> bool {
        if self.receiving || self.pending.is_some() {
            return true;
        }
        // Drop unwanted messages so only deliverable ones make us readable.
        let mut m = Msg::new();
        self.pending = self.fetch(&mut m).ok().map(|()| m);
        self.pending.is_some()
    }

    fn has_out(&mut self) -> bool {
        !self.plain
    }

    fn set_option(&mut self, option: i32, value: &[u8]) -> Result<()> {
        match option {
            SUBSCRIBE if self.plain => {
                self.subscribe(1, value);
                Ok(())
            }
            UNSUBSCRIBE if self.plain => {
                self.subscribe(0, value);
                Ok(())
            }
            INVERT_MATCHING => {
                self.invert = int_value(value)? != 0;
                Ok(())
            }
            ONLY_FIRST_SUBSCRIBE if !self.plain => {
                self.only_first = int_value(value)? != 0;
                Ok(())
            }
            _ => Err(Error::NotFound),
        }
    }
}
