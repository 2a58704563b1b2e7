//! Fair-queuing (RFC 28/30): read whole messages from the pipes in turn,
//! so no peer can starve another. Only pipes that may hold messages are
//! visited: a pipe found empty leaves the active list and comes back when
//! its writer publishes again (the socket is told by the pipe's waker).

use super::pipes::{IdSet, PipeSet};
use crate::msg::Msg;

/// Up to this many pipes stay in the active set even when found empty.
const KEEP_ACTIVE: usize = 8;

#[derive(Default)]
pub struct FairQueue {
    /// Pipes that may have messages, visited round-robin from `next`.
    active: Vec<u64>,
    members: IdSet,
    next: usize,
    /// The pipe whose message is being read.
    current: Option<u64>,
    /// A message just ended: drained detached pipes go at the next call,
    /// so the caller can still look up the pipe it came from (a ROUTER's
    /// routing id for a peer's last message).
    prune_due: bool,
}

impl FairQueue {
    /// A pipe may have messages (new, or its writer published).
    pub fn activate(&mut self, id: u64) {
        if self.members.insert(id) {
            self.active.push(id);
        }
    }

    /// Parks the pipe at `i` (found empty). With few pipes, visiting an
    /// empty one costs less than being told when it fills: they stay.
    fn deactivate_at(&mut self, pipes: &PipeSet, i: usize) -> bool {
        if self.active.len() <= KEEP_ACTIVE {
            return false;
        }
        let id = self.active.swap_remove(i);
        self.members.remove(&id);
        if let Some(p) = pipes.get(id) {
            p.rx.park();
            // It may have filled meanwhile: look again rather than miss it.
            if p.rx.has_message() {
                self.activate(id);
            }
        }
        true
    }

    /// The next frame and the pipe it came from.
    pub fn recv(&mut self, pipes: &mut PipeSet) -> Option<(Msg, u64)> {
        let mut msg = Msg::new();
        self.recv_into(pipes, &mut msg).map(|id| (msg, id))
    }

    /// The next frame, written into `out` (untouched when there is none),
    /// and the pipe it came from.
    pub fn recv_into(&mut self, pipes: &mut PipeSet, out: &mut Msg) -> Option<u64> {
        if std::mem::take(&mut self.prune_due) {
            pipes.prune();
        }
        if let Some(id) = self.current {
            if pipes.get(id).is_some_and(|p| pipes.read_into(p, out)) {
                if !out.more() {
                    self.current = None;
                    self.prune_due = true;
                }
                return Some(id);
            }
            self.current = None;
        }
        let mut empty_seen = 0;
        while !self.active.is_empty() && empty_seen < self.active.len() {
            if self.next >= self.active.len() {
                self.next = 0;
            }
            let id = self.active[self.next];
            if !pipes
                .get(id)
                .is_some_and(|p| !p.rx.is_closed() || p.rx.has_message())
            {
                // Gone for good (detached and drained).
                self.active.swap_remove(self.next);
                self.members.remove(&id);
                continue;
            }
            if pipes.get(id).is_some_and(|p| pipes.read_into(p, out)) {
                if out.more() {
                    self.current = Some(id);
                } else {
                    self.next += 1;
                    self.prune_due = true;
                }
                return Some(id);
            }
            if !self.deactivate_at(pipes, self.next) {
                self.next += 1;
                empty_seen += 1;
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
