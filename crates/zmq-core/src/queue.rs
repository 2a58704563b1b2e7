//! The storage behind a pipe: a single-producer single-consumer queue of
//! frames in linked chunks. A few drained chunks are kept for reuse (a queue
//! swinging between its low- and high-water marks needs several), so a
//! queue in steady state allocates nothing; the only atomic
//! read-modify-writes are on those spare chunks, once per 128 frames.
//!
//! The queue does no synchronisation of its own. Its owner (the pipe)
//! guarantees that one thread at a time pushes and one thread at a time
//! pops, that a frame is popped only after its push was published to the
//! reader (the pipe's message counter: Release when writing, Acquire when
//! reading), and that `pop` is called only when a frame is there.

use crate::msg::Msg;
use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

const CHUNK: usize = 128;
/// Drained chunks kept for reuse, at most.
const SPARES: usize = 8;

/// One frame per cache line, as when a `Msg` filled 64 bytes (it is 56
/// now): the writer filling a slot never shares a line with the reader
/// emptying the one before it. (Against this session's starting build, 64 B
/// tcp streams measured 0.93-0.95 with 56-byte slots, 0.99-1.02 with these:
/// within this machine's noise, so kept for the principle.)
#[repr(align(64))]
struct Slot(MaybeUninit<Msg>);

struct Chunk {
    slots: [Slot; CHUNK],
    next: *mut Chunk,
}

impl Chunk {
    fn alloc() -> *mut Chunk {
        Box::into_raw(Box::new(Chunk {
            slots: [const { Slot(MaybeUninit::uninit()) }; CHUNK],
            next: ptr::null_mut(),
        }))
    }
}

/// One side's position: the chunk and the next slot in it.
struct End {
    chunk: *mut Chunk,
    pos: usize,
}

/// Keeps a side's fields on their own cache line, so the writer's and the
/// reader's updates do not bounce one line between cores (the queue's two
/// ends move with every frame; the pipe's counters too).
#[repr(align(64))]
pub(crate) struct Line<T>(pub(crate) T);

pub struct Queue {
    /// Writer-only.
    tail: Line<UnsafeCell<End>>,
    /// Reader-only.
    head: Line<UnsafeCell<End>>,
    /// Drained chunks the reader hands back to the writer: the reader
    /// only fills empty slots, the writer only empties full ones.
    spares: [AtomicPtr<Chunk>; SPARES],
}

// SAFETY: the queue is moved between and shared by exactly two threads, a
// writer and a reader, which touch disjoint fields (`tail` and `head`);
// frames cross only after the owner's Release/Acquire publication, and
// spare chunks cross through atomic swaps.
unsafe impl Send for Queue {}
// SAFETY: as above; `&Queue` is only used through `push` (writer) and
// `pop` (reader) under the owner's single-writer single-reader contract.
unsafe impl Sync for Queue {}

impl Default for Queue {
    fn default() -> Self {
        Queue::new()
    }
}

impl Queue {
    pub fn new() -> Queue {
        let first = Chunk::alloc();
        Queue {
            tail: Line(UnsafeCell::new(End {
                chunk: first,
                pos: 0,
            })),
            head: Line(UnsafeCell::new(End {
                chunk: first,
                pos: 0,
            })),
            spares: [const { AtomicPtr::new(ptr::null_mut()) }; SPARES],
        }
    }

    /// Appends a frame.
    ///
    /// # Safety
    /// Only one thread at a time (the writer) pushes.
    pub unsafe fn push(&self, msg: Msg) {
        // SAFETY: only the single writer touches `tail`.
        let tail = unsafe { &mut *self.tail.0.get() };
        if tail.pos == CHUNK {
            let next = self
                .spares
                .iter()
                .map(|slot| slot.swap(ptr::null_mut(), Ordering::Acquire))
                .find(|p| !p.is_null())
                .unwrap_or_else(Chunk::alloc);
            // SAFETY: `next` is a chunk no one else uses (fresh, or handed
            // back by the reader, who has left it); `tail.chunk` is ours
            // until the reader follows `next`, which it does only after the
            // frames written below are published.
            unsafe {
                (*next).next = ptr::null_mut();
                (*tail.chunk).next = next;
            }
            tail.chunk = next;
            tail.pos = 0;
        }
        // SAFETY: the slot is past every frame the reader may touch and
        // holds no value (it was never written or was moved out by `pop`).
        unsafe { (*tail.chunk).slots[tail.pos].0.write(msg) };
        tail.pos += 1;
    }

