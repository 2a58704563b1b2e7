//! `zmq_timers_*`: a set of interval timers that the application drives
//! from its own loop (`zmq_timers_timeout` tells how long to wait,
//! `zmq_timers_execute` runs the handlers that are due).
//!
//! A timer set belongs to one thread at a time. Handlers may add, cancel or
//! change timers of the set they are called from.

use std::ffi::{c_int, c_long, c_void};
use std::ptr;
use std::time::{Duration, Instant};

use zmq_core::Error;

use crate::errno::{fail, guard, set_errno};

/// A timer handler, called with the timer's id and the `arg` given to
/// `zmq_timers_add`.
pub type zmq_timer_fn = unsafe extern "C" fn(timer_id: c_int, arg: *mut c_void);

struct Timer {
    id: c_int,
    interval: Duration,
    due: Instant,
    handler: zmq_timer_fn,
    arg: *mut c_void,
}

/// Marks a live timer set: a handle whose first word differs (a pointer to
/// something else, as in `zmq_timers_add(&timers, ...)`) is EFAULT, as in
/// libzmq, rather than memory taken for a set.
const LIVE: u32 = 0xCAFE_DA7A;

/// The set behind a `zmq_timers_new` handle.
#[repr(C)]
struct Timers {
    tag: u32,
    last_id: c_int,
    timers: Vec<Timer>,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            tag: LIVE,
            last_id: 0,
            timers: Vec::new(),
        }
    }
}

/// Whether `p` is a live set's handle (false for NULL or a misaligned one).
///
/// # Safety
/// `p` is NULL or points to at least four readable bytes.
unsafe fn is_live(p: *mut c_void) -> bool {
    let t = p.cast::<Timers>();
    // SAFETY: non-null and aligned, `p` points to readable memory holding
    // at least the tag's four bytes (a live set, or the caller's object).
    !t.is_null() && t.is_aligned() && unsafe { ptr::addr_of!((*t).tag).read() } == LIVE
}

impl Timers {
    fn get(&mut self, id: c_int) -> Option<&mut Timer> {
        self.timers.iter_mut().find(|t| t.id == id)
    }
}

fn millis(ms: usize) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// The set behind a handle; None (with EFAULT set) for NULL or a pointer
/// to anything but a live set.
///
/// # Safety
/// `p` is NULL or a live handle from `zmq_timers_new`, used by no other
/// reference while the result lives.
unsafe fn timers<'a>(p: *mut c_void) -> Option<&'a mut Timers> {
    // SAFETY: forwarded contract: NULL or readable.
    if !unsafe { is_live(p) } {
        set_errno(libc::EFAULT);
        return None;
    }
    // SAFETY: a live tag means `p` is a Box<Timers> from zmq_timers_new.
    unsafe { p.cast::<Timers>().as_mut() }
}

/// A new, empty timer set.
#[no_mangle]
pub extern "C" fn zmq_timers_new() -> *mut c_void {
    guard(ptr::null_mut(), || {
        Box::into_raw(Box::<Timers>::default()).cast()
    })
}

/// Frees the set at `*timers_p` and sets `*timers_p` to NULL.
///
/// # Safety
/// `timers_p` is NULL or points to a live handle from `zmq_timers_new`.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_destroy(timers_p: *mut *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: per the contract, a non-null `timers_p` is readable and
        // writable and holds a Box<Timers> leaked by zmq_timers_new.
        unsafe {
            match timers_p.as_mut() {
                Some(slot) if is_live(*slot) => {
                    let mut set = Box::from_raw(slot.cast::<Timers>());
                    set.tag = 0;
                    drop(set);
                    *slot = ptr::null_mut();
                    0
                }
                _ => fail(Error::Fault),
            }
        }
    })
}

/// Adds a timer calling `handler(id, arg)` every `interval` ms; returns
/// its id.
///
/// # Safety
/// `timers` is NULL or a live timer set; `handler` is safe to call with
/// `arg` from `zmq_timers_execute`.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_add(
    timers: *mut c_void,
    interval: usize,
    handler: Option<unsafe extern "C" fn(timer_id: c_int, arg: *mut c_void)>,
    arg: *mut c_void,
) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let Some(set) = (unsafe { self::timers(timers) }) else {
            return -1;
        };
        let Some(handler) = handler else {
            return fail(Error::Fault);
        };
        set.last_id += 1;
        let id = set.last_id;
        set.timers.push(Timer {
            id,
            interval: millis(interval),
            due: Instant::now() + millis(interval),
            handler,
            arg,
        });
        id
    })
}

/// Removes a timer; EINVAL if there is no such timer.
///
/// # Safety
/// `timers` is NULL or a live timer set.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_cancel(timers: *mut c_void, timer_id: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let Some(set) = (unsafe { self::timers(timers) }) else {
            return -1;
        };
        let before = set.timers.len();
        set.timers.retain(|t| t.id != timer_id);
        if set.timers.len() == before {
            return fail(Error::Invalid);
        }
        0
    })
}

/// Changes a timer's interval and restarts it from now.
///
/// # Safety
/// `timers` is NULL or a live timer set.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_set_interval(
    timers: *mut c_void,
    timer_id: c_int,
    interval: usize,
) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let Some(set) = (unsafe { self::timers(timers) }) else {
            return -1;
        };
        match set.get(timer_id) {
            Some(t) => {
                t.interval = millis(interval);
                t.due = Instant::now() + t.interval;
                0
            }
            None => fail(Error::Invalid),
        }
    })
}

