//! `zmq_poll`: waiting on sockets and file descriptors together.

use std::ffi::{c_int, c_long, c_short, c_void};

use zmq_core::poll::{poll, PollItem, PollTarget};
use zmq_core::Error;

use crate::errno::{fail, guard, set_errno};
use crate::socket::socket_ref;

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
    guard(-1, || {
        if nitems < 0 {
            return fail(Error::Invalid);
        }
        if items.is_null() && nitems > 0 {
            return fail(Error::Fault);
        }
        let raw: &mut [zmq_pollitem_t] = if nitems == 0 {
            &mut []
        } else {
            // SAFETY: the caller promises `nitems` items at `items`.
            unsafe { std::slice::from_raw_parts_mut(items, nitems as usize) }
        };
        let mut set = Vec::with_capacity(raw.len());
        for item in raw.iter() {
            let target = if item.socket.is_null() {
                PollTarget::Fd(item.fd)
            } else {
                // SAFETY: a non-NULL socket field must be a socket pointer.
                match unsafe { socket_ref(item.socket) } {
                    Some(s) => PollTarget::Socket(s),
                    None => {
                        set_errno(libc::ENOTSOCK);
                        return -1;
                    }
                }
            };
            set.push(PollItem {
                target,
                events: item.events,
                revents: 0,
            });
        }
        // c_long is i32 on 32-bit targets, so the conversion is not useless.
        #[allow(clippy::useless_conversion)]
        let timeout = i64::from(timeout);
        match poll(&mut set, timeout) {
            Ok(n) => {
                for (item, done) in raw.iter_mut().zip(&set) {
                    item.revents = done.revents;
                }
                n as c_int
            }
            Err(e) => fail(e),
        }
    })
}