    /// Takes the oldest frame.
    ///
    /// # Safety
    /// Only one thread at a time (the reader) pops, and only when a frame
    /// is there whose push was published to it (Release by the writer,
    /// Acquire by the reader): an empty queue's slot is uninitialised.
    pub unsafe fn pop(&self) -> Msg {
        // SAFETY: only the single reader touches `head`.
        let head = unsafe { &mut *self.head.0.get() };
        if head.pos == CHUNK {
            let done = head.chunk;
            // SAFETY: a frame is there, so the writer has linked the next
            // chunk, and the publication of that frame made `next` visible.
            head.chunk = unsafe { (*done).next };
            head.pos = 0;
            let kept = self.spares.iter().any(|slot| {
                slot.compare_exchange(ptr::null_mut(), done, Ordering::Release, Ordering::Relaxed)
                    .is_ok()
            });
            if !kept {
                // SAFETY: the reader has left `done` and the writer moved on
                // past it, so the chunk is the queue's alone.
                drop(unsafe { Box::from_raw(done) });
            }
        }
        // SAFETY: the caller guarantees this slot holds a published frame,
        // which is moved out exactly once.
        let msg = unsafe { (*head.chunk).slots[head.pos].0.assume_init_read() };
        head.pos += 1;
        msg
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        let tail = self.tail.0.get_mut();
        let head = self.head.0.get_mut();
        let (mut chunk, mut pos) = (head.chunk, head.pos);
        loop {
            let end = if chunk == tail.chunk { tail.pos } else { CHUNK };
            for i in pos..end {
                // SAFETY: slots between head and tail hold frames not yet
                // popped; each is dropped once.
                unsafe { (*chunk).slots[i].0.assume_init_drop() };
            }
            // SAFETY: every chunk from head to tail belongs to the queue.
            let next = unsafe { (*chunk).next };
            let last = chunk == tail.chunk;
            // SAFETY: as above, freed once.
            drop(unsafe { Box::from_raw(chunk) });
            if last {
                break;
            }
            chunk = next;
            pos = 0;
        }
        for slot in &mut self.spares {
            let spare = *slot.get_mut();
            if !spare.is_null() {
                // SAFETY: a spare chunk is owned by the queue alone.
                drop(unsafe { Box::from_raw(spare) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn the_writers_end_and_the_readers_end_sit_on_different_cache_lines() {
        let tail = std::mem::offset_of!(Queue, tail);
        let head = std::mem::offset_of!(Queue, head);
        let (first, second) = (tail.min(head), tail.max(head));
        assert!(second / 64 > (first + size_of::<End>() - 1) / 64);
        assert_eq!(align_of::<Queue>() % 64, 0, "the queue starts a line");
    }

    #[test]
    fn fifo_across_chunks_and_drop_releases_the_rest() {
        let q = Queue::new();
        let big = Bytes::from(vec![1u8; 1000]);
        // One thread both pushes and pops, and pops only what it pushed.
        // SAFETY: as said.
        let push = |m| unsafe { q.push(m) };
        // SAFETY: as said.
        let pop = || unsafe { q.pop() };
        for round in 0..5 {
            for i in 0..300u32 {
                push(Msg::from_slice(&i.to_be_bytes()));
            }
            for i in 0..300u32 {
                assert_eq!(pop().data(), i.to_be_bytes(), "round {round}");
            }
        }
        for _ in 0..200 {
            push(Msg::from_bytes(big.clone()));
        }
        for _ in 0..50 {
            pop();
        }
        drop(q);
        assert!(big.is_unique(), "queued frames were dropped with the queue");
    }

    #[test]
    fn two_threads() {
        use std::sync::atomic::AtomicUsize;
        use std::sync::Arc;
        let q = Arc::new(Queue::new());
        let published = Arc::new(AtomicUsize::new(0));
        let (q2, p2) = (q.clone(), published.clone());
        let writer = std::thread::spawn(move || {
            for i in 0..100_000u32 {
                // SAFETY: this thread is the only writer.
                unsafe { q2.push(Msg::from_slice(&i.to_le_bytes())) };
                p2.fetch_add(1, Ordering::Release);
            }
        });
        let mut read = 0;
        while read < 100_000usize {
            if published.load(Ordering::Acquire) > read {
                // SAFETY: the only reader, and the frame was published.
                assert_eq!(unsafe { q.pop() }.data(), (read as u32).to_le_bytes());
                read += 1;
            }
        }
        writer.join().unwrap();
    }
}
