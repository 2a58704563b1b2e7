//! DEALER (RFC 28): load-balanced out, fair-queued in, no envelopes.

use super::fq::FairQueue;
use super::lb::LoadBalancer;
use super::options::{int_value, PROBE_ROUTER};
use super::pattern::Pattern;
use super::pipes::PipeSet;
use crate::error::{Error, Result};
use crate::link::PipeEnd;
use crate::msg::Msg;

#[derive(Default)]
pub struct Dealer {
    pub(super) pipes: PipeSet,
    pub(super) lb: LoadBalancer,
    pub(super) fq: FairQueue,
    /// ZMQ_PROBE_ROUTER: greet each new peer with an empty message.
    probe: bool,
}

impl Pattern for Dealer {
    fn pipes(&self) -> &PipeSet {
        &self.pipes
    }

    fn attach(&mut self, pipe: PipeEnd) {
        self.fq.activate(pipe.id);
        if self.probe {
            pipe.tx.write(Msg::new());
        }
        self.pipes.attach(pipe);
    }
    fn activated(&mut self, id: u64) {
        self.fq.activate(id);
    }
    fn detach(&mut self, id: u64) {
        self.pipes.detach(id);
    }
    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        self.lb.send(&self.pipes, msg)
    }
    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        self.fq
            .recv_into(&mut self.pipes, msg)
            .map(drop)
            .ok_or(Error::Again)
    }
    fn has_in(&mut self) -> bool {
        self.fq.has_in(&self.pipes)
    }
    fn has_out(&mut self) -> bool {
        self.lb.has_out(&self.pipes)
    }

    fn set_option(&mut self, option: i32, value: &[u8]) -> Result<()> {
        match option {
            PROBE_ROUTER => self.probe = int_value(value)? != 0,
            _ => return Err(Error::NotFound),
        }
        Ok(())
    }
}
