//! Utilities with no socket behind them: version, errno and its text,
//! capabilities, Z85 (RFC 32), atomic counters, stopwatches, sleep and
//! threads.

use std::ffi::{c_char, c_int, c_ulong, c_void, CStr};
use std::ptr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use zmq_core::crypto::{keypair, SecretKey, KEY_LEN};
use zmq_core::Error;

use crate::constants::{
    EFSM, EMTHREAD, ENOCOMPATPROTO, ETERM, ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH,
};
use crate::errno::{errno, errno_of, guard, set_errno};

/// What `zmq_has` answers, in one place: flip an entry when its transport
/// or mechanism lands. libzmq 4.3.5 answers 0 for "tcp" and "inproc"
/// (it only knows the optional ones), so we do too.
const CAPABILITIES: &[(&str, bool)] = &[
    ("ipc", true),
    ("pgm", false),
    ("tipc", false),
    ("norm", false),
    ("vmci", false),
    ("ws", false),
    ("wss", false),
    ("curve", true),
    ("gssapi", false),
    ("draft", false),
];

/// Reports the library version, 4.3.5. NULL outputs are skipped.
///
/// # Safety
/// Each pointer is NULL or valid for writing an int.
#[no_mangle]
pub unsafe extern "C" fn zmq_version(major: *mut c_int, minor: *mut c_int, patch: *mut c_int) {
    guard((), || {
        for (p, v) in [
            (major, ZMQ_VERSION_MAJOR),
            (minor, ZMQ_VERSION_MINOR),
            (patch, ZMQ_VERSION_PATCH),
        ] {
            // SAFETY: per the contract, a non-null `p` is writable.
            if let Some(p) = unsafe { p.as_mut() } {
                *p = v;
            }
        }
    })
}

/// The calling thread's errno, as the library set it.
#[no_mangle]
pub extern "C" fn zmq_errno() -> c_int {
    guard(libc::EFAULT, errno)
}

/// Text for an errno: libzmq's words for its own codes, the C library's
/// for the rest. The string is static; the caller must not free it.
#[no_mangle]
pub extern "C" fn zmq_strerror(errnum: c_int) -> *const c_char {
    guard(ptr::null(), || {
        let own: Option<&'static CStr> = match errnum {
            EFSM => Some(c"Operation cannot be accomplished in current state"),
            ENOCOMPATPROTO => Some(c"The protocol is not compatible with the socket type"),
            ETERM => Some(c"Context was terminated"),
            EMTHREAD => Some(c"No thread available"),
            _ => None,
        };
        match own {
            Some(s) => s.as_ptr(),
            // SAFETY: strerror accepts any int and returns a string the
            // C library keeps alive.
            None => unsafe { libc::strerror(errnum) },
        }
    })
}

/// 1 if the library supports `capability` ("tcp", "ipc", "curve", ...).
///
/// # Safety
/// `capability` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn zmq_has(capability: *const c_char) -> c_int {
    guard(0, || {
        if capability.is_null() {
            return 0;
        }
        // SAFETY: non-null and NUL-terminated per the contract.
        let name = unsafe { CStr::from_ptr(capability) }.to_bytes();
        let found = CAPABILITIES
            .iter()
            .any(|&(cap, on)| on && cap.as_bytes() == name);
        c_int::from(found)
    })
}

/// Encodes `size` bytes (a multiple of 4) into `dest` as NUL-terminated
/// Z85 text of `size * 5 / 4 + 1` bytes; returns `dest`, or NULL with
/// EINVAL if `size` is not a multiple of 4.
///
/// # Safety
/// `data` is valid for `size` bytes; `dest` for `size * 5 / 4 + 1`.
#[no_mangle]
pub unsafe extern "C" fn zmq_z85_encode(
    dest: *mut c_char,
    data: *const u8,
    size: usize,
) -> *mut c_char {
    guard(ptr::null_mut(), || {
        // As libzmq, a size that is not a multiple of 4 is EINVAL before
        // the pointers are looked at.
        if size % 4 != 0 {
            set_errno(libc::EINVAL);
            return ptr::null_mut();
        }
        if dest.is_null() || (data.is_null() && size != 0) {
            set_errno(libc::EFAULT);
            return ptr::null_mut();
        }
        let input = if size == 0 {
            &[][..]
        } else {
            // SAFETY: non-null and valid for `size` bytes per the contract.
            unsafe { std::slice::from_raw_parts(data, size) }
        };
        let Some(text) = zmq_core::z85::encode(input) else {
            set_errno(libc::EINVAL);
            return ptr::null_mut();
        };
        // SAFETY: `dest` holds size * 5 / 4 + 1 == text.len() + 1 bytes.
        unsafe {
            ptr::copy_nonoverlapping(text.as_ptr(), dest.cast::<u8>(), text.len());
            *dest.add(text.len()) = 0;
        }
        dest
    })
}

