//! REQ (RFC 28): strict send/receive alternation. Each request gets an
//! empty delimiter frame in front; only the reply from the peer the request
//! went to is accepted, without its delimiter. ZMQ_REQ_RELAXED lets a new
//! request abandon an unanswered one; ZMQ_REQ_CORRELATE tags each request
//! with an id frame and accepts only the reply carrying it back.

use super::dealer::Dealer;
use super::options::{int_value, put, REQ_CORRELATE, REQ_RELAXED};
use super::pattern::Pattern;
use super::pipes::PipeSet;
use crate::error::{Error, Result};
use crate::link::PipeEnd;
use crate::msg::Msg;

#[derive(Default)]
pub struct Req {
    inner: Dealer,
    relaxed: bool,
    correlate: bool,
    /// The id of the latest request (ZMQ_REQ_CORRELATE).
    request_id: u32,
    /// Waiting for the reply from this pipe.
    awaiting: Option<u64>,
    /// In the middle of sending a request.
    sending: bool,
    /// In the middle of receiving a reply's body.
    receiving: bool,
}

impl Req {
    /// Reads and discards the rest of the current message on `pipe`.
    fn skip_rest(&mut self, mut more: bool) {
        while more {
            match self.inner.fq.recv(&mut self.inner.pipes) {
                Some((m, _)) => more = m.more(),
                None => break,
            }
        }
    }

    /// The next frame for `Pattern::recv`.
    fn next_frame(&mut self) -> Result<Msg> {
        let Some(reply_pipe) = self.awaiting else {
            return Err(Error::State);
        };
        loop {
            let (msg, from) = self
                .inner
                .fq
                .recv(&mut self.inner.pipes)
                .ok_or(Error::Again)?;
            if self.receiving {
                if !msg.more() {
                    self.receiving = false;
                    self.awaiting = None;
                }
                return Ok(msg);
            }
            // A new message: it must come from the right peer, carry our
            // request id (if correlating) and the empty delimiter, or it is
            // dropped whole.
            let mut first = msg;
            if from == reply_pipe && self.correlate {
                let tagged = first.more() && first.data() == self.request_id.to_ne_bytes();
                if !tagged {
                    self.skip_rest(first.more());
                    continue;
                }
                first = match self.inner.fq.recv(&mut self.inner.pipes) {
                    Some((m, _)) => m,
                    None => continue,
                };
            }
            if from != reply_pipe || !first.is_empty() || !first.more() {
                self.skip_rest(first.more());
                continue;
            }
            let (body, _) = self
                .inner
                .fq
                .recv(&mut self.inner.pipes)
                .ok_or(Error::Again)?;
            if body.more() {
                self.receiving = true;
            } else {
                self.awaiting = None;
            }
            return Ok(body);
        }
    }
}

impl Pattern for Req {
    fn pipes(&self) -> &PipeSet {
        &self.inner.pipes
    }

    fn attach(&mut self, pipe: PipeEnd) {
        self.inner.attach(pipe);
    }

    fn detach(&mut self, id: u64) {
        self.inner.detach(id);
    }

    fn activated(&mut self, id: u64) {
        self.inner.activated(id);
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if self.awaiting.is_some() {
            if !self.relaxed {
                return Err(Error::State);
            }
            // Relaxed: the unanswered request is given up; a late reply to
            // it is dropped (with ZMQ_REQ_CORRELATE, by its id).
            if self.receiving {
                self.skip_rest(true);
            }
            self.awaiting = None;
            self.receiving = false;
        }
        if !self.sending {
            let id = self.inner.lb.pick(&self.inner.pipes).ok_or(Error::Again)?;
            let mut delimiter = Msg::new();
            delimiter.set_more(true);
            if let Some(p) = self.inner.pipes.get(id) {
                if self.correlate {
                    self.request_id = self.request_id.wrapping_add(1);
                    let mut tag = Msg::from_slice(&self.request_id.to_ne_bytes());
                    tag.set_more(true);
                    p.tx.write(tag);
                }
                p.tx.write(delimiter);
            }
            self.inner.lb.continue_on(id, true);
        }
        let id = self.inner_current();
        let more = msg.more();
        self.inner.lb.send(&self.inner.pipes, msg)?;
        self.sending = more;
        if !more {
            self.awaiting = id;
        }
        Ok(())
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        *msg = self.next_frame()?;
        Ok(())
    }

    fn has_in(&mut self) -> bool {
        self.awaiting.is_some() && self.inner.has_in()
    }

    fn has_out(&mut self) -> bool {
        (self.awaiting.is_none() || self.relaxed) && self.inner.has_out()
    }

    fn set_option(&mut self, option: i32, value: &[u8]) -> Result<()> {
        let on = || int_value(value).map(|v| v != 0);
        match option {
            REQ_RELAXED => self.relaxed = on()?,
            REQ_CORRELATE => self.correlate = on()?,
            _ => return self.inner.set_option(option, value),
        }
        Ok(())
    }

    fn get_option(&self, option: i32, buf: &mut [u8]) -> Result<usize> {
        let flag = match option {
            REQ_RELAXED => self.relaxed,
            REQ_CORRELATE => self.correlate,
            _ => return Err(Error::NotFound),
        };
        put(buf, &(flag as i32).to_ne_bytes())
    }
}

impl Req {
    fn inner_current(&self) -> Option<u64> {
        self.inner.lb.current()
    }
}
