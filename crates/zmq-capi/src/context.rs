//! Contexts: `zmq_ctx_*` and the legacy `zmq_init`/`zmq_term`.
//!
//! STUB: the socket layer replaces these bodies. Until then every function
//! exists with libzmq's signature (so `zmq.h` is complete and programs
//! link) and fails with ENOTSUP.

use std::ffi::{c_int, c_void};
use std::ptr;

use zmq_core::Error;

use crate::errno::{errno_of, fail, guard, set_errno};

/// Creates a context.
#[no_mangle]
pub extern "C" fn zmq_ctx_new() -> *mut c_void {
    // STUB: replaced by the socket layer
    guard(ptr::null_mut(), || {
        set_errno(errno_of(Error::NotSupported));
        ptr::null_mut()
    })
}

/// Terminates a context, waiting for its sockets to close.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_term(context: *mut c_void) -> c_int {
    let _ = context;
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Shuts a context down: blocking calls on its sockets return ETERM.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_shutdown(context: *mut c_void) -> c_int {
    let _ = context;
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Sets a context option.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_set(context: *mut c_void, option: c_int, optval: c_int) -> c_int {
    let _ = (context, option, optval);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Reads a context option.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_get(context: *mut c_void, option: c_int) -> c_int {
    let _ = (context, option);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Legacy: creates a context with `io_threads` I/O threads.
#[no_mangle]
pub extern "C" fn zmq_init(io_threads: c_int) -> *mut c_void {
    let _ = io_threads;
    // STUB: replaced by the socket layer
    guard(ptr::null_mut(), || {
        set_errno(errno_of(Error::NotSupported));
        ptr::null_mut()
    })
}

/// Legacy: terminates a context.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_term(context: *mut c_void) -> c_int {
    let _ = context;
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Legacy: terminates a context.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_destroy(context: *mut c_void) -> c_int {
    let _ = context;
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}
