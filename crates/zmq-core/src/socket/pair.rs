//! PAIR (RFC 31): exactly one peer; further peers are refused.

use super::pattern::Pattern;
use super::pipes::PipeSet;
use crate::error::{Error, Result};
use crate::link::PipeEnd;
use crate::msg::Msg;

#[derive(Default)]
pub struct Pair {
    pipes: PipeSet,
    sending: bool,
}

impl Pattern for Pair {
    fn pipes(&self) -> &PipeSet {
        &self.pipes
    }

    fn attach(&mut self, pipe: PipeEnd) {
        if self.pipes.is_empty() {
            self.pipes.attach(pipe);
        } else {
            pipe.rx.close();
            pipe.tx.close();
        }
    }

    fn detach(&mut self, id: u64) {
        self.pipes.detach(id);
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        let pipe = self.pipes.list.first().ok_or(Error::Again)?;
        if !self.sending && !pipe.tx.check_write() {
            return Err(Error::Again);
        }
        self.sending = msg.more();
        pipe.tx.write(std::mem::take(msg));
        Ok(())
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        let read = self
            .pipes
            .list
            .first()
            .is_some_and(|p| self.pipes.read_into(p, msg));
        self.pipes.prune();
        read.then_some(()).ok_or(Error::Again)
    }

    fn has_in(&mut self) -> bool {
        self.pipes.list.first().is_some_and(|p| p.rx.has_message())
    }

    fn has_out(&mut self) -> bool {
        self.sending || self.pipes.list.first().is_some_and(|p| p.tx.check_write())
    }
}
