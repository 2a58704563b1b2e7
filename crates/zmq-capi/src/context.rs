//! Contexts: zmq_ctx_* and the deprecated zmq_init/zmq_term.
//!
//! A context pointer is a boxed `CtxHandle` with a tag, so a pointer that is
//! not a live context is refused with EFAULT instead of being trusted.

use std::ffi::{c_int, c_void};
use std::ptr;

use zmq_core::{Context, Error};

use crate::errno::{fail, guard, set_errno};

const LIVE: u32 = 0xabad_cafe;
const DEAD: u32 = 0xdead_beef;

pub(crate) struct CtxHandle {
    tag: u32,
    pub(crate) ctx: Context,
}

/// The context behind a C pointer, if it is one.
///
/// # Safety
/// `p` is NULL or a pointer returned by zmq_ctx_new/zmq_init.
pub(crate) unsafe fn ctx_ref<'a>(p: *mut c_void) -> Option<&'a CtxHandle> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller passes a pointer we returned (or NULL, handled
    // above). The tag check, like libzmq's, catches foreign pointers and
    // most stale ones (until freed memory is reused); it is a courtesy,
    // not a guard against use after free.
    let h = unsafe { &*(p as *const CtxHandle) };
    (h.tag == LIVE).then_some(h)
}

/// Creates a context.
#[no_mangle]
pub extern "C" fn zmq_ctx_new() -> *mut c_void {
    guard(ptr::null_mut(), || {
        Box::into_raw(Box::new(CtxHandle {
            tag: LIVE,
            ctx: Context::new(),
        })) as *mut c_void
    })
}

/// Terminates a context: blocks until all its sockets are closed.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_term(context: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let Some(h) = (unsafe { ctx_ref(context) }) else {
            return fail(Error::Fault);
        };
        h.ctx.terminate();
        // SAFETY: `context` came from Box::into_raw in zmq_ctx_new and is
        // freed once: the tag is cleared first so later calls see EFAULT.
        unsafe {
            (*(context as *mut CtxHandle)).tag = DEAD;
            drop(Box::from_raw(context as *mut CtxHandle));
        }
        0
    })
}

/// Makes blocking calls on the context's sockets return ETERM.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_shutdown(context: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        match unsafe { ctx_ref(context) } {
            Some(h) => {
                h.ctx.shutdown();
                0
            }
            None => fail(Error::Fault),
        }
    })
}

/// Sets a context option.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_set(context: *mut c_void, option: c_int, optval: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let Some(h) = (unsafe { ctx_ref(context) }) else {
            return fail(Error::Fault);
        };
        match h.ctx.set(option, optval) {
            Ok(()) => 0,
            Err(e) => fail(e),
        }
    })
}

/// Reads a context option.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_get(context: *mut c_void, option: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let Some(h) = (unsafe { ctx_ref(context) }) else {
            return fail(Error::Fault);
        };
        match h.ctx.get(option) {
            Ok(v) => v,
            Err(e) => fail(e),
        }
    })
}

/// Deprecated: a context with `io_threads` I/O threads.
#[no_mangle]
pub extern "C" fn zmq_init(io_threads: c_int) -> *mut c_void {
    guard(ptr::null_mut(), || {
        if io_threads < 0 {
            set_errno(libc::EINVAL);
            return ptr::null_mut();
        }
        let ctx = zmq_ctx_new();
        // SAFETY: `ctx` was just created by zmq_ctx_new.
        if unsafe { zmq_ctx_set(ctx, zmq_core::ctx::IO_THREADS, io_threads) } != 0 {
            // SAFETY: same fresh context, destroyed once.
            unsafe { zmq_ctx_term(ctx) };
            return ptr::null_mut();
        }
        ctx
    })
}

/// Deprecated: zmq_ctx_term.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_term(context: *mut c_void) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { zmq_ctx_term(context) }
}

/// Deprecated: zmq_ctx_term.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_destroy(context: *mut c_void) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { zmq_ctx_term(context) }
}
