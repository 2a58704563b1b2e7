//! PUSH and PULL (RFC 30): load-balanced out, fair-queued in.

use super::fq::FairQueue;
use super::lb::LoadBalancer;
use super::pattern::Pattern;
use super::pipes::PipeSet;
use crate::error::{Error, Result};
use crate::link::PipeEnd;
use crate::msg::Msg;

#[derive(Default)]
pub struct Push {
    pipes: PipeSet,
    lb: LoadBalancer,
}

impl Pattern for Push {
    fn pipes(&self) -> &PipeSet {
        &self.pipes
    }

    fn attach(&mut self, pipe: PipeEnd) {
        self.pipes.attach(pipe);
    }
    fn detach(&mut self, id: u64) {
        self.pipes.remove(id);
    }
    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        self.lb.send(&self.pipes, msg)
    }
    fn recv(&mut self, _msg: &mut Msg) -> Result<()> {
        Err(Error::NotSupported)
    }
    fn has_in(&mut self) -> bool {
        false
    }
    fn has_out(&mut self) -> bool {
        self.lb.has_out(&self.pipes)
    }
}

#[derive(Default)]
pub struct Pull {
    pipes: PipeSet,
    fq: FairQueue,
}

impl Pattern for Pull {
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
    fn send(&mut self, _msg: &mut Msg) -> Result<()> {
        Err(Error::NotSupported)
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
        false
    }
}
