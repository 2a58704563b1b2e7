//! REP (RFC 28): receives a request, keeps its envelope (the frames up to
//! and including the empty delimiter), and sends the reply back with that
//! envelope to the peer it came from.

use super::fq::FairQueue;
use super::pattern::Pattern;
use super::pipes::PipeSet;
use crate::error::{Error, Result};
use crate::link::PipeEnd;
use crate::msg::Msg;

#[derive(Default)]
pub struct Rep {
    pipes: PipeSet,
    fq: FairQueue,
    /// The pipe the request came from, while its body is read or its
    /// reply sent.
    reply_to: Option<u64>,
    /// The request's envelope (routing frames and the delimiter); the
    /// vector is reused from request to request.
    envelope: Vec<Msg>,
    /// The request body is being read (more frames follow).
    receiving: bool,
    /// The reply is being written.
    sending: bool,
}

impl Rep {
    /// The next frame for `Pattern::recv`.
    fn next_frame(&mut self) -> Result<Msg> {
        if self.receiving {
            let (msg, _) = self.fq.recv(&mut self.pipes).ok_or(Error::Again)?;
            self.receiving = msg.more();
            return Ok(msg);
        }
        if self.reply_to.is_some() {
            return Err(Error::State);
        }
        loop {
            let (first, pipe) = self.fq.recv(&mut self.pipes).ok_or(Error::Again)?;
            self.envelope.clear();
            let mut frame = first;
            // Collect routing frames up to the empty delimiter.
            let body = loop {
                if !frame.more() {
                    break None; // malformed: no delimiter
                }
                let delimiter = frame.is_empty();
                self.envelope.push(frame);
                let (next, _) = self.fq.recv(&mut self.pipes).ok_or(Error::Again)?;
                if delimiter {
                    break Some(next);
                }
                frame = next;
            };
            let Some(body) = body else {
                continue;
            };
            self.receiving = body.more();
            self.reply_to = Some(pipe);
            return Ok(body);
        }
    }
}

impl Pattern for Rep {
    fn pipes(&self) -> &PipeSet {
        &self.pipes
    }

    fn attach(&mut self, pipe: PipeEnd) {
        self.fq.activate(pipe.id);
        self.pipes.attach(pipe);
    }

    fn activated(&mut self, id: u64) {
        self.fq.activate(id);
    }

    fn detach(&mut self, id: u64) {
        self.pipes.detach(id);
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if self.receiving {
            return Err(Error::State);
        }
        let Some(pipe) = self.reply_to else {
            return Err(Error::State);
        };
        let more = msg.more();
        let frame = std::mem::take(msg);
        match self.pipes.get(pipe) {
            Some(p) => {
                for f in self.envelope.drain(..) {
                    p.tx.write(f);
                }
                p.tx.write(frame);
            }
            // The requester is gone: the reply goes nowhere.
            None => self.envelope.clear(),
        }
        self.sending = more;
        if !more {
            self.reply_to = None;
        }
        Ok(())
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        *msg = self.next_frame()?;
        Ok(())
    }

    fn has_in(&mut self) -> bool {
        self.reply_to.is_none() && self.fq.has_in(&self.pipes) || self.receiving
    }

    fn has_out(&mut self) -> bool {
        self.reply_to.is_some() && !self.receiving
    }
}
