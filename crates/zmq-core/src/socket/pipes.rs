//! The set of pipes a socket has attached. A detached pipe stays until the
//! messages it already delivered are read, as libzmq delivers them too.

use super::core::PipeEnd;

#[derive(Default)]
pub struct PipeSet {
    pub list: Vec<PipeEnd>,
    /// Pipes whose peer is gone; removed once drained.
    detached: Vec<u64>,
}

impl PipeSet {
    pub fn attach(&mut self, pipe: PipeEnd) {
        self.list.push(pipe);
    }

    pub fn index(&self, id: u64) -> Option<usize> {
        self.list.iter().position(|p| p.id == id)
    }

    pub fn get(&self, id: u64) -> Option<&PipeEnd> {
        self.list.iter().find(|p| p.id == id)
    }

    pub fn is_detached(&self, id: u64) -> bool {
        self.detached.contains(&id)
    }

    /// Marks a pipe detached; it is removed by `prune` once drained.
    pub fn detach(&mut self, id: u64) {
        if self.index(id).is_some() && !self.detached.contains(&id) {
            self.detached.push(id);
        }
        self.prune(None);
    }

    /// Removes a pipe now, returning it.
    pub fn remove(&mut self, id: u64) -> Option<PipeEnd> {
        self.detached.retain(|&d| d != id);
        let i = self.index(id)?;
        Some(self.list.remove(i))
    }

    /// Drops detached pipes with nothing left to read (except `keep`).
    pub fn prune(&mut self, keep: Option<u64>) {
        let list = &mut self.list;
        self.detached.retain(|&id| {
            if Some(id) == keep {
                return true;
            }
            match list.iter().position(|p| p.id == id) {
                Some(i) if list[i].rx.has_message() => true,
                Some(i) => {
                    list.remove(i);
                    false
                }
                None => false,
            }
        });
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
