//! The one place where a `zmq_core::Error` becomes a C `errno`, and the
//! guard that keeps panics from crossing the FFI boundary.
//!
//! Every exported function runs its body inside [`guard`]; failures set
//! `errno` through [`fail`] and return -1 (or NULL), as libzmq does.

use std::ffi::c_int;
use std::panic::{self, AssertUnwindSafe};

use zmq_core::Error;

/// The errno libzmq reports for `e` (the mapping lives with the error).
pub(crate) fn errno_of(e: Error) -> c_int {
    e.errno()
}

/// Sets the calling thread's `errno`.
pub(crate) fn set_errno(code: c_int) {
    // SAFETY: __errno_location returns a valid pointer to the calling
    // thread's errno for the whole life of the thread.
    unsafe { *libc::__errno_location() = code };
}

/// Reads the calling thread's `errno`.
pub(crate) fn errno() -> c_int {
    // SAFETY: as in `set_errno`.
    unsafe { *libc::__errno_location() }
}

/// Sets `errno` for `e` and returns -1, the C API's failure value.
pub(crate) fn fail(e: Error) -> c_int {
    set_errno(errno_of(e));
    -1
}

/// Runs `f`, turning a panic into `errno = EFAULT` and `on_panic`, so that
/// no unwind ever reaches C code.
pub(crate) fn guard<T>(on_panic: T, f: impl FnOnce() -> T) -> T {
    // Unwind safety: after a panic the caller only sees `on_panic` and
    // errno; the state `f` touched is C-owned and reported as EFAULT.
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => {
            set_errno(libc::EFAULT);
            on_panic
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::constants::ETERM;

    #[test]
    fn zmq_errors_map_to_libzmq_numbers() {
        assert_eq!(errno_of(Error::State), 156384712 + 51);
        assert_eq!(errno_of(Error::IncompatibleProtocol), 156384712 + 52);
        assert_eq!(errno_of(Error::Terminated), 156384712 + 53);
        assert_eq!(errno_of(Error::NoThread), 156384712 + 54);
        assert_eq!(errno_of(Error::Again), libc::EAGAIN);
        assert_eq!(errno_of(Error::Os(libc::EPIPE)), libc::EPIPE);
    }

    #[test]
    fn fail_sets_errno_and_returns_minus_one() {
        assert_eq!(fail(Error::Terminated), -1);
        assert_eq!(errno(), ETERM);
    }

    #[test]
    fn guard_turns_a_panic_into_efault() {
        // The panic message on stderr is expected.
        let r = guard(-1, || -> c_int { panic!("boom") });
        assert_eq!(r, -1);
        assert_eq!(errno(), libc::EFAULT);
        assert_eq!(guard(-1, || 7), 7);
    }
}
