//! Large message bodies are recycled rather than freed. A buffer taken
//! from the pool already holds initialised bytes (zeroed once, when it was
//! first made), so `zmq_msg_init_size` costs no memset, no page faults and,
//! in steady traffic, no allocation. Buffers go back to the pool of their
//! size class when the last holder drops them, from whatever thread.

use parking_lot::Mutex;

/// The smallest and largest pooled capacities (powers of two).
const MIN_CLASS: u32 = 12; // 4 KiB
const MAX_CLASS: u32 = 26; // 64 MiB
const CLASSES: usize = (MAX_CLASS - MIN_CLASS + 1) as usize;
/// How many bytes each class may keep idle.
const KEEP_BYTES: usize = 32 * 1024 * 1024;

static POOL: Mutex<[Vec<Vec<u8>>; CLASSES]> = Mutex::new([const { Vec::new() }; CLASSES]);

/// A body buffer of `len()` initialised bytes, recycled on drop.
pub struct Buf {
    vec: Vec<u8>,
}

/// The class of a buffer holding `len` bytes, if pooled.
fn class_of(len: usize) -> Option<u32> {
    let class = len
        .max(1)
        .next_power_of_two()
        .trailing_zeros()
        .max(MIN_CLASS);
    (class <= MAX_CLASS).then_some(class)
}

impl Buf {
    /// `len` bytes of unspecified (but initialised) content.
    pub fn take(len: usize) -> Buf {
        let Some(class) = class_of(len) else {
            return Buf { vec: vec![0; len] };
        };
        let recycled = POOL.lock()[(class - MIN_CLASS) as usize].pop();
        let mut vec = recycled.unwrap_or_else(|| vec![0; 1 << class]);
        // SAFETY: every pooled buffer was zero-filled to its full capacity
        // when it was made, and truncating never de-initialises bytes, so
        // all `capacity` bytes are initialised.
        unsafe { vec.set_len(vec.capacity()) };
        vec.truncate(len);
        Buf { vec }
    }

    /// A pooled buffer holding a copy of `data`.
    pub fn copy_of(data: &[u8]) -> Buf {
        let mut buf = Buf::take(data.len());
        buf.vec.copy_from_slice(data);
        buf
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.vec
    }
}

impl AsRef<[u8]> for Buf {
    fn as_ref(&self) -> &[u8] {
        &self.vec
    }
}

impl Clone for Buf {
    fn clone(&self) -> Buf {
        Buf::copy_of(&self.vec)
    }
}

impl Drop for Buf {
    fn drop(&mut self) {
        let cap = self.vec.capacity();
        let Some(class) = class_of(cap).filter(|c| 1usize << c == cap) else {
            return;
        };
        let vec = std::mem::take(&mut self.vec);
        let mut pool = POOL.lock();
        let idle = &mut pool[(class - MIN_CLASS) as usize];
        if (idle.len() + 1) * cap <= KEEP_BYTES.max(cap) {
            idle.push(vec);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_recycled_by_size_class() {
        let a = Buf::take(10_000);
        assert_eq!(a.as_ref().len(), 10_000);
        let ptr = a.as_ref().as_ptr();
        drop(a);
        // The same class (16 KiB) hands the buffer back out.
        let b = Buf::take(12_000);
        assert_eq!(b.as_ref().len(), 12_000);
        assert_eq!(b.as_ref().as_ptr(), ptr);
        let c = Buf::copy_of(&[5u8; 5000]);
        assert!(c.as_ref().iter().all(|&x| x == 5));
        assert_eq!(class_of(1), Some(MIN_CLASS));
        assert_eq!(class_of((1 << MAX_CLASS) + 1), None);
    }
}
