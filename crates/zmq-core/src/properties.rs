//! A connection's properties (what zmq_msg_gets reads) and the counted
//! references every received frame holds to them.
//!
//! A reference per frame is a reference count per frame. With `Arc`, the
//! I/O thread's increment and the application thread's decrement moved the
//! count's cache line between cores twice per frame, which cost ipc 64 B
//! streams a third of their rate. So the engine takes references in blocks
//! (`Source`): it touches the count once per block, and the line stays
//! with the thread that drops the frames.

use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicUsize, Ordering};

/// How many references the engine counts in at once.
const BLOCK: usize = 4096;

/// The connection properties, under libzmq's exact names: the peer's
/// handshake metadata (Socket-Type, Identity, ...), its address, the ZAP
/// handler's user id and metadata, and the connection's descriptor. Values
/// keep a terminating NUL so the C API can hand them out as they are.
#[derive(Debug, Default)]
pub struct Properties {
    entries: Vec<(String, Vec<u8>)>,
}

impl Properties {
    /// Adds a property unless one of that name is there: the first wins,
    /// as in libzmq (the address before ZAP's, ZAP's before the peer's).
    pub fn insert(&mut self, name: &str, value: &[u8]) {
        if self.get(name).is_some() {
            return;
        }
        let mut v = Vec::with_capacity(value.len() + 1);
        v.extend_from_slice(value);
        v.push(0);
        self.entries.push((name.to_owned(), v));
    }

    /// The value of `name` (matched exactly, as libzmq does), with its NUL.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| &v[..])
    }
}

struct Shared {
    /// References outstanding, counting those a `Source` holds in reserve.
    count: AtomicUsize,
    properties: Properties,
}

/// One counted reference, as `Arc<Properties>` would be.
pub struct PropertiesRef(NonNull<Shared>);

// SAFETY: the properties are never changed once shared, and the count is
// atomic: references may move to and be used from any thread, as `Arc`'s.
unsafe impl Send for PropertiesRef {}
// SAFETY: as above; `&PropertiesRef` only reads the properties.
unsafe impl Sync for PropertiesRef {}

impl PropertiesRef {
    fn shared(&self) -> &Shared {
        // SAFETY: the allocation lives while any reference to it does, and
        // this one is counted.
        unsafe { self.0.as_ref() }
    }
}

impl std::ops::Deref for PropertiesRef {
    type Target = Properties;

    fn deref(&self) -> &Properties {
        &self.shared().properties
    }
}

impl Clone for PropertiesRef {
    fn clone(&self) -> PropertiesRef {
        // Relaxed, as `Arc`: a new reference comes from an existing one.
        self.shared().count.fetch_add(1, Ordering::Relaxed);
        PropertiesRef(self.0)
    }
}

impl Drop for PropertiesRef {
    fn drop(&mut self) {
        release(self.0, 1);
    }
}

impl std::fmt::Debug for PropertiesRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// Gives up `n` counted references; the last one frees the properties.
fn release(ptr: NonNull<Shared>, n: usize) {
    // SAFETY: the caller owns `n` counted references, so the allocation is
    // alive until they are given up here.
    let shared = unsafe { ptr.as_ref() };
    // Release then Acquire, as `Arc`: every use happens before the free.
    if shared.count.fetch_sub(n, Ordering::Release) != n {
        return;
    }
    fence(Ordering::Acquire);
    // SAFETY: the count reached zero: no reference is left, and the
    // allocation came from `Box::into_raw` in `Source::new`.
    drop(unsafe { Box::from_raw(ptr.as_ptr()) });
}

/// Where an engine gets the references it puts on frames: counted in
/// blocks of `BLOCK`, handed out one by one without touching the count.
pub struct Source {
    ptr: NonNull<Shared>,
    /// References counted in and not handed out yet.
    reserved: usize,
}

// SAFETY: a `Source` owns counted references, like a set of `PropertiesRef`.
unsafe impl Send for Source {}

impl Source {
    pub fn new(properties: Properties) -> Source {
        let shared = Box::new(Shared {
            count: AtomicUsize::new(1),
            properties,
        });
        Source {
            ptr: NonNull::from(Box::leak(shared)),
            reserved: 1,
        }
    }

    /// A reference for one more frame.
    pub fn take(&mut self) -> PropertiesRef {
        if self.reserved == 1 {
            // SAFETY: we hold a counted reference (the one kept in reserve).
            let shared = unsafe { self.ptr.as_ref() };
            shared.count.fetch_add(BLOCK, Ordering::Relaxed);
            self.reserved += BLOCK;
        }
        self.reserved -= 1;
        PropertiesRef(self.ptr)
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        release(self.ptr, self.reserved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Properties {
        let mut p = Properties::default();
        p.insert("Socket-Type", b"PUSH");
        p.insert("Socket-Type", b"PULL");
        p
    }

    #[test]
    fn first_of_a_name_wins_and_values_end_with_nul() {
        let p = sample();
        assert_eq!(p.get("Socket-Type"), Some(&b"PUSH\0"[..]));
        assert_eq!(p.get("socket-type"), None);
    }

    #[test]
    fn references_outlive_their_source_across_threads() {
        let mut source = Source::new(sample());
        let refs: Vec<PropertiesRef> = (0..3 * BLOCK).map(|_| source.take()).collect();
        let copy = refs[0].clone();
        drop(source);
        let handle = std::thread::spawn(move || {
            let n = refs.len();
            assert!(refs.iter().all(|r| r.get("Socket-Type").is_some()));
            drop(refs);
            n
        });
        assert_eq!(handle.join().unwrap(), 3 * BLOCK);
        // The last reference frees the properties (Miri or a leak checker
        // would see a double free or a leak here).
        assert_eq!(copy.get("Socket-Type"), Some(&b"PUSH\0"[..]));
        // SAFETY: test-only peek at the count held by `copy` alone.
        let count = unsafe { copy.0.as_ref() }.count.load(Ordering::Relaxed);
        assert_eq!(count, 1);
    }
}
