//! Messages: `zmq_msg_t` and the `zmq_msg_*` functions that need no socket.
//!
//! A `zmq_msg_t` is 64 opaque bytes owned by the caller; once initialised by
//! `zmq_msg_init*` they hold a `zmq_core::Msg` in place, and a tag word in
//! the last 8 bytes says so. A NULL pointer, a message closed already, or
//! bytes no init wrote (garbage) are EFAULT, as libzmq's own check makes
//! them, never undefined behaviour. Sending and receiving live in
//! socket.rs.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::mem::{align_of, size_of};
use std::ptr;

use bytes::Bytes;
use zmq_core::{Error, Msg};

use crate::constants::{ZMQ_MORE, ZMQ_SHARED, ZMQ_SRCFD};
use crate::errno::{fail, guard, set_errno};

/// A message as C sees it: 64 bytes, pointer aligned, holding a `Msg`.
///
/// zmq.h spells it as libzmq does (`unsigned char _[64]` aligned like a
/// pointer) in cbindgen.toml; tests/abi.rs checks the two layouts agree.
#[repr(C, align(8))]
pub struct zmq_msg_t {
    _0: [u8; 64],
}

const _: () = assert!(size_of::<zmq_msg_t>() == 64);
const _: () = assert!(size_of::<Msg>() <= TAG_AT);
const _: () = assert!(align_of::<Msg>() <= align_of::<zmq_msg_t>());

/// Where the tag word lives: after the `Msg`, in the last 8 bytes.
const TAG_AT: usize = 56;
/// The tag of a live message (an arbitrary word garbage will not match).
const LIVE: u64 = 0x6c69_7665_7a6d_7167;
/// The tag of a closed message.
const CLOSED: u64 = 0;

/// The tag word of the storage at `p`.
///
/// # Safety
/// `p` is non-null and valid for reading a `zmq_msg_t`.
unsafe fn tag(p: *const zmq_msg_t) -> u64 {
    // SAFETY: offset 56 of the 64 bytes, 8-aligned since zmq_msg_t is.
    unsafe { ptr::read(p.cast::<u8>().add(TAG_AT).cast::<u64>()) }
}

/// Sets the tag word of the storage at `p`.
///
/// # Safety
/// `p` is non-null and valid for writing a `zmq_msg_t`.
unsafe fn set_tag(p: *mut zmq_msg_t, value: u64) {
    // SAFETY: as in `tag`.
    unsafe { ptr::write(p.cast::<u8>().add(TAG_AT).cast::<u64>(), value) }
}

/// Called with the data pointer and hint of `zmq_msg_init_data` once the
/// last copy of such a message is gone. (zmq.h declares it as libzmq does,
/// a function type, in cbindgen.toml; exported signatures spell the
/// pointer type out so that cbindgen emits it.)
pub type zmq_free_fn = unsafe extern "C" fn(data: *mut c_void, hint: *mut c_void);

/// The `Msg` held by an initialised `zmq_msg_t`; None for NULL and for
/// storage that holds no live message (closed, or never initialised).
///
/// # Safety
/// `p` is NULL or points to 64 readable bytes; if they were initialised by
/// `zmq_msg_init*` (and not moved by value since), nothing else accesses
/// them for `'a`.
pub(crate) unsafe fn msg_mut<'a>(p: *mut zmq_msg_t) -> Option<&'a mut Msg> {
    // SAFETY: a non-null `p` is readable (contract); with the live tag, it
    // holds a `Msg` at its start, and zmq_msg_t's size and alignment cover
    // Msg's (asserted above).
    unsafe { (!p.is_null() && tag(p) == LIVE).then(|| &mut *p.cast::<Msg>()) }
}

/// Shared-reference form of [`msg_mut`], for the `const zmq_msg_t *` API.
///
/// # Safety
/// As for [`msg_mut`], except that others may read the message too.
pub(crate) unsafe fn msg_ref<'a>(p: *const zmq_msg_t) -> Option<&'a Msg> {
    // SAFETY: as in `msg_mut`.
    unsafe { (!p.is_null() && tag(p) == LIVE).then(|| &*p.cast::<Msg>()) }
}

