//! SUB and XSUB (RFC 29): fair-queue messages from publishers, keeping only
//! those whose first frame matches a subscription, and send subscriptions
//! upstream to every publisher (again after each reconnect).

use super::core::PipeEnd;
use super::fq::FairQueue;
use super::options::{INVERT_MATCHING, SUBSCRIBE, UNSUBSCRIBE};
use super::pattern::Pattern;
use super::pipes::PipeSet;
use super::subscriptions::Subscriptions;
use crate::error::{Error, Result};
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
    /// A matching frame fetched by `has_in`, returned by the next `recv`.
    pending: Option<Msg>,
    /// ZMQ_INVERT_MATCHING: keep the messages that do not match instead.
    invert: bool,
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
            pipe.tx.write(subscription(1, topic));
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
    /// The next frame of a matching message; others are dropped whole.
    fn fetch(&mut self) -> Result<Msg> {
        loop {
            let (msg, _) = self.fq.recv(&mut self.pipes).ok_or(Error::Again)?;
            if self.receiving || self.subs.matches(msg.data()) != self.invert {
                self.receiving = msg.more();
                return Ok(msg);
            }
            let mut more = msg.more();
            while more {
                match self.fq.recv(&mut self.pipes) {
                    Some((m, _)) => more = m.more(),
                    None => break,
                }
            }
        }
    }
}

impl Pattern for XSub {
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

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if self.plain {
            return Err(Error::NotSupported);
        }
        let data = msg.data();
        if !self.sending && !msg.more() && matches!(data.first(), Some(0 | 1)) {
            let (kind, topic) = (data[0], data[1..].to_vec());
            *msg = Msg::new();
            self.subscribe(kind, &topic);
            return Ok(());
        }
        self.sending = msg.more();
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

    fn recv(&mut self) -> Result<Msg> {
        match self.pending.take() {
            Some(m) => Ok(m),
            None => self.fetch(),
        }
    }

    fn has_in(&mut self) -> bool {
        if self.receiving || self.pending.is_some() {
            return true;
        }
        // Drop unwanted messages so only deliverable ones make us readable.
        self.pending = self.fetch().ok();
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
                self.invert = super::options::int_value(value)? != 0;
                Ok(())
            }
            _ => Err(Error::NotFound),
        }
    }
}
