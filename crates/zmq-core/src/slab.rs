//! Small received bodies packed one after another in shared slabs. A
//! connection's decoder copies each small frame's body into the slab it is
//! filling, so consecutive messages sit side by side, as they came off the
//! wire: the receiving thread walks memory in order, and no allocation or
//! free list is touched per frame (a recycled `block` per frame lands
//! anywhere in memory, and a stream's bodies outgrew the free lists).
//!
//! Each body holds a counted reference to its slab. The writer counts a
//! large reserve in when it opens a slab and gives back what it did not
//! hand out when it moves on, so the count is touched once per slab by the
//! writer and once per body by whoever drops it, never by both threads per
//! frame. A kept body keeps its whole slab alive: slabs are small (8 KiB,
//! as libzmq's receive buffer, whose messages pin it the same way). Freed
//! slabs wait in a shared pool for the next writer, so steady traffic
//! allocates nothing. A publisher uses slabs too: a small body fanned out
//! to several peers is copied once and counted in for all of them at once
//! (those references share read-only bytes).
//!
//! A receiving connection's slabs also hold its properties (zmq_msg_gets),
//! counted once per slab: its bodies find them there, rather than each
//! frame counting a reference of its own in and out.

use crate::properties::{Properties, PropertiesRef};
use parking_lot::Mutex;
use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicUsize, Ordering};

/// The room in one slab.
const CAPACITY: usize = 8 * 1024;
/// Bodies up to this size go into slabs; larger ones would leave too much
/// of a slab unused when it is cut off.
pub const MAX: usize = 512;
/// Bodies start on this alignment (a C caller may cast them).
const ALIGN: usize = 8;
/// References counted in when a slab opens: more than it will hand out
/// (a body shared by many peers takes one each).
const RESERVE: usize = 1 << 40;
/// Freed slabs kept for reuse, at most (1 MiB).
const POOL_MAX: usize = 128;

/// A freed slab's address (it owns nothing by itself).
struct Free(NonNull<Header>);

// SAFETY: a freed slab is plain memory no one uses; its address may move
// between threads.
unsafe impl Send for Free {}

static POOL: Mutex<Vec<Free>> = Mutex::new(Vec::new());

#[repr(C)]
struct Header {
    /// References outstanding, the writer's unused reserve included.
    count: AtomicUsize,
    /// The properties of the connection whose bodies fill the slab; set
    /// before any body is handed out, dropped with the last reference.
    properties: Option<PropertiesRef>,
}

/// Bytes before the data, keeping the data aligned.
const DATA_AT: usize = std::mem::size_of::<Header>().next_multiple_of(ALIGN);

fn layout() -> Layout {
    Layout::from_size_align(
        DATA_AT + CAPACITY,
        ALIGN.max(std::mem::align_of::<Header>()),
    )
    .expect("valid slab layout")
}

/// Gives up `n` references; the last one frees the slab.
fn release(slab: NonNull<Header>, n: usize) {
    // SAFETY: the caller owns `n` counted references, so the slab lives
    // until they are given up here.
    let count = unsafe { &slab.as_ref().count };
    if count.fetch_sub(n, Ordering::Release) != n {
        return;
    }
    // Acquire, as `Arc`: every use of the slab happens before the free.
    fence(Ordering::Acquire);
    // SAFETY: no reference is left, so no one reads the header any more.
    drop(unsafe { (*slab.as_ptr()).properties.take() });
    let mut pool = POOL.lock();
    if pool.len() < POOL_MAX {
        pool.push(Free(slab));
        return;
    }
    drop(pool);
    // SAFETY: no reference is left; the slab came from `alloc(layout())`.
    unsafe { dealloc(slab.as_ptr().cast(), layout()) };
}

/// One body in a slab: its own bytes, which no other body overlaps; or,
/// when `shared`, bytes that other references to the same body read too.
pub struct SlabRef {
    slab: NonNull<Header>,
    at: u32,
    len: u32,
    shared: bool,
}

// SAFETY: a body's bytes are its own (bodies never overlap, and the writer
// only writes past every body it handed out), or shared read-only (no
// `&mut` is made of a shared body's bytes); the count is atomic.
unsafe impl Send for SlabRef {}
// SAFETY: `&SlabRef` only reads its own bytes.
unsafe impl Sync for SlabRef {}

