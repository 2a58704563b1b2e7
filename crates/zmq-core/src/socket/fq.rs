//! Fair-queuing (RFC 28/30): read whole messages from the pipes in turn,
//! so no peer can starve another.

use super::pipes::PipeSet;
use crate::msg::Msg;

#[derive(Default)]
pub struct FairQueue {
    next: usize,
    /// The pipe whose message is being read.
    current: Option<u64>,
}

impl FairQueue {
    /// The next frame and the pipe it came from.
    pub fn recv(&mut self, pipes: &mut PipeSet) -> Option<(Msg, u64)> {
        if let Some(id) = self.current {
            if let Some(m) = pipes.get(id).and_then(|p| p.rx.read()) {
                if !m.more() {
                    self.current = None;
                    pipes.prune(None);
                }
                return Some((m, id));
            }
            self.current = None;
        }
        let n = pipes.len();
        for i in 0..n {
            let idx = (self.next + i) % n;
            let p = &pipes.list[idx];
            if let Some(m) = p.rx.read() {
                let id = p.id;
                self.next = (idx + 1) % n;
                if m.more() {
                    self.current = Some(id);
                } else {
                    pipes.prune(None);
                }
                return Some((m, id));
            }
        }
        None
    }

    pub fn in_message(&self) -> bool {
        self.current.is_some()
    }

    pub fn has_in(&self, pipes: &PipeSet) -> bool {
        self.current.is_some() || pipes.list.iter().any(|p| p.rx.has_message())
    }
}
