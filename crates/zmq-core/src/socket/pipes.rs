//! The set of pipes a socket has attached, found by id in constant time.
//! A detached pipe stays until the messages it already delivered are read,
//! as libzmq delivers them too.

use super::core::PipeEnd;
use std::collections::HashMap;

#[derive(Default)]
pub struct PipeSet {
    pub list: Vec<PipeEnd>,
    /// Position of each pipe in `list`, by id.
    index: HashMap<u64, usize>,
    /// Pipes whose peer is gone; removed once drained.
    detached: Vec<u64>,
}

impl PipeSet {
    pub fn attach(&mut self, pipe: PipeEnd) {
        self.index.insert(pipe.id, self.list.len());
        self.list.push(pipe);
    }

    pub fn get(&self, id: u64) -> Option<&PipeEnd> {
        self.index.get(&id).map(|&i| &self.list[i])
    }

    pub fn is_detached(&self, id: u64) -> bool {
        self.detached.contains(&id)
    }

    /// Marks a pipe detached; it is removed by `prune` once drained.
    pub fn detach(&mut self, id: u64) {
        if self.index.contains_key(&id) && !self.detached.contains(&id) {
            self.detached.push(id);
        }
        self.prune();
    }

    /// Removes a pipe now, returning it.
    pub fn remove(&mut self, id: u64) -> Option<PipeEnd> {
        self.detached.retain(|&d| d != id);
        let i = self.index.remove(&id)?;
        let pipe = self.list.swap_remove(i);
        if let Some(moved) = self.list.get(i) {
            self.index.insert(moved.id, i);
        }
        Some(pipe)
    }

    /// Drops detached pipes with nothing left to read.
    pub fn prune(&mut self) {
        if self.detached.is_empty() {
            return;
        }
        let drained: Vec<u64> = self
            .detached
            .iter()
            .copied()
            .filter(|&id| self.get(id).is_none_or(|p| !p.rx.has_message()))
            .collect();
        for id in drained {
            self.remove(id);
        }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
