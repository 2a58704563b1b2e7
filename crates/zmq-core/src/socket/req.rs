//! REQ (RFC 28): strict send/receive alternation. Each request gets an
//! empty delimiter frame in front; only the reply from the peer the request
//! went to is accepted, without its delimiter.

use super::core::PipeEnd;
use super::dealer::Dealer;
use super::pattern::Pattern;
use crate::error::{Error, Result};
use crate::msg::Msg;

#[derive(Default)]
pub struct Req {
    inner: Dealer,
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
}

impl Pattern for Req {
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
            return Err(Error::State);
        }
        if !self.sending {
            let id = self.inner.lb.pick(&self.inner.pipes).ok_or(Error::Again)?;
            let mut delimiter = Msg::new();
            delimiter.set_more(true);
            if let Some(p) = self.inner.pipes.get(id) {
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

    fn recv(&mut self) -> Result<Msg> {
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
            // A new message: it must come from the right peer and start with
            // the empty delimiter, or it is dropped whole.
            if from != reply_pipe || !msg.is_empty() || !msg.more() {
                self.skip_rest(msg.more());
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

    fn has_in(&mut self) -> bool {
        self.awaiting.is_some() && self.inner.has_in()
    }

    fn has_out(&mut self) -> bool {
        self.awaiting.is_none() && self.inner.has_out()
    }
}

impl Req {
    fn inner_current(&self) -> Option<u64> {
        self.inner.lb.current()
    }
}