/// Writes `msg` into the (possibly uninitialised) storage at `p`.
///
/// # Safety
/// `p` is NULL or valid for writing a `zmq_msg_t`. Whatever it held is
/// overwritten without being dropped, as libzmq's init functions do.
pub(crate) unsafe fn msg_init(p: *mut zmq_msg_t, msg: Msg) -> c_int {
    if p.is_null() {
        return fail(Error::Fault);
    }
    // SAFETY: `p` is non-null, writable and aligned for Msg (see msg_mut).
    unsafe {
        ptr::write(p.cast::<Msg>(), msg);
        set_tag(p, LIVE);
    }
    0
}

/// Initialises an empty message.
///
/// # Safety
/// `msg` is NULL or points to writable storage for a `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init(msg: *mut zmq_msg_t) -> c_int {
    // SAFETY: forwarded caller contract.
    guard(-1, || unsafe { msg_init(msg, Msg::new()) })
}

/// Initialises a message of `size` bytes (zero-filled) to be written
/// through `zmq_msg_data`.
///
/// # Safety
/// As for [`zmq_msg_init`].
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_size(msg: *mut zmq_msg_t, size: usize) -> c_int {
    guard(-1, || match Msg::try_with_size(size) {
        // SAFETY: forwarded caller contract.
        Ok(m) => unsafe { msg_init(msg, m) },
        Err(e) => fail(e),
    })
}

/// The caller's buffer behind a `zmq_msg_init_data` message. Dropping the
/// last `Bytes` that shares it calls the caller's free function, once.
struct CallerBuffer {
    data: *mut c_void,
    size: usize,
    ffn: Option<zmq_free_fn>,
    hint: *mut c_void,
}

// SAFETY: libzmq's contract lets any thread read the buffer and call `ffn`
// (its I/O threads do); the caller keeps the buffer unchanged until then.
unsafe impl Send for CallerBuffer {}

impl AsRef<[u8]> for CallerBuffer {
    fn as_ref(&self) -> &[u8] {
        if self.size == 0 {
            return &[];
        }
        // SAFETY: zmq_msg_init_data's caller guarantees `data` is valid for
        // `size` bytes until `ffn` runs (forever if there is no `ffn`).
        unsafe { std::slice::from_raw_parts(self.data.cast::<u8>(), self.size) }
    }
}

impl Drop for CallerBuffer {
    fn drop(&mut self) {
        if let Some(ffn) = self.ffn {
            // SAFETY: the free function and hint the caller registered,
            // called exactly once since this owner is dropped once.
            unsafe { ffn(self.data, self.hint) };
        }
    }
}

/// Initialises a message over the caller's buffer without copying it.
/// `ffn(data, hint)` runs once the last copy of the message is dropped; a
/// NULL `ffn` means the caller keeps ownership and the buffer must outlive
/// every copy.
///
/// # Safety
/// `msg` as for [`zmq_msg_init`]; `data` is valid for `size` bytes until
/// `ffn` is called (or forever without `ffn`), and `ffn` may be called from
/// any thread.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_data(
    msg: *mut zmq_msg_t,
    data: *mut c_void,
    size: usize,
    ffn: Option<unsafe extern "C" fn(data: *mut c_void, hint: *mut c_void)>,
    hint: *mut c_void,
) -> c_int {
    guard(-1, || {
        if data.is_null() && size != 0 {
            return fail(Error::Fault);
        }
        let owner = CallerBuffer {
            data,
            size,
            ffn,
            hint,
        };
        // Kept in place whatever its size: zmq_msg_data must return the
        // caller's own pointer, as libzmq's does.
        let mut frame = Msg::wrap(Bytes::from_owner(owner));
        if ffn.is_none() {
            frame.set_shared();
        }
        // SAFETY: forwarded caller contract.
        unsafe { msg_init(msg, frame) }
    })
}

/// Pointer to the message body (writable, as in libzmq). For messages made
/// by `zmq_msg_init_data` this is the caller's own buffer.
///
/// # Safety
/// `msg` is NULL or an initialised `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_data(msg: *mut zmq_msg_t) -> *mut c_void {
    guard(ptr::null_mut(), || {
        // SAFETY: forwarded caller contract.
        match unsafe { msg_mut(msg) } {
            Some(m) => m.as_mut_ptr().cast(),
            None => {
                set_errno(libc::EFAULT);
                ptr::null_mut()
            }
        }
    })
}

/// Size of the message body in bytes (0 with EFAULT for NULL).
///
/// # Safety
/// `msg` is NULL or an initialised `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_size(msg: *const zmq_msg_t) -> usize {
    guard(0, || {
        // SAFETY: forwarded caller contract.
        match unsafe { msg_ref(msg) } {
            Some(m) => m.len(),
            None => {
                set_errno(libc::EFAULT);
                0
            }
        }
    })
}

