//! Sockets: creation, options, endpoints, send and receive.
//!
//! STUB: the socket layer replaces these bodies. Until then every function
//! exists with libzmq's signature (so `zmq.h` is complete and programs
//! link) and fails with ENOTSUP.

use std::ffi::{c_char, c_int, c_void};
use std::ptr;

use zmq_core::Error;

use crate::errno::{errno_of, fail, guard, set_errno};
use crate::message::zmq_msg_t;

/// Creates a socket of `type` in `context`.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_socket(context: *mut c_void, type_: c_int) -> *mut c_void {
    let _ = (context, type_);
    // STUB: replaced by the socket layer
    guard(ptr::null_mut(), || {
        set_errno(errno_of(Error::NotSupported));
        ptr::null_mut()
    })
}

/// Closes a socket.
///
/// # Safety
/// `socket` is NULL or a live socket.
#[no_mangle]
pub unsafe extern "C" fn zmq_close(socket: *mut c_void) -> c_int {
    let _ = socket;
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Sets a socket option from `optvallen` bytes at `optval`.
///
/// # Safety
/// `socket` is NULL or a live socket; `optval` is valid for `optvallen` bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_setsockopt(
    socket: *mut c_void,
    option: c_int,
    optval: *const c_void,
    optvallen: usize,
) -> c_int {
    let _ = (socket, option, optval, optvallen);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Reads a socket option into `optval`, whose size is `*optvallen`.
///
/// # Safety
/// `socket` is NULL or a live socket; `optval` is writable for `*optvallen` bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_getsockopt(
    socket: *mut c_void,
    option: c_int,
    optval: *mut c_void,
    optvallen: *mut usize,
) -> c_int {
    let _ = (socket, option, optval, optvallen);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Binds the socket to an endpoint.
///
/// # Safety
/// `socket` is NULL or a live socket; `endpoint` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_bind(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    let _ = (socket, endpoint);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Connects the socket to an endpoint.
///
/// # Safety
/// `socket` is NULL or a live socket; `endpoint` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_connect(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    let _ = (socket, endpoint);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Stops listening on an endpoint.
///
/// # Safety
/// `socket` is NULL or a live socket; `endpoint` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_unbind(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    let _ = (socket, endpoint);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Disconnects from an endpoint.
///
/// # Safety
/// `socket` is NULL or a live socket; `endpoint` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_disconnect(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    let _ = (socket, endpoint);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Sends `len` bytes from `buf` as one frame.
///
/// # Safety
/// `socket` is NULL or a live socket; `buf` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_send(
    socket: *mut c_void,
    buf: *const c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    let _ = (socket, buf, len, flags);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Sends `len` bytes of constant memory at `buf` as one frame, without copying.
///
/// # Safety
/// `socket` is NULL or a live socket; `buf` stays valid and unchanged for good.
#[no_mangle]
pub unsafe extern "C" fn zmq_send_const(
    socket: *mut c_void,
    buf: *const c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    let _ = (socket, buf, len, flags);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Receives a frame into `buf`, truncated to `len` bytes.
///
/// # Safety
/// `socket` is NULL or a live socket; `buf` is writable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_recv(
    socket: *mut c_void,
    buf: *mut c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    let _ = (socket, buf, len, flags);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Sends a message, taking its content.
///
/// # Safety
/// `msg` is NULL or an initialised message; `socket` is NULL or a live socket.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_send(
    msg: *mut zmq_msg_t,
    socket: *mut c_void,
    flags: c_int,
) -> c_int {
    let _ = (msg, socket, flags);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Receives a frame into a message.
///
/// # Safety
/// `msg` is NULL or an initialised message; `socket` is NULL or a live socket.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_recv(
    msg: *mut zmq_msg_t,
    socket: *mut c_void,
    flags: c_int,
) -> c_int {
    let _ = (msg, socket, flags);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Deprecated form of `zmq_msg_send`.
///
/// # Safety
/// As for `zmq_msg_send`.
#[no_mangle]
pub unsafe extern "C" fn zmq_sendmsg(
    socket: *mut c_void,
    msg: *mut zmq_msg_t,
    flags: c_int,
) -> c_int {
    let _ = (socket, msg, flags);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Deprecated form of `zmq_msg_recv`.
///
/// # Safety
/// As for `zmq_msg_recv`.
#[no_mangle]
pub unsafe extern "C" fn zmq_recvmsg(
    socket: *mut c_void,
    msg: *mut zmq_msg_t,
    flags: c_int,
) -> c_int {
    let _ = (socket, msg, flags);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Sends `count` buffers as a multipart message.
///
/// # Safety
/// `socket` is NULL or a live socket; `iov` holds `count` valid buffers.
#[no_mangle]
pub unsafe extern "C" fn zmq_sendiov(
    socket: *mut c_void,
    iov: *mut libc::iovec,
    count: usize,
    flags: c_int,
) -> c_int {
    let _ = (socket, iov, count, flags);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}

/// Receives a multipart message into at most `*count` buffers.
///
/// # Safety
/// `socket` is NULL or a live socket; `iov` holds `*count` entries.
#[no_mangle]
pub unsafe extern "C" fn zmq_recviov(
    socket: *mut c_void,
    iov: *mut libc::iovec,
    count: *mut usize,
    flags: c_int,
) -> c_int {
    let _ = (socket, iov, count, flags);
    // STUB: replaced by the socket layer
    guard(-1, || fail(Error::NotSupported))
}
