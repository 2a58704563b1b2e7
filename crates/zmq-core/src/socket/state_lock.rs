//! The lock around a socket's state. A socket is used by one thread at a
//! time (as libzmq requires), so the lock is practically never contended;
//! what it costs is its atomic instructions, twice per call on the message
//! path. This one takes one read-modify-write to lock and a plain store to
//! unlock (parking_lot's unlock is a second read-modify-write); a rare
//! contender spins, then yields.

use std::cell::UnsafeCell;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};

pub struct StateLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through a guard, and one guard exists
// at a time (acquire/release on `locked`), as with a mutex.
unsafe impl<T: Send> Sync for StateLock<T> {}
// SAFETY: as a mutex: moving the lock moves the value.
unsafe impl<T: Send> Send for StateLock<T> {}

/// Holding one is holding the lock. Through `&Guard` any thread could
/// reach `&T`, so a guard is Sync only when T is (the marker: a `&mut T`
/// is Sync exactly when T is).
pub struct Guard<'a, T>(&'a StateLock<T>, PhantomData<&'a mut T>);

impl<T> StateLock<T> {
    pub fn new(value: T) -> StateLock<T> {
        StateLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    pub fn lock(&self) -> Guard<'_, T> {
        let mut spins = 0u32;
        while self.locked.swap(true, Ordering::Acquire) {
            while self.locked.load(Ordering::Relaxed) {
                spins += 1;
                if spins < 64 {
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
        }
        Guard(self, PhantomData)
    }

    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: holding the guard means holding the lock.
        unsafe { &*self.0.value.get() }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: holding the guard means holding the lock, and `&mut self`
        // makes this the only reference through it.
        unsafe { &mut *self.0.value.get() }
    }
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        self.0.locked.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_guard_is_sync_only_when_its_value_is() {
        fn sync<T: Sync>() {}
        sync::<Guard<'static, u64>>();
        crate::assert_not_impl!(Guard<'static, std::cell::Cell<u64>>: Sync);
    }

    #[test]
    fn one_holder_at_a_time() {
        let lock = Arc::new(StateLock::new((0u64, 0u64)));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let lock = lock.clone();
                std::thread::spawn(move || {
                    for _ in 0..50_000 {
                        let mut g = lock.lock();
                        let pair = &mut *g;
                        // Torn updates would show if two held it at once.
                        pair.0 += 1;
                        std::hint::spin_loop();
                        pair.1 = pair.0;
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let g = lock.lock();
        assert_eq!(*g, (200_000, 200_000));
    }
}