/// Decodes NUL-terminated Z85 `text` (a multiple of 5 characters) into
/// `dest`, which must hold `strlen(text) * 4 / 5` bytes; returns `dest`,
/// or NULL with EINVAL for text that is not valid Z85.
///
/// # Safety
/// `text` is a NUL-terminated string; `dest` is valid for the output.
#[no_mangle]
pub unsafe extern "C" fn zmq_z85_decode(dest: *mut u8, text: *const c_char) -> *mut u8 {
    guard(ptr::null_mut(), || {
        if dest.is_null() || text.is_null() {
            set_errno(libc::EFAULT);
            return ptr::null_mut();
        }
        // SAFETY: non-null and NUL-terminated per the contract.
        let text = unsafe { CStr::from_ptr(text) }.to_bytes();
        let Some(bytes) = zmq_core::z85::decode(text) else {
            set_errno(libc::EINVAL);
            return ptr::null_mut();
        };
        // SAFETY: `dest` holds strlen(text) * 4 / 5 == bytes.len() bytes.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), dest, bytes.len()) };
        dest
    })
}

/// Makes a new CURVE key pair and writes both keys as Z85 text (41 bytes
/// each, NUL included); 0 on success.
///
/// # Safety
/// Each pointer is NULL (EFAULT) or valid for writing 41 bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_curve_keypair(
    z85_public_key: *mut c_char,
    z85_secret_key: *mut c_char,
) -> c_int {
    guard(-1, || {
        if z85_public_key.is_null() || z85_secret_key.is_null() {
            set_errno(libc::EFAULT);
            return -1;
        }
        let (public, secret) = keypair();
        // SAFETY: both non-null and 41 (32 * 5 / 4 + 1) bytes long per the
        // contract; the keys are 32 bytes.
        unsafe {
            zmq_z85_encode(z85_public_key, public.as_ptr(), KEY_LEN);
            zmq_z85_encode(z85_secret_key, secret.as_bytes().as_ptr(), KEY_LEN);
        }
        0
    })
}

/// Derives the public key of a Z85 secret key (40 characters and a NUL)
/// and writes it as Z85 text (41 bytes); -1 with EINVAL if the secret key
/// is not 40 Z85 characters.
///
/// # Safety
/// `z85_public_key` is NULL or valid for writing 41 bytes;
/// `z85_secret_key` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn zmq_curve_public(
    z85_public_key: *mut c_char,
    z85_secret_key: *const c_char,
) -> c_int {
    guard(-1, || {
        if z85_public_key.is_null() || z85_secret_key.is_null() {
            set_errno(libc::EFAULT);
            return -1;
        }
        // SAFETY: non-null and NUL-terminated per the contract.
        let text = unsafe { CStr::from_ptr(z85_secret_key) }.to_bytes();
        let Some(bytes) = zmq_core::z85::decode(text).filter(|b| b.len() == KEY_LEN) else {
            set_errno(libc::EINVAL);
            return -1;
        };
        let secret = SecretKey::from_bytes(bytes.try_into().expect("32 bytes"));
        // SAFETY: non-null and 41 bytes long per the contract.
        unsafe { zmq_z85_encode(z85_public_key, secret.public_key().as_ptr(), KEY_LEN) };
        0
    })
}

