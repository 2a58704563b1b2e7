//! Large message bodies are recycled rather than freed. A buffer taken
//! from the pool already holds initialised bytes (zeroed once, when it was
//! first made), so `zmq_msg_init_size` costs no memset, no page faults and,
//! in steady traffic, no allocation. Buffers go back to the pool of their
//! size class when the last holder drops them, from whatever thread.
//!
//! Buffers from 64 KiB up are anonymous mappings of their own, not heap
//! memory: calloc hands out reused heap memory by clearing it, and a
//! sender's buffer the kernel has only read is mapped to the shared zero
//! page, so clearing it costs a copy-on-write fault, and a TLB shootdown on
//! every CPU running a thread of the process, per 4 KiB page. A fresh
//! mapping is zero already and needs no clearing, and the pages of it an
//! application never writes stay on the zero page: they cost no memory,
//! and sending them reads one page that is always in cache (64 KiB bodies
//! of which only a header was written: 1.3x libzmq's rate at a seventh of
//! the memory, where heap buffers were at par with 5x the memory).

use parking_lot::Mutex;
use std::alloc::{alloc_zeroed, dealloc, handle_alloc_error, Layout};
use std::ptr::NonNull;
use std::time::{Duration, Instant};

/// The smallest and largest pooled capacities (powers of two).
const MIN_CLASS: u32 = 12; // 4 KiB
const MAX_CLASS: u32 = 26; // 64 MiB
const CLASSES: usize = (MAX_CLASS - MIN_CLASS + 1) as usize;
/// Classes from this one up are mapped, not taken from the heap.
const MAPPED_CLASS: u32 = 16; // 64 KiB
/// How many bytes of idle buffers each class keeps for good.
const KEEP_BYTES: usize = 32 * 1024 * 1024;
/// How many bytes of idle buffers a mapped class may hold for a while. A
/// sender ahead of its connection by a high-water mark of large messages
/// returns them in bursts, and each one unmapped would be mapped and
/// faulted in again soon after, its unmapping costing a TLB shootdown.
/// Buffers left unused for `DECAY` are released, down to `KEEP_BYTES`.
const LIMIT_MAPPED_BYTES: usize = 1024 * 1024 * 1024;
/// How long idle buffers beyond `KEEP_BYTES` may go unused.
const DECAY: Duration = Duration::from_secs(1);

/// The address of an idle pooled buffer (it owns nothing by itself).
struct Idle(NonNull<u8>);

// SAFETY: an idle buffer is memory no one uses; moving its address between
// threads is how buffers are recycled.
unsafe impl Send for Idle {}

/// One size class's idle buffers, most recently used last.
struct Class {
    idle: Vec<Idle>,
    /// The fewest buffers idle since the last trim: that many went unused.
    low: usize,
    /// When the class was last trimmed.
    trimmed: Option<Instant>,
}

impl Class {
    const EMPTY: Class = Class {
        idle: Vec::new(),
        low: 0,
        trimmed: None,
    };

    fn take(&mut self) -> Option<NonNull<u8>> {
        let ptr = self.idle.pop()?.0;
        self.low = self.low.min(self.idle.len());
        Some(ptr)
    }

    /// Keeps a returned buffer unless the class is full; false if full.
    fn keep(&mut self, ptr: NonNull<u8>, class: u32) -> bool {
        let cap = 1usize << class;
        let limit = if class < MAPPED_CLASS {
            KEEP_BYTES
        } else {
            LIMIT_MAPPED_BYTES
        };
        if (self.idle.len() + 1) * cap > limit.max(cap) {
            return false;
        }
        self.idle.push(Idle(ptr));
        // Below the floor there is nothing to release: no clock read.
        if self.idle.len() * cap > KEEP_BYTES {
            self.trim(class, Instant::now());
        }
        true
    }

    /// Releases the buffers beyond `KEEP_BYTES` that stayed idle for a
    /// whole `DECAY` period (the least recently used ones).
    fn trim(&mut self, class: u32, now: Instant) {
        let due = self.trimmed.is_none_or(|t| now.duration_since(t) >= DECAY);
        if !due {
            return;
        }
        let keep = (KEEP_BYTES >> class).max(1);
        let unused = self.low.min(self.idle.len().saturating_sub(keep));
        for idle in self.idle.drain(..unused) {
            release(idle.0, class);
        }
        self.low = self.idle.len();
        self.trimmed = Some(now);
    }
}

type Pool = Mutex<[Class; CLASSES]>;

