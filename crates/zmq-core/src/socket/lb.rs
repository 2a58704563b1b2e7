//! Load-balancing (RFC 28/30): each new message goes to the next pipe in
//! turn that has room; all frames of a message go to the same pipe.

use super::pipes::PipeSet;
use crate::error::{Error, Result};
use crate::msg::Msg;

#[derive(Default)]
pub struct LoadBalancer {
    next: usize,
    /// The pipe receiving the current multipart message.
    current: Option<u64>,
}

impl LoadBalancer {
    /// Picks the pipe for a new message, or None if all are full.
    pub fn pick(&mut self, pipes: &PipeSet) -> Option<u64> {
        let n = pipes.len();
        for i in 0..n {
            let idx = (self.next + i) % n;
            let p = &pipes.list[idx];
            if !pipes.is_detached(p.id) && !p.tx.is_closed() && p.tx.check_write() {
                self.next = (idx + 1) % n;
                return Some(p.id);
            }
        }
        None
    }

    /// Sends one frame; Err(Again) if no pipe has room for a new message.
    pub fn send(&mut self, pipes: &PipeSet, msg: &mut Msg) -> Result<()> {
        let id = match self.current {
            Some(id) => id,
            None => self.pick(pipes).ok_or(Error::Again)?,
        };
        let more = msg.more();
        let frame = std::mem::take(msg);
        // If the pipe vanished mid-message, the rest of the message is dropped.
        if let Some(p) = pipes.get(id) {
            p.tx.write(frame);
        }
        self.current = more.then_some(id);
        Ok(())
    }

    /// Starts or continues a message on a pipe chosen by `pick`.
    pub fn continue_on(&mut self, id: u64, more: bool) {
        self.current = more.then_some(id);
    }

    pub fn has_out(&mut self, pipes: &PipeSet) -> bool {
        if self.current.is_some() {
            return true;
        }
        pipes
            .list
            .iter()
            .any(|p| !pipes.is_detached(p.id) && !p.tx.is_closed() && p.tx.check_write())
    }
}

impl LoadBalancer {
    /// The pipe of the message in progress.
    pub fn current(&self) -> Option<u64> {
        self.current
    }
}