/// The counter behind a `zmq_atomic_counter_new` handle, or None (EFAULT).
///
/// # Safety
/// `p` is NULL or a live handle from `zmq_atomic_counter_new`.
unsafe fn counter<'a>(p: *mut c_void) -> Option<&'a AtomicI32> {
    // SAFETY: per the contract a non-null `p` is a leaked Box<AtomicI32>,
    // shared between threads only through atomic operations.
    let c = unsafe { p.cast::<AtomicI32>().as_ref() };
    if c.is_none() {
        set_errno(libc::EFAULT);
    }
    c
}

/// A new thread-safe counter, starting at 0.
#[no_mangle]
pub extern "C" fn zmq_atomic_counter_new() -> *mut c_void {
    guard(ptr::null_mut(), || {
        Box::into_raw(Box::new(AtomicI32::new(0))).cast()
    })
}

/// Sets the counter to `value`.
///
/// # Safety
/// `counter` is NULL or a live counter handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_set(counter: *mut c_void, value: c_int) {
    guard((), || {
        // SAFETY: forwarded caller contract.
        if let Some(c) = unsafe { self::counter(counter) } {
            c.store(value, Ordering::SeqCst);
        }
    })
}

/// Adds one; returns the value before.
///
/// # Safety
/// `counter` is NULL or a live counter handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_inc(counter: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        unsafe { self::counter(counter) }.map_or(-1, |c| c.fetch_add(1, Ordering::SeqCst))
    })
}

/// Subtracts one; returns 0 if the counter is now zero, else 1 (libzmq's
/// counter is unsigned: below zero it wraps and is "not zero").
///
/// # Safety
/// `counter` is NULL or a live counter handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_dec(counter: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        unsafe { self::counter(counter) }.map_or(-1, |c| {
            c_int::from(c.fetch_sub(1, Ordering::SeqCst).wrapping_sub(1) != 0)
        })
    })
}

/// The counter's current value.
///
/// # Safety
/// `counter` is NULL or a live counter handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_value(counter: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        unsafe { self::counter(counter) }.map_or(-1, |c| c.load(Ordering::SeqCst))
    })
}

/// Frees the counter at `*counter_p` and sets `*counter_p` to NULL.
///
/// # Safety
/// `counter_p` is NULL or points to NULL or to a live counter handle that
/// no other thread uses any more.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_destroy(counter_p: *mut *mut c_void) {
    guard((), || {
        // SAFETY: per the contract, a non-null `counter_p` is readable and
        // writable and holds NULL or a Box<AtomicI32> leaked by _new.
        unsafe {
            let Some(slot) = counter_p.as_mut() else {
                set_errno(libc::EFAULT);
                return;
            };
            if !slot.is_null() {
                drop(Box::from_raw(slot.cast::<AtomicI32>()));
                *slot = ptr::null_mut();
            }
        }
    })
}

/// Starts a stopwatch; free it with `zmq_stopwatch_stop`.
#[no_mangle]
pub extern "C" fn zmq_stopwatch_start() -> *mut c_void {
    guard(ptr::null_mut(), || {
        Box::into_raw(Box::new(Instant::now())).cast()
    })
}

fn micros_since(start: &Instant) -> c_ulong {
    c_ulong::try_from(start.elapsed().as_micros()).unwrap_or(c_ulong::MAX)
}

/// Microseconds since the stopwatch started; it keeps running.
///
/// # Safety
/// `watch` is NULL or a live handle from `zmq_stopwatch_start`.
#[no_mangle]
pub unsafe extern "C" fn zmq_stopwatch_intermediate(watch: *mut c_void) -> c_ulong {
    guard(0, || {
        // SAFETY: per the contract a non-null `watch` is a Box<Instant>.
        match unsafe { watch.cast::<Instant>().as_ref() } {
            Some(start) => micros_since(start),
            None => {
                set_errno(libc::EFAULT);
                0
            }
        }
    })
}

/// Microseconds since the stopwatch started; frees the stopwatch.
///
/// # Safety
/// `watch` is NULL or a live handle from `zmq_stopwatch_start`, not used
/// again afterwards.
#[no_mangle]
pub unsafe extern "C" fn zmq_stopwatch_stop(watch: *mut c_void) -> c_ulong {
    guard(0, || {
        if watch.is_null() {
            set_errno(libc::EFAULT);
            return 0;
        }
        // SAFETY: per the contract `watch` is a Box<Instant> from _start,
        // freed only here.
        let start = unsafe { Box::from_raw(watch.cast::<Instant>()) };
        micros_since(&start)
    })
}