/// Buffers for bodies applications build (zmq_msg_init_size, copies).
static APP: Pool = Mutex::new([Class::EMPTY; CLASSES]);
/// Buffers connections receive large frames into. Kept apart: a sender
/// running ahead holds its buffers for as long as its queue is long, which
/// would leave none to recycle for receiving, and each fresh receive
/// buffer costs a page fault and a page clearing per 4 KiB.
static RECEIVE: Pool = Mutex::new([Class::EMPTY; CLASSES]);

/// A body buffer of `len()` initialised bytes, recycled on drop.
pub struct Buf(Storage);

enum Storage {
    /// A buffer of capacity `1 << class`, returned to the pool on drop.
    Pooled {
        ptr: NonNull<u8>,
        len: usize,
        class: u32,
        pool: &'static Pool,
    },
    /// Larger than any class: plain heap memory.
    Oversized(Vec<u8>),
}

// SAFETY: a Buf is the only owner of its memory; `&Buf` only reads it.
unsafe impl Send for Buf {}
// SAFETY: as above.
unsafe impl Sync for Buf {}

/// The class of a buffer holding `len` bytes, if pooled.
fn class_of(len: usize) -> Option<u32> {
    let class = len
        .max(1)
        .next_power_of_two()
        .trailing_zeros()
        .max(MIN_CLASS);
    (class <= MAX_CLASS).then_some(class)
}

fn layout(class: u32) -> Layout {
    Layout::from_size_align(1 << class, 64).expect("valid buffer layout")
}

/// Where a mapped buffer's bytes start in its mapping: half way into its
/// first page, not at the page's start. The kernel copies a frame sent over
/// tcp into fresh pages right behind the few bytes of header sent before it,
/// and when the destination runs a few bytes ahead of the source modulo
/// 4 KiB, every load of the copy waits on a store it only seems to depend
/// on (4K aliasing): a page-aligned 64 KiB body took 30 µs to copy in
/// sendmsg where the same bytes at any other offset took 5 (64 KiB round
/// trips between processes; heap buffers, libzmq's, land at other offsets).
const MAPPED_OFFSET: usize = 2048;

/// The length of a mapped buffer's mapping: its capacity and the page
/// `MAPPED_OFFSET` moves it into.
fn mapping_len(class: u32) -> usize {
    (1 << class) + 4096
}

/// A new zero-filled buffer of capacity `1 << class`, or None when the
/// system has no memory for it.
fn allocate(class: u32) -> Option<NonNull<u8>> {
    if class < MAPPED_CLASS {
        // SAFETY: a non-zero-sized layout.
        return NonNull::new(unsafe { alloc_zeroed(layout(class)) });
    }
    // SAFETY: a private anonymous mapping of a non-zero length, not tied to
    // any file or existing memory; the result is checked below.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            mapping_len(class),
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return None;
    }
    // SAFETY: the mapping is `mapping_len` bytes long, so the capacity
    // from `MAPPED_OFFSET` on lies inside it.
    NonNull::new(unsafe { p.cast::<u8>().add(MAPPED_OFFSET) })
}