/// 1 if more frames of the same message follow this one, else 0.
///
/// # Safety
/// `msg` is NULL or an initialised `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_more(msg: *const zmq_msg_t) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        match unsafe { msg_ref(msg) } {
            Some(m) => c_int::from(m.more()),
            None => fail(Error::Fault),
        }
    })
}

/// Reads an integer property: ZMQ_MORE, ZMQ_SHARED or ZMQ_SRCFD.
///
/// # Safety
/// `msg` is NULL or an initialised `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_get(msg: *const zmq_msg_t, property: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let Some(m) = (unsafe { msg_ref(msg) }) else {
            return fail(Error::Fault);
        };
        match property {
            ZMQ_MORE => c_int::from(m.more()),
            ZMQ_SHARED => c_int::from(m.is_shared()),
            // Deprecated; as libzmq, read from the "__fd" property (a frame
            // from no connection has none: -1 with EINVAL).
            ZMQ_SRCFD => m
                .properties()
                .and_then(|p| p.get("__fd"))
                .and_then(|v| std::str::from_utf8(&v[..v.len() - 1]).ok()?.parse().ok())
                .unwrap_or_else(|| fail(Error::Invalid)),
            _ => fail(Error::Invalid),
        }
    })
}

/// Sets an integer property. libzmq 4.3 supports none: always EINVAL.
///
/// # Safety
/// `msg` is NULL or an initialised `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_set(msg: *mut zmq_msg_t, property: c_int, optval: c_int) -> c_int {
    let _ = (property, optval);
    guard(-1, || {
        if msg.is_null() {
            return fail(Error::Fault);
        }
        fail(Error::Invalid)
    })
}

/// Would read a metadata property ("Socket-Type", "Peer-Address", ...);
/// messages carry no metadata yet, so this always returns NULL with
/// EINVAL (EFAULT for a NULL message).
///
/// # Safety
/// `msg` is NULL or an initialised `zmq_msg_t`; `property` is NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_gets(
    msg: *const zmq_msg_t,
    property: *const c_char,
) -> *const c_char {
    guard(ptr::null(), || {
        if msg.is_null() || property.is_null() {
            set_errno(libc::EFAULT);
            return ptr::null();
        }
        // SAFETY: forwarded caller contract (a live message, a C string).
        let (m, name) = unsafe { (msg_ref(msg), CStr::from_ptr(property)) };
        let value = m
            .and_then(|m| m.properties())
            .zip(name.to_str().ok())
            .and_then(|(props, name)| props.get(name));
        match value {
            // The value ends with its NUL and lives as long as the message.
            Some(v) => v.as_ptr().cast(),
            None => {
                set_errno(libc::EINVAL);
                ptr::null()
            }
        }
    })
}

/// Makes `dest` a copy of `src` sharing its body; `dest`'s old content is
/// released first.
///
/// # Safety
/// Both are NULL or initialised `zmq_msg_t`s.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_copy(dest: *mut zmq_msg_t, src: *mut zmq_msg_t) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract; `src` alone is borrowed here.
        let Some(copy) = (unsafe { msg_mut(src) }).map(|s| s.copy()) else {
            return fail(Error::Fault);
        };
        if dest == src {
            return 0;
        }
        // SAFETY: forwarded caller contract; `dest` differs from `src`, and
        // the borrow of `src` ended above.
        match unsafe { msg_mut(dest) } {
            Some(d) => {
                *d = copy;
                0
            }
            None => fail(Error::Fault),
        }
    })
}

/// Moves `src`'s content into `dest` (releasing `dest`'s old content) and
/// leaves `src` an empty message.
///
/// # Safety
/// Both are NULL or initialised `zmq_msg_t`s.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_move(dest: *mut zmq_msg_t, src: *mut zmq_msg_t) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract; the two are used only if they
        // differ.
        let (d, s) = unsafe { (msg_mut(dest), msg_mut(src)) };
        let (Some(d), Some(s)) = (d, s) else {
            return fail(Error::Fault);
        };
        if dest != src {
            *d = std::mem::take(s);
        }
        0
    })
}