/// Sleeps for `seconds` seconds.
#[no_mangle]
pub extern "C" fn zmq_sleep(seconds: c_int) {
    guard((), || {
        std::thread::sleep(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)))
    })
}

/// A thread body for `zmq_threadstart`.
pub type zmq_thread_fn = unsafe extern "C" fn(arg: *mut c_void);

/// The argument handed to a `zmq_threadstart` thread.
struct ThreadArg(*mut c_void);

// SAFETY: the caller of zmq_threadstart hands `arg` to the new thread; what
// it points to is theirs to synchronise, as with libzmq.
unsafe impl Send for ThreadArg {}

/// Runs `func(arg)` on a new thread; returns a handle for
/// `zmq_threadclose`, or NULL (with errno) if no thread could be started.
///
/// # Safety
/// `func` is NULL or a function safe to call with `arg` on another thread.
#[no_mangle]
pub unsafe extern "C" fn zmq_threadstart(
    func: Option<unsafe extern "C" fn(arg: *mut c_void)>,
    arg: *mut c_void,
) -> *mut c_void {
    guard(ptr::null_mut(), || {
        let Some(func) = func else {
            set_errno(libc::EINVAL);
            return ptr::null_mut();
        };
        let arg = ThreadArg(arg);
        let spawned = std::thread::Builder::new().spawn(move || {
            let arg = arg;
            // SAFETY: the caller vouched for calling `func(arg)` here.
            unsafe { func(arg.0) }
        });
        match spawned {
            Ok(handle) => Box::into_raw(Box::new(handle)).cast(),
            Err(e) => {
                set_errno(errno_of(Error::from_io(&e)));
                ptr::null_mut()
            }
        }
    })
}