/// `len` zero bytes on the heap, or None when the system has no memory
/// for them (`vec![0; len]` would abort the process instead).
fn zeroed_vec(len: usize) -> Option<Vec<u8>> {
    let layout = Layout::array::<u8>(len).ok()?;
    if len == 0 {
        return Some(Vec::new());
    }
    // SAFETY: a non-zero-sized layout.
    let p = unsafe { alloc_zeroed(layout) };
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` comes from the global allocator with the layout of
    // `len` bytes, all of them initialised (zeroed), and nothing else owns it.
    Some(unsafe { Vec::from_raw_parts(p, len, len) })
}

/// Gives a buffer's memory back to the system.
fn release(ptr: NonNull<u8>, class: u32) {
    if class < MAPPED_CLASS {
        // SAFETY: allocated by `allocate` with this layout, and unused.
        unsafe { dealloc(ptr.as_ptr(), layout(class)) };
    } else {
        // SAFETY: a whole mapping made by `allocate` (which handed out its
        // start plus `MAPPED_OFFSET`), and unused. munmap can only fail
        // for a bad range, which this is not.
        unsafe { libc::munmap(ptr.as_ptr().sub(MAPPED_OFFSET).cast(), mapping_len(class)) };
    }
}

impl Buf {
    /// `len` bytes of unspecified (but initialised) content; None when the
    /// system has no memory for them (libzmq's ENOMEM).
    pub fn try_take(len: usize) -> Option<Buf> {
        Buf::take_from(&APP, len)
    }

    /// As `try_take`, for a connection receiving a large frame.
    pub fn for_receiving(len: usize) -> Option<Buf> {
        Buf::take_from(&RECEIVE, len)
    }

    fn take_from(pool: &'static Pool, len: usize) -> Option<Buf> {
        let Some(class) = class_of(len) else {
            return zeroed_vec(len).map(|v| Buf(Storage::Oversized(v)));
        };
        let recycled = pool.lock()[(class - MIN_CLASS) as usize].take();
        let ptr = match recycled {
            Some(ptr) => ptr,
            None => allocate(class)?,
        };
        Some(Buf(Storage::Pooled {
            ptr,
            len,
            class,
            pool,
        }))
    }

    /// A pooled buffer holding a copy of `data`.
    pub fn copy_of(data: &[u8]) -> Buf {
        let mut buf = Buf::try_take(data.len())
            .unwrap_or_else(|| handle_alloc_error(Layout::for_value(data)));
        buf.as_mut_slice().copy_from_slice(data);
        buf
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        match &mut self.0 {
            // SAFETY: the buffer holds at least `len` bytes, all initialised
            // (zeroed when made; reuse never de-initialises them), and
            // `&mut self` makes the access unique.
            Storage::Pooled { ptr, len, .. } => unsafe {
                std::slice::from_raw_parts_mut(ptr.as_ptr(), *len)
            },
            Storage::Oversized(vec) => vec,
        }
    }
}

impl AsRef<[u8]> for Buf {
    fn as_ref(&self) -> &[u8] {
        match &self.0 {
            // SAFETY: as in `as_mut_slice`; shared access only reads.
            Storage::Pooled { ptr, len, .. } => unsafe {
                std::slice::from_raw_parts(ptr.as_ptr(), *len)
            },
            Storage::Oversized(vec) => vec,
        }
    }
}

impl Clone for Buf {
    fn clone(&self) -> Buf {
        Buf::copy_of(self.as_ref())
    }
}

impl Drop for Buf {
    fn drop(&mut self) {
        let Storage::Pooled {
            ptr, class, pool, ..
        } = self.0
        else {
            return;
        };
        let kept = pool.lock()[(class - MIN_CLASS) as usize].keep(ptr, class);
        if !kept {
            release(ptr, class);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_recycled_by_size_class() {
        for (len, same_class) in [(10_000, 12_000), (200_000, 250_000)] {
            let a = Buf::try_take(len).unwrap();
            assert_eq!(a.as_ref().len(), len);
            let ptr = a.as_ref().as_ptr();
            drop(a);
            // The same class hands the buffer back out.
            let b = Buf::try_take(same_class).unwrap();
            assert_eq!(b.as_ref().len(), same_class);
            assert_eq!(b.as_ref().as_ptr(), ptr);
        }
        let c = Buf::copy_of(&[5u8; 5000]);
        assert!(c.as_ref().iter().all(|&x| x == 5));
        let mapped = Buf::copy_of(&[7u8; 300_000]);
        assert!(mapped.clone().as_ref().iter().all(|&x| x == 7));
        assert_eq!(class_of(1), Some(MIN_CLASS));
        assert_eq!(class_of((1 << MAX_CLASS) + 1), None);
    }

    #[test]
    fn mapped_buffers_start_half_way_into_a_page() {
        for len in [64 * 1024, 65_536 + 9, 1 << 20] {
            let mut b = Buf::try_take(len).unwrap();
            assert_eq!(b.as_ref().as_ptr() as usize % 4096, MAPPED_OFFSET);
            // The whole capacity is there to write.
            b.as_mut_slice().fill(3);
            assert!(b.as_ref().iter().all(|&x| x == 3));
        }
    }

    #[test]
    fn idle_buffers_beyond_the_floor_decay() {
        const MIB: u32 = 20;
        let floor = KEEP_BYTES >> MIB;
        let mut class = Class::EMPTY;
        let start = Instant::now();
        class.trim(MIB, start);
        for _ in 0..floor + 28 {
            assert!(class.keep(allocate(MIB).unwrap(), MIB));
        }
        // Buffers returned during a period were not idle all of it.
        class.trim(MIB, start + DECAY * 2);
        assert_eq!(class.idle.len(), floor + 28);
        // 40 are used in the next period: they stay, the other 20 go.
        let used: Vec<_> = (0..40).map(|_| class.take().unwrap()).collect();
        for ptr in used {
            assert!(class.keep(ptr, MIB));
        }
        class.trim(MIB, start + DECAY * 4);
        assert_eq!(class.idle.len(), 40);
        // Unused for a whole period: down to the floor, and no further.
        class.trim(MIB, start + DECAY * 6);
        assert_eq!(class.idle.len(), floor);
        class.trim(MIB, start + DECAY * 8);
        assert_eq!(class.idle.len(), floor);
        for idle in class.idle.drain(..) {
            release(idle.0, MIB);
        }
    }
}