/// Releases the message. Closing it again, or using it before a new
/// `zmq_msg_init*`, is EFAULT (as libzmq).
///
/// # Safety
/// `msg` is NULL or points to 64 readable and writable bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_close(msg: *mut zmq_msg_t) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        match unsafe { msg_mut(msg) } {
            Some(m) => {
                // SAFETY: `m` is the live Msg at `msg`, dropped once: the
                // tag written next marks the storage as holding none.
                unsafe {
                    ptr::drop_in_place(m);
                    set_tag(msg, CLOSED);
                }
                0
            }
            None => fail(Error::Fault),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::MaybeUninit;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn uninit() -> MaybeUninit<zmq_msg_t> {
        MaybeUninit::uninit()
    }

    #[test]
    fn init_size_data_close() {
        let mut m = uninit();
        let p = m.as_mut_ptr();
        // SAFETY: p points to local storage; each call gets an initialised
        // message after the first init.
        unsafe {
            assert_eq!(zmq_msg_init_size(p, 5), 0);
            assert_eq!(zmq_msg_size(p), 5);
            let d = zmq_msg_data(p).cast::<u8>();
            ptr::copy_nonoverlapping(b"hello".as_ptr(), d, 5);
            assert_eq!(std::slice::from_raw_parts(d, 5), b"hello");
            assert_eq!(zmq_msg_more(p), 0);
            assert_eq!(zmq_msg_get(p, ZMQ_MORE), 0);
            assert_eq!(zmq_msg_close(p), 0);
            // As libzmq: a closed message is EFAULT until initialised again.
            assert_eq!(zmq_msg_close(p), -1);
            assert_eq!(crate::errno::errno(), libc::EFAULT);
            assert_eq!(zmq_msg_size(p), 0);
            assert_eq!(zmq_msg_init(p), 0);
            assert_eq!(zmq_msg_close(p), 0);
        }
    }

    /// Bytes no init wrote are refused with EFAULT, never read as a message.
    #[test]
    fn garbage_is_efault() {
        for fill in [0u8, 0xff, 0x5a] {
            let mut m = MaybeUninit::<zmq_msg_t>::uninit();
            let p = m.as_mut_ptr();
            // SAFETY: the storage is local and fully written first; every
            // call may be handed 64 readable bytes.
            unsafe {
                ptr::write_bytes(p.cast::<u8>(), fill, size_of::<zmq_msg_t>());
                assert_eq!(zmq_msg_close(p), -1, "fill {fill:#x}");
                assert_eq!(crate::errno::errno(), libc::EFAULT);
                assert_eq!(zmq_msg_size(p), 0);
                assert!(zmq_msg_data(p).is_null());
                let mut other = MaybeUninit::<zmq_msg_t>::uninit();
                assert_eq!(zmq_msg_init(other.as_mut_ptr()), 0);
                assert_eq!(zmq_msg_copy(other.as_mut_ptr(), p), -1);
                assert_eq!(zmq_msg_move(other.as_mut_ptr(), p), -1);
                assert_eq!(zmq_msg_move(p, other.as_mut_ptr()), -1);
                assert_eq!(zmq_msg_close(other.as_mut_ptr()), 0);
            }
        }
    }

    #[test]
    fn null_pointers_are_efault() {
        // SAFETY: NULL is allowed by every function's contract.
        unsafe {
            assert_eq!(zmq_msg_init(ptr::null_mut()), -1);
            assert_eq!(crate::errno::errno(), libc::EFAULT);
            assert!(zmq_msg_data(ptr::null_mut()).is_null());
            assert_eq!(zmq_msg_close(ptr::null_mut()), -1);
            assert_eq!(zmq_msg_copy(ptr::null_mut(), ptr::null_mut()), -1);
            assert_eq!(crate::errno::errno(), libc::EFAULT);
        }
    }

    static FREED: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn count_free(data: *mut c_void, hint: *mut c_void) {
        assert_eq!(hint as usize, 42);
        FREED.fetch_add(1, Ordering::SeqCst);
        // SAFETY: `data` is the Box<[u8; 1000]> leaked by the test below.
        drop(unsafe { Box::from_raw(data.cast::<[u8; 1000]>()) });
    }

    #[test]
    fn init_data_is_zero_copy_and_freed_once_after_the_last_copy() {
        let buf = Box::into_raw(Box::new([7u8; 1000]));
        let (mut a, mut b) = (uninit(), uninit());
        let (pa, pb) = (a.as_mut_ptr(), b.as_mut_ptr());
        // SAFETY: local storage; `buf` lives until count_free frees it.
        unsafe {
            let hint = 42usize as *mut c_void;
            assert_eq!(
                zmq_msg_init_data(pa, buf.cast(), 1000, Some(count_free), hint),
                0
            );
            assert_eq!(zmq_msg_data(pa), buf.cast::<c_void>());
            assert_eq!(zmq_msg_get(pa, ZMQ_SHARED), 0, "owned until copied");
            assert_eq!(zmq_msg_init(pb), 0);
            assert_eq!(zmq_msg_copy(pb, pa), 0);
            assert_eq!(zmq_msg_data(pb), buf.cast::<c_void>());
            assert_eq!(zmq_msg_get(pb, ZMQ_SHARED), 1);
            zmq_msg_close(pa);
            assert_eq!(FREED.load(Ordering::SeqCst), 0);
            zmq_msg_close(pb);
            assert_eq!(FREED.load(Ordering::SeqCst), 1);
            zmq_msg_close(pb);
            assert_eq!(FREED.load(Ordering::SeqCst), 1);
        }
    }

    #[test]
    fn init_data_without_free_fn_leaves_the_buffer_to_the_caller() {
        static DATA: [u8; 100] = [3; 100];
        let mut a = uninit();
        let p = a.as_mut_ptr();
        // SAFETY: DATA is static and never written through the message.
        unsafe {
            assert_eq!(
                zmq_msg_init_data(p, DATA.as_ptr() as *mut c_void, 100, None, ptr::null_mut()),
                0
            );
            assert_eq!(zmq_msg_data(p).cast_const(), DATA.as_ptr().cast::<c_void>());
            assert_eq!(zmq_msg_close(p), 0);
        }
    }

    #[test]
    fn move_empties_the_source() {
        let (mut a, mut b) = (uninit(), uninit());
        let (pa, pb) = (a.as_mut_ptr(), b.as_mut_ptr());
        // SAFETY: local storage, initialised before use.
        unsafe {
            zmq_msg_init_size(pa, 3);
            zmq_msg_init(pb);
            assert_eq!(zmq_msg_move(pb, pa), 0);
            assert_eq!(zmq_msg_size(pb), 3);
            assert_eq!(zmq_msg_size(pa), 0);
            zmq_msg_close(pa);
            zmq_msg_close(pb);
        }
    }

    #[test]
    fn properties_as_libzmq() {
        let mut a = uninit();
        let p = a.as_mut_ptr();
        // SAFETY: local storage, initialised first.
        unsafe {
            zmq_msg_init(p);
            assert_eq!(zmq_msg_get(p, ZMQ_SRCFD), -1);
            assert_eq!(zmq_msg_get(p, 999), -1);
            assert_eq!(crate::errno::errno(), libc::EINVAL);
            assert_eq!(zmq_msg_set(p, ZMQ_MORE, 1), -1);
            assert_eq!(crate::errno::errno(), libc::EINVAL);
            assert!(zmq_msg_gets(p, c"Socket-Type".as_ptr()).is_null());
            assert_eq!(crate::errno::errno(), libc::EINVAL);
            zmq_msg_close(p);
        }
    }

    #[test]
    fn small_init_data_keeps_the_callers_buffer_and_shared_is_exact() {
        let mut small = *b"tiny";
        let (mut a, mut b) = (uninit(), uninit());
        let (pa, pb) = (a.as_mut_ptr(), b.as_mut_ptr());
        // SAFETY: local storage; `small` outlives both messages.
        unsafe {
            let data = small.as_mut_ptr().cast::<c_void>();
            assert_eq!(zmq_msg_init_data(pa, data, 4, None, ptr::null_mut()), 0);
            assert_eq!(zmq_msg_data(pa), data);
            // No free function: constant data, shared from the start.
            assert_eq!(zmq_msg_get(pa, ZMQ_SHARED), 1);
            zmq_msg_close(pa);
            assert_eq!(zmq_msg_init_size(pa, 1000), 0);
            assert_eq!(zmq_msg_get(pa, ZMQ_SHARED), 0);
            assert_eq!(zmq_msg_init(pb), 0);
            assert_eq!(zmq_msg_copy(pb, pa), 0);
            assert_eq!(zmq_msg_get(pa, ZMQ_SHARED), 1);
            assert_eq!(zmq_msg_get(pb, ZMQ_SHARED), 1);
            // "May share": libzmq keeps the flag once copied.
            zmq_msg_close(pb);
            assert_eq!(zmq_msg_get(pa, ZMQ_SHARED), 1);
            zmq_msg_close(pa);
        }
    }
}