impl SlabRef {
    fn data(&self) -> *mut u8 {
        // SAFETY: `at` is within the slab's data (checked when written).
        unsafe {
            self.slab
                .as_ptr()
                .cast::<u8>()
                .add(DATA_AT + self.at as usize)
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `len` bytes at `data()` were written before this body
        // was handed out, and belong to it alone.
        unsafe { std::slice::from_raw_parts(self.data(), self.len as usize) }
    }

    /// The bytes, writable: only for a body of its own (callers copy a
    /// shared one out first).
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        assert!(!self.shared, "a shared slab body is read-only");
        // SAFETY: as in `as_slice`; the body is not shared, and `&mut self`
        // makes the access unique.
        unsafe { std::slice::from_raw_parts_mut(self.data(), self.len as usize) }
    }

    /// Where the bytes are, for a C caller (who may write through it, as
    /// with libzmq's shared bodies).
    pub fn as_ptr(&self) -> *mut u8 {
        self.data()
    }

    /// Whether other references read the same bytes.
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// The properties of the connection the body came from, if its slab
    /// holds them.
    pub fn properties(&self) -> Option<&PropertiesRef> {
        // SAFETY: the header lives while this counted reference does, and
        // its properties are not changed while any body is out.
        unsafe { self.slab.as_ref() }.properties.as_ref()
    }
}

impl AsRef<[u8]> for SlabRef {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Drop for SlabRef {
    fn drop(&mut self) {
        release(self.slab, 1);
    }
}

/// Fills slabs, one at a time, with the bodies a decoder copies out.
#[derive(Debug, Default)]
pub struct SlabWriter {
    /// The slab being filled, the bytes used in it, and the references
    /// handed out of its reserve.
    open: Option<(NonNull<Header>, usize, usize)>,
    /// The properties every slab opened from now on holds.
    properties: Option<PropertiesRef>,
}

// SAFETY: the writer owns its slab's unused reserve and the bytes past
// every body handed out; nothing in it is tied to a thread.
unsafe impl Send for SlabWriter {}

impl SlabWriter {
    /// Ties the bodies copied from now on to `properties` (in a new slab,
    /// so the ones before keep theirs).
    pub fn set_properties(&mut self, properties: Option<PropertiesRef>) {
        self.close();
        self.properties = properties;
    }

    /// The properties the bodies copied now are tied to.
    pub fn properties(&self) -> Option<&Properties> {
        self.properties.as_deref()
    }

    /// A body holding a copy of `data` (at most `MAX` bytes).
    pub fn copy(&mut self, data: &[u8]) -> SlabRef {
        let (slab, at) = self.place(data, 1);
        SlabRef {
            slab,
            at,
            len: data.len() as u32,
            shared: false,
        }
    }

    /// `n` (at least 1) references to one copy of `data`, for the peers a
    /// message fans out to: counted with the slab's reserve, so handing
    /// them out touches no shared count (one `Arc`-like clone per peer
    /// would, from this thread, while the I/O thread drops the last ones).
    pub fn copy_shared(&mut self, data: &[u8], n: usize) -> Shares {
        let (slab, at) = self.place(data, n);
        Shares {
            slab,
            at,
            len: data.len() as u32,
            left: n,
        }
    }

    /// Copies `data` (at most `MAX` bytes) into the open slab, or a new
    /// one, and counts `refs` references to it out of the reserve; returns
    /// the slab and where the copy starts.
    fn place(&mut self, data: &[u8], refs: usize) -> (NonNull<Header>, u32) {
        debug_assert!(data.len() <= MAX);
        let (slab, used, handed) = match self.open {
            Some((slab, used, handed)) if used + data.len() <= CAPACITY && handed < RESERVE / 2 => {
                (slab, used, handed)
            }
            _ => {
                self.close();
                (open(self.properties.clone()), 0, 0)
            }
        };
        // SAFETY: `used + len` fits the slab's data, and those bytes are
        // past every body handed out, so no one else reads them.
        unsafe {
            let to = slab.as_ptr().cast::<u8>().add(DATA_AT + used);
            std::ptr::copy_nonoverlapping(data.as_ptr(), to, data.len());
        }
        let next = (used + data.len()).next_multiple_of(ALIGN);
        self.open = Some((slab, next, handed + refs));
        (slab, used as u32)
    }

