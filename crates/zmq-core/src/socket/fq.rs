//! Fair-queuing (RFC 28/30): read whole messages from the pipes in turn,
//! so no peer can starve another. Only pipes that may hold messages are
//! visited: a pipe found empty leaves the active list and comes back when
//! its writer publishes again (the socket is told by the pipe's waker).

use super::pipes::{IdSet, PipeSet};
use crate::msg::Msg;

#[derive(Default)]
pub struct FairQueue {
    /// Pipes that may have messages, visited round-robin from `next`.
    active: Vec<u64>,
    members: IdSet,
    next: usize,
    /// The pipe whose message is being read.
    current: Option<u64>,
}

impl FairQueue {
    /// A pipe may have messages (new, or its writer published).
    pub fn activate(&mut self, id: u64) {
        if self.members.insert(id) {
            self.active.push(id);
        }
    }

    fn deactivate_at(&mut self, i: usize) {
        let id = self.active.swap_remove(i);
        self.members.remove(&id);
    }

    /// The next frame and the pipe it came from.
    pub fn recv(&mut self, pipes: &mut PipeSet) -> Option<(Msg, u64)> {
        if let Some(id) = self.current {
            if let Some(m) = pipes.get(id).and_then(|p| p.rx.read()) {
                if !m.more() {
                    self.current = None;
                    pipes.prune();
                }
                return Some((m, id));
            }
            self.current = None;
        }
        while !self.active.is_empty() {
            if self.next >= self.active.len() {
                self.next = 0;
            }
            let id = self.active[self.next];
            match pipes.get(id).and_then(|p| p.rx.read()) {
                Some(m) => {
                    if m.more() {
                        self.current = Some(id);
                    } else {
                        self.next += 1;
                        pipes.prune();
                    }
                    return Some((m, id));
                }
                None => self.deactivate_at(self.next),
            }
        }
        pipes.prune();
        None
    }

    pub fn in_message(&self) -> bool {
        self.current.is_some()
    }

    pub fn has_in(&self, pipes: &PipeSet) -> bool {
        self.current.is_some()
            || self
                .active
                .iter()
                .any(|&id| pipes.get(id).is_some_and(|p| p.rx.has_message()))
    }
}
