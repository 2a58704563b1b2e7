//! The set of pipes a socket has attached, found by id in constant time.
//! A detached pipe stays until the messages it already delivered are read,
//! as libzmq delivers them too.

use crate::link::PipeEnd;
use crate::msg::Msg;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes pipe ids (small sequential integers we hand out, never chosen by
/// a peer) with one multiplication instead of SipHash.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Maps and sets keyed by pipe id.
pub type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;
pub type IdSet = HashSet<u64, BuildHasherDefault<IdHasher>>;

#[derive(Default)]
pub struct PipeSet {
    pub list: Vec<PipeEnd>,
    /// Position of each pipe in `list`, by id.
    index: IdMap<usize>,
    /// Pipes whose peer is gone; removed once drained.
    detached: Vec<u64>,
    /// The socket's thread is looking in a loop and will look once more
    /// before it sleeps: reads need not ask to be woken.
    spinning: Cell<bool>,
}

impl PipeSet {
    pub fn attach(&mut self, pipe: PipeEnd) {
        self.index.insert(pipe.id, self.list.len());
        self.list.push(pipe);
    }

    /// Says whether the socket's thread is spinning (see `read_into`).
    pub fn set_spinning(&self, spinning: bool) {
        self.spinning.set(spinning);
    }

    /// The next frame from `pipe`, into `out` (untouched when there is
    /// none), asking to be woken when it is empty unless the socket's
    /// thread is spinning.
    pub fn read_into(&self, pipe: &PipeEnd, out: &mut Msg) -> bool {
        pipe.rx.read_into(out, self.spinning.get())
    }

    pub fn get(&self, id: u64) -> Option<&PipeEnd> {
        self.index.get(&id).map(|&i| &self.list[i])
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut PipeEnd> {
        self.index.get(&id).map(|&i| &mut self.list[i])
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