/// Waits for a `zmq_threadstart` thread to finish and frees its handle.
///
/// # Safety
/// `thread` is NULL or a handle from `zmq_threadstart`, closed only once.
#[no_mangle]
pub unsafe extern "C" fn zmq_threadclose(thread: *mut c_void) {
    guard((), || {
        if thread.is_null() {
            set_errno(libc::EFAULT);
            return;
        }
        // SAFETY: per the contract, a Box<JoinHandle<()>> from
        // zmq_threadstart, freed only here.
        let handle = unsafe { Box::from_raw(thread.cast::<std::thread::JoinHandle<()>>()) };
        // A C thread body cannot unwind, so joining cannot report a panic.
        let _ = handle.join();
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_4_3_5() {
        let (mut a, mut b, mut c) = (0, 0, 0);
        // SAFETY: three local ints.
        unsafe { zmq_version(&mut a, &mut b, &mut c) };
        assert_eq!((a, b, c), (4, 3, 5));
    }

    #[test]
    fn strerror_uses_libzmq_words() {
        // SAFETY: zmq_strerror returns static NUL-terminated strings.
        let text = |e| unsafe { CStr::from_ptr(zmq_strerror(e)) }.to_str().unwrap();
        assert_eq!(
            text(EFSM),
            "Operation cannot be accomplished in current state"
        );
        assert_eq!(text(ETERM), "Context was terminated");
        assert_eq!(text(EMTHREAD), "No thread available");
        assert_eq!(
            text(ENOCOMPATPROTO),
            "The protocol is not compatible with the socket type"
        );
        assert_eq!(text(libc::EAGAIN), "Resource temporarily unavailable");
    }

    #[test]
    fn has_answers_from_the_capability_list() {
        // SAFETY: C string literals.
        unsafe {
            assert_eq!(zmq_has(c"ipc".as_ptr()), 1);
            assert_eq!(
                zmq_has(c"tcp".as_ptr()),
                0,
                "as libzmq: only optional parts are named"
            );
            assert_eq!(zmq_has(c"curve".as_ptr()), 1);
            assert_eq!(zmq_has(c"nonsense".as_ptr()), 0);
            assert_eq!(zmq_has(ptr::null()), 0);
        }
    }

    const RFC32_BYTES: [u8; 8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];

    #[test]
    fn z85_rfc32_vector_round_trips_through_the_c_api() {
        let mut text = [0 as c_char; 11];
        let mut bytes = [0u8; 8];
        // SAFETY: buffers of the documented sizes.
        unsafe {
            let r = zmq_z85_encode(text.as_mut_ptr(), RFC32_BYTES.as_ptr(), 8);
            assert_eq!(r, text.as_mut_ptr());
            assert_eq!(CStr::from_ptr(r).to_bytes(), b"HelloWorld");
            let r = zmq_z85_decode(bytes.as_mut_ptr(), c"HelloWorld".as_ptr());
            assert_eq!(r, bytes.as_mut_ptr());
        }
        assert_eq!(bytes, RFC32_BYTES);
    }

    #[test]
    fn z85_rejects_bad_lengths_and_characters() {
        let mut text = [0 as c_char; 16];
        let mut bytes = [0u8; 16];
        // SAFETY: buffers larger than any output here.
        unsafe {
            assert!(zmq_z85_encode(text.as_mut_ptr(), RFC32_BYTES.as_ptr(), 7).is_null());
            assert_eq!(errno(), libc::EINVAL);
            assert!(!zmq_z85_decode(bytes.as_mut_ptr(), c"Hello".as_ptr()).is_null());
            assert!(zmq_z85_decode(bytes.as_mut_ptr(), c"Hell".as_ptr()).is_null());
            assert!(zmq_z85_decode(bytes.as_mut_ptr(), c"Hel o".as_ptr()).is_null());
            assert_eq!(errno(), libc::EINVAL);
            // "#####" is 85^5 - 1, more than 32 bits hold.
            assert!(zmq_z85_decode(bytes.as_mut_ptr(), c"#####".as_ptr()).is_null());
        }
        assert_eq!(zmq_core::z85::encode(&[0, 0, 0, 0]).unwrap(), b"00000");
        assert_eq!(zmq_core::z85::decode(b"%nSc0").unwrap(), [0xFF; 4]);
    }

    #[test]
    fn atomic_counter_as_in_the_man_page() {
        // SAFETY: one live counter, destroyed at the end.
        unsafe {
            let mut c = zmq_atomic_counter_new();
            assert_eq!(zmq_atomic_counter_value(c), 0);
            assert_eq!(zmq_atomic_counter_inc(c), 0);
            assert_eq!(zmq_atomic_counter_inc(c), 1);
            assert_eq!(zmq_atomic_counter_inc(c), 2);
            assert_eq!(zmq_atomic_counter_value(c), 3);
            assert_eq!(zmq_atomic_counter_dec(c), 1);
            assert_eq!(zmq_atomic_counter_dec(c), 1);
            assert_eq!(zmq_atomic_counter_dec(c), 0);
            zmq_atomic_counter_set(c, 2);
            assert_eq!(zmq_atomic_counter_dec(c), 1);
            assert_eq!(zmq_atomic_counter_dec(c), 0);
            // Below zero is "not zero", as libzmq's unsigned counter says.
            assert_eq!(zmq_atomic_counter_dec(c), 1);
            zmq_atomic_counter_destroy(&mut c);
            assert!(c.is_null());
        }
    }

    #[test]
    fn stopwatch_measures_microseconds() {
        let w = zmq_stopwatch_start();
        std::thread::sleep(Duration::from_millis(2));
        // SAFETY: a live stopwatch, stopped once.
        unsafe {
            assert!(zmq_stopwatch_intermediate(w) >= 2000);
            assert!(zmq_stopwatch_stop(w) >= 2000);
        }
    }

    unsafe extern "C" fn bump(arg: *mut c_void) {
        // SAFETY: the test passes a live counter handle.
        unsafe { zmq_atomic_counter_inc(arg) };
    }

    #[test]
    fn threads_run_and_join() {
        // SAFETY: the counter outlives the thread, which is joined first.
        unsafe {
            let mut c = zmq_atomic_counter_new();
            let t = zmq_threadstart(Some(bump), c);
            assert!(!t.is_null());
            zmq_threadclose(t);
            assert_eq!(zmq_atomic_counter_value(c), 1);
            zmq_atomic_counter_destroy(&mut c);
        }
    }
}
