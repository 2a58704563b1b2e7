//! Small message bodies (up to 2 KiB) in fixed-size blocks recycled per
//! thread, like an allocator's thread cache: a block freed by one thread
//! goes to that thread's own free list, with no shared counter to bounce
//! between the thread that fills a body and the one that drops it. Lists
//! that grow past a batch spill to a shared depot, and threads that run dry
//! refill from it, one lock per batch. Steady traffic allocates nothing.

use parking_lot::Mutex;
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::cell::RefCell;
use std::ptr::NonNull;

/// Block sizes: 64 B to 2 KiB.
const CLASSES: usize = 6;
const SMALLEST: usize = 64;
/// The largest body a block holds.
pub const MAX: usize = SMALLEST << (CLASSES - 1);
/// Blocks moved between a thread and the depot at a time.
const BATCH: usize = 64;
/// Blocks the depot keeps per class before giving memory back.
const DEPOT_MAX: usize = 64 * BATCH;

fn class_of(len: usize) -> usize {
    (len.max(1).div_ceil(SMALLEST))
        .next_power_of_two()
        .trailing_zeros() as usize
}

fn layout(class: usize) -> Layout {
    Layout::from_size_align(SMALLEST << class, 16).expect("valid block layout")
}

/// A block address, as kept in free lists (it owns nothing by itself).
#[derive(Clone, Copy)]
struct Free(NonNull<u8>);

// SAFETY: a free block is plain memory no one uses; moving its address
// between threads is how blocks migrate.
unsafe impl Send for Free {}

static DEPOT: Mutex<[Vec<Free>; CLASSES]> = Mutex::new([const { Vec::new() }; CLASSES]);

struct Cache {
    free: [Vec<Free>; CLASSES],
}

impl Drop for Cache {
    fn drop(&mut self) {
        let mut depot = DEPOT.lock();
        for (class, list) in self.free.iter_mut().enumerate() {
            for block in list.drain(..) {
                release(&mut depot[class], block, class);
            }
        }
    }
}

thread_local! {
    static CACHE: RefCell<Cache> = const {
        RefCell::new(Cache {
            free: [const { Vec::new() }; CLASSES],
        })
    };
}

/// Puts a block in the depot, or frees it if the depot is full.
fn release(list: &mut Vec<Free>, block: Free, class: usize) {
    if list.len() < DEPOT_MAX {
        list.push(block);
    } else {
        // SAFETY: the block was allocated with this layout and is unused.
        unsafe { dealloc(block.0.as_ptr(), layout(class)) };
    }
}

fn take_block(class: usize) -> NonNull<u8> {
    let cached = CACHE
        .try_with(|c| {
            let mut c = c.borrow_mut();
            let list = &mut c.free[class];
            if list.is_empty() {
                let mut depot = DEPOT.lock();
                let from = &mut depot[class];
                let n = from.len().min(BATCH);
                list.extend(from.drain(from.len() - n..));
            }
            list.pop()
        })
        .ok()
        .flatten();
    match cached {
        Some(b) => b.0,
        None => {
            // SAFETY: a non-zero-sized layout; zeroed so the block's bytes
            // are initialised for good (reuse never de-initialises them).
            let p = unsafe { alloc_zeroed(layout(class)) };
            NonNull::new(p).unwrap_or_else(|| std::alloc::handle_alloc_error(layout(class)))
        }
    }
}

fn give_block(block: NonNull<u8>, class: usize) {
    let free = Free(block);
    let kept = CACHE.try_with(|c| {
        let mut c = c.borrow_mut();
        let list = &mut c.free[class];
        list.push(free);
        if list.len() > 2 * BATCH {
            let mut depot = DEPOT.lock();
            for b in list.drain(list.len() - BATCH..) {
                release(&mut depot[class], b, class);
            }
        }
    });
    if kept.is_err() {
        // Thread teardown: straight to the depot.
        release(&mut DEPOT.lock()[class], free, class);
    }
}

/// A body of up to `MAX` bytes in a recycled block.
pub struct Block {
    ptr: NonNull<u8>,
    len: u32,
    class: u8,
}

// SAFETY: a Block is the only owner of its memory; `&Block` only reads it.
unsafe impl Send for Block {}
// SAFETY: as above.
unsafe impl Sync for Block {}

impl Block {
    /// A body of `len` (<= MAX) bytes of unspecified, initialised content.
    pub fn take(len: usize) -> Block {
        debug_assert!(len <= MAX);
        let class = class_of(len);
        Block {
            ptr: take_block(class),
            len: len as u32,
            class: class as u8,
        }
    }

    pub fn copy_of(data: &[u8]) -> Block {
        let mut b = Block::take(data.len());
        b.as_mut_slice().copy_from_slice(data);
        b
    }

    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: the block holds at least `len` initialised bytes (zeroed
        // when made) and is exclusively ours.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len as usize) }
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as in `as_slice`, and `&mut self` makes the access unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len as usize) }
    }
}

impl AsRef<[u8]> for Block {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Clone for Block {
    fn clone(&self) -> Block {
        Block::copy_of(self.as_slice())
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        give_block(self.ptr, self.class as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_sizes_up_to_max() {
        assert_eq!(class_of(1), 0);
        assert_eq!(class_of(64), 0);
        assert_eq!(class_of(65), 1);
        assert_eq!(class_of(MAX), CLASSES - 1);
        for len in [1, 55, 64, 100, 1000, MAX] {
            assert!(SMALLEST << class_of(len) >= len);
        }
    }

    #[test]
    fn blocks_are_reused_and_cross_threads() {
        let a = Block::copy_of(&[1u8; 100]);
        let p = a.as_slice().as_ptr();
        drop(a);
        let b = Block::take(120);
        assert_eq!(b.as_slice().as_ptr(), p, "the thread's own free list first");
        let sent: Vec<Block> = (0..500).map(|i| Block::copy_of(&[i as u8; 64])).collect();
        let back = std::thread::spawn(move || {
            for (i, b) in sent.iter().enumerate() {
                assert_eq!(b.as_slice(), &[i as u8; 64][..]);
            }
            drop(sent); // freed on the other thread, spilled to the depot
        });
        back.join().unwrap();
        let again: Vec<Block> = (0..500).map(|_| Block::take(64)).collect();
        assert!(again.iter().all(|b| b.as_slice().len() == 64));
    }
}