    /// Gives back the open slab's unused reserve.
    fn close(&mut self) {
        if let Some((slab, _, handed)) = self.open.take() {
            release(slab, RESERVE - handed);
        }
    }
}

/// References to one shared body, handed out one at a time; those not
/// taken are given back when this drops.
pub struct Shares {
    slab: NonNull<Header>,
    at: u32,
    len: u32,
    left: usize,
}

// SAFETY: as `SlabRef`: it holds counted references to read-only bytes.
unsafe impl Send for Shares {}

impl Iterator for Shares {
    type Item = SlabRef;

    fn next(&mut self) -> Option<SlabRef> {
        self.left = self.left.checked_sub(1)?;
        Some(SlabRef {
            slab: self.slab,
            at: self.at,
            len: self.len,
            shared: true,
        })
    }
}

impl Drop for Shares {
    fn drop(&mut self) {
        if self.left > 0 {
            release(self.slab, self.left);
        }
    }
}

impl Drop for SlabWriter {
    fn drop(&mut self) {
        self.close();
    }
}

/// A slab with the writer's reserve counted in and holding `properties`:
/// a freed one, or new.
fn open(properties: Option<PropertiesRef>) -> NonNull<Header> {
    let freed = POOL.lock().pop();
    let slab = match freed {
        Some(Free(slab)) => slab,
        None => {
            // SAFETY: the layout is not zero-sized.
            let p = unsafe { alloc(layout()) };
            NonNull::new(p.cast::<Header>()).unwrap_or_else(|| handle_alloc_error(layout()))
        }
    };
    // SAFETY: memory no one uses (fresh, or freed: its count reached zero),
    // aligned for the header.
    unsafe {
        slab.as_ptr().write(Header {
            count: AtomicUsize::new(RESERVE),
            properties,
        })
    };
    slab
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_pack_in_order_and_stay_their_own() {
        let mut w = SlabWriter::default();
        let bodies: Vec<SlabRef> = (0..300u32)
            .map(|i| w.copy(&[i as u8; 64][..(i % 64 + 1) as usize]))
            .collect();
        for (i, b) in bodies.iter().enumerate() {
            assert_eq!(b.as_slice(), &[i as u8; 64][..i % 64 + 1]);
            assert_eq!(b.data() as usize % ALIGN, 0);
        }
        // Consecutive bodies share a slab until it is full.
        assert_eq!(bodies[0].slab, bodies[1].slab);
        assert_ne!(bodies[0].slab, bodies[299].slab);
        let mut first = w.copy(b"mine");
        first.as_mut_slice().copy_from_slice(b"MINE");
        assert_eq!(w.copy(b"next").as_slice(), b"next");
        assert_eq!(first.as_slice(), b"MINE");
    }

    #[test]
    fn shared_copies_read_one_body_and_give_back_what_was_not_taken() {
        let mut w = SlabWriter::default();
        let mut shares = w.copy_shared(&[5; 64], 4);
        let a = shares.next().unwrap();
        let b = shares.next().unwrap();
        assert!(a.is_shared() && b.is_shared());
        assert_eq!(a.as_ptr(), b.as_ptr(), "one copy");
        assert_eq!(b.as_slice(), &[5; 64]);
        let slab = a.slab;
        // SAFETY: `a` holds a reference while this is read.
        let count = || unsafe { slab.as_ref() }.count.load(Ordering::Relaxed);
        drop(shares); // two never taken
        drop(w);
        assert_eq!(count(), 2, "only the two taken remain");
        drop(b);
        assert_eq!(a.as_slice(), &[5; 64]);
    }

    #[test]
    #[should_panic(expected = "read-only")]
    fn a_shared_body_is_never_written_in_place() {
        let mut w = SlabWriter::default();
        let mut body = w
            .copy_shared(b"shared body, more than a few bytes", 2)
            .next()
            .unwrap();
        body.as_mut_slice()[0] = 0;
    }

    #[test]
    fn a_slab_lives_while_a_body_or_its_writer_does() {
        let mut w = SlabWriter::default();
        let kept = w.copy(&[7; 100]);
        let slab = kept.slab;
        let count = || {
            // SAFETY: `kept` holds a reference while this is read.
            unsafe { slab.as_ref() }.count.load(Ordering::Relaxed)
        };
        drop(w.copy(&[1; 100]));
        assert_eq!(count(), RESERVE - 1);
        drop(w);
        assert_eq!(count(), 1, "the writer gave its reserve back");
        // Bodies move between threads; the last drop frees the slab.
        let t = std::thread::spawn(move || kept.as_slice().to_vec());
        assert_eq!(t.join().unwrap(), vec![7; 100]);
    }
}