/// Restarts a timer's interval from now.
///
/// # Safety
/// `timers` is NULL or a live timer set.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_reset(timers: *mut c_void, timer_id: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let Some(set) = (unsafe { self::timers(timers) }) else {
            return -1;
        };
        match set.get(timer_id) {
            Some(t) => {
                t.due = Instant::now() + t.interval;
                0
            }
            None => fail(Error::Invalid),
        }
    })
}

/// Milliseconds until the next timer is due (0 if one is), or -1 if the
/// set has no timers.
///
/// # Safety
/// `timers` is NULL or a live timer set.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_timeout(timers: *mut c_void) -> c_long {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let Some(set) = (unsafe { self::timers(timers) }) else {
            return -1;
        };
        let now = Instant::now();
        match set.timers.iter().map(|t| t.due).min() {
            // Rounded up, so that waiting this long finds the timer due.
            Some(due) => {
                let wait = due.saturating_duration_since(now);
                c_long::try_from(wait.as_nanos().div_ceil(1_000_000)).unwrap_or(c_long::MAX)
            }
            None => -1,
        }
    })
}

/// Runs the handler of every due timer, earliest first, and schedules each
/// again one interval from now.
///
/// # Safety
/// `timers` is NULL or a live timer set, not destroyed by a handler.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_execute(timers: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let Some(set) = (unsafe { self::timers(timers) }) else {
            return -1;
        };
        let now = Instant::now();
        let mut due: Vec<(Instant, c_int)> = set
            .timers
            .iter()
            .filter(|t| t.due <= now)
            .map(|t| (t.due, t.id))
            .collect();
        due.sort();
        for (_, id) in due {
            // Borrow the set afresh for each timer: the previous handler
            // may have changed it.
            // SAFETY: forwarded caller contract; no other borrow is live.
            let Some(set) = (unsafe { self::timers(timers) }) else {
                return -1;
            };
            let Some(t) = set.get(id) else {
                continue; // cancelled by an earlier handler
            };
            t.due = now + t.interval;
            let (handler, arg) = (t.handler, t.arg);
            // SAFETY: the handler and arg registered with zmq_timers_add.
            unsafe { handler(id, arg) };
        }
        0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" fn count(_id: c_int, arg: *mut c_void) {
        // SAFETY: the tests pass a pointer to a live c_int.
        unsafe { *arg.cast::<c_int>() += 1 };
    }

    unsafe extern "C" fn cancel_self(id: c_int, arg: *mut c_void) {
        // SAFETY: the test passes the live timer set as arg.
        assert_eq!(unsafe { zmq_timers_cancel(arg, id) }, 0);
    }

    #[test]
    fn timers_fire_when_due_and_can_be_cancelled() {
        let mut fired: c_int = 0;
        let arg = (&mut fired as *mut c_int).cast::<c_void>();
        // SAFETY: one live set; `fired` outlives it.
        unsafe {
            let mut set = zmq_timers_new();
            assert_eq!(zmq_timers_timeout(set), -1);
            let a = zmq_timers_add(set, 0, Some(count), arg);
            let b = zmq_timers_add(set, 60_000, Some(count), arg);
            assert_eq!((a, b), (1, 2));
            assert_eq!(zmq_timers_timeout(set), 0);
            assert_eq!(zmq_timers_execute(set), 0);
            assert_eq!(fired, 1);
            assert_eq!(zmq_timers_cancel(set, a), 0);
            assert_eq!(zmq_timers_cancel(set, a), -1);
            assert!(zmq_timers_timeout(set) > 59_000);
            assert_eq!(zmq_timers_set_interval(set, b, 0), 0);
            assert_eq!(zmq_timers_reset(set, 99), -1);
            zmq_timers_execute(set);
            assert_eq!(fired, 2);
            assert_eq!(zmq_timers_add(set, 1, None, arg), -1);
            assert_eq!(zmq_timers_destroy(&mut set), 0);
            assert!(set.is_null());
        }
    }

    #[test]
    fn a_pointer_to_anything_but_a_set_is_efault() {
        // SAFETY: every handle passed points to readable memory or is NULL.
        unsafe {
            let mut set = zmq_timers_new();
            let not_a_set = (&mut set as *mut *mut c_void).cast::<c_void>();
            assert_eq!(
                zmq_timers_add(not_a_set, 100, Some(count), ptr::null_mut()),
                -1
            );
            assert_eq!(crate::errno::errno(), libc::EFAULT);
            assert_eq!(zmq_timers_timeout(not_a_set), -1);
            assert_eq!(crate::errno::errno(), libc::EFAULT);
            assert_eq!(zmq_timers_execute(ptr::null_mut()), -1);
            assert_eq!(crate::errno::errno(), libc::EFAULT);
            let mut not_a_set = not_a_set;
            assert_eq!(zmq_timers_destroy(&mut not_a_set), -1);
            assert_eq!(zmq_timers_destroy(&mut set), 0);
        }
    }

    #[test]
    fn a_handler_may_cancel_its_own_timer() {
        // SAFETY: one live set, passed to its own handler.
        unsafe {
            let mut set = zmq_timers_new();
            let id = zmq_timers_add(set, 0, Some(cancel_self), set);
            assert_eq!(zmq_timers_execute(set), 0);
            assert_eq!(zmq_timers_cancel(set, id), -1);
            zmq_timers_destroy(&mut set);
        }
    }
}
