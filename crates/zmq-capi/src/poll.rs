//! `zmq_poll`: waiting on sockets and file descriptors together.
//!
//! `zmq_fd_t` and `zmq_pollitem_t` are the final ABI types; `zmq_poll` is a
//! STUB that the socket layer replaces (it fails with ENOTSUP until then).

use std::ffi::{c_int, c_long, c_short, c_void};

use zmq_core::Error;

use crate::errno::{fail, guard};

/// A file descriptor (an int on POSIX systems).
pub type zmq_fd_t = c_int;

/// One entry of a `zmq_poll` set: a socket, or a plain fd when `socket` is
/// NULL, with the requested `events` and the `revents` that occurred.
#[repr(C)]
pub struct zmq_pollitem_t {
    pub socket: *mut c_void,
    pub fd: zmq_fd_t,
    pub events: c_short,
    pub revents: c_short,
}

/// Waits until an item is ready or `timeout` ms pass (-1: forever).
///
/// # Safety
/// `items` is NULL or points to `nitems` poll items.
#[no_mangle]
pub unsafe extern "C" fn zmq_poll(
    items: *mut zmq_pollitem_t,
    nitems: c_int,
    timeout: c_long,
) -> c_int {
    let _ = (items, nitems, timeout);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}
