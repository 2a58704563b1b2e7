//! Sockets: creation, options, endpoints, send and receive.
//!
//! A socket pointer is a boxed `SocketHandle` with a tag, so anything that
//! is not a live socket is refused with ENOTSOCK.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;

use zmq_core::{Error, Msg, Socket, SocketType};

use crate::context::ctx_ref;
use crate::errno::{fail, guard, set_errno};
use crate::message::{msg_mut, zmq_msg_t};

const LIVE: u32 = 0xbadd_ecaf;
const DEAD: u32 = 0xdead_d00d;

pub(crate) struct SocketHandle {
    tag: u32,
    pub(crate) socket: Socket,
}

/// The socket behind a C pointer, if it is one.
///
/// # Safety
/// `p` is NULL or a pointer returned by zmq_socket.
pub(crate) unsafe fn socket_ref<'a>(p: *mut c_void) -> Option<&'a Socket> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller passes a pointer we returned (NULL handled above).
    // The tag check, like libzmq's, catches foreign pointers and most
    // closed sockets (until freed memory is reused); it is a courtesy, not
    // a guard against use after free.
    let h = unsafe { &*(p as *const SocketHandle) };
    (h.tag == LIVE).then_some(&h.socket)
}

/// Runs `f` on a live socket, mapping errors to errno and -1.
///
/// # Safety
/// `socket` is NULL or a pointer returned by zmq_socket.
unsafe fn with_socket(
    socket: *mut c_void,
    f: impl FnOnce(&Socket) -> Result<c_int, Error>,
) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let Some(s) = (unsafe { socket_ref(socket) }) else {
            set_errno(libc::ENOTSOCK);
            return -1;
        };
        match f(s) {
            Ok(v) => v,
            Err(e) => fail(e),
        }
    })
}

/// A C string argument as UTF-8, or EINVAL.
///
/// # Safety
/// `s` is NULL or a NUL-terminated string.
unsafe fn c_str<'a>(s: *const c_char) -> Result<&'a str, Error> {
    if s.is_null() {
        return Err(Error::Invalid);
    }
    // SAFETY: non-null and NUL-terminated per the caller's contract.
    unsafe { CStr::from_ptr(s) }
        .to_str()
        .map_err(|_| Error::Invalid)
}

/// A message length as the int the C API returns.
fn len_int(n: usize) -> c_int {
    n.min(c_int::MAX as usize) as c_int
}

/// Creates a socket of `type` in `context`.
///
/// # Safety
/// `context` is NULL or a live context.
#[no_mangle]
pub unsafe extern "C" fn zmq_socket(context: *mut c_void, r#type: c_int) -> *mut c_void {
    guard(ptr::null_mut(), || {
        // SAFETY: forwarded caller contract.
        let Some(h) = (unsafe { ctx_ref(context) }) else {
            set_errno(libc::EFAULT);
            return ptr::null_mut();
        };
        let Some(t) = SocketType::from_raw(r#type) else {
            set_errno(libc::EINVAL);
            return ptr::null_mut();
        };
        match h.ctx.socket(t) {
            Ok(socket) => {
                Box::into_raw(Box::new(SocketHandle { tag: LIVE, socket })) as *mut c_void
            }
            Err(e) => {
                fail(e);
                ptr::null_mut()
            }
        }
    })
}

/// Closes a socket; queued messages are sent within ZMQ_LINGER.
///
/// # Safety
/// `socket` is NULL or a live socket.
#[no_mangle]
pub unsafe extern "C" fn zmq_close(socket: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        if unsafe { socket_ref(socket) }.is_none() {
            set_errno(libc::ENOTSOCK);
            return -1;
        }
        // SAFETY: a live socket pointer came from Box::into_raw in
        // zmq_socket; the tag is cleared before it is freed, once.
        unsafe {
            (*(socket as *mut SocketHandle)).tag = DEAD;
            drop(Box::from_raw(socket as *mut SocketHandle));
        }
        0
    })
}

/// Sets a socket option from `optvallen` bytes at `optval`.
///
/// # Safety
/// `socket` is NULL or a live socket; `optval` points to `optvallen` bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_setsockopt(
    socket: *mut c_void,
    option: c_int,
    optval: *const c_void,
    optvallen: usize,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_socket(socket, |s| {
            // libzmq turns PLAIN off with a NULL credential, and clears the
            // accept filters and the SOCKS proxy with NULL, but refuses an
            // empty string for those (the core takes empty for NULL).
            use zmq_core::socket::options as o;
            let null_only = matches!(
                option,
                o::PLAIN_USERNAME
                    | o::PLAIN_PASSWORD
                    | o::TCP_ACCEPT_FILTER
                    | o::IPC_FILTER_UID
                    | o::IPC_FILTER_GID
                    | o::IPC_FILTER_PID
                    | o::SOCKS_PROXY
            );
            let value: &[u8] = if optvallen == 0 && null_only && !optval.is_null() {
                return Err(Error::Invalid);
            } else if optvallen == 0 {
                &[]
            } else if optval.is_null() {
                return Err(Error::Invalid);
            } else {
                // SAFETY: the caller promises `optvallen` readable bytes.
                std::slice::from_raw_parts(optval as *const u8, optvallen)
            };
            s.set_option(option, value).map(|()| 0)
        })
    }
}

/// Reads a socket option into `optval`, updating `*optvallen`.
///
/// # Safety
/// `socket` is NULL or a live socket; `optval` has `*optvallen` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_getsockopt(
    socket: *mut c_void,
    option: c_int,
    optval: *mut c_void,
    optvallen: *mut usize,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_socket(socket, |s| {
            if optvallen.is_null() || (optval.is_null() && *optvallen > 0) {
                return Err(Error::Fault);
            }
            let buf: &mut [u8] = if *optvallen == 0 {
                &mut []
            } else {
                // SAFETY: the caller promises `*optvallen` writable bytes.
                std::slice::from_raw_parts_mut(optval as *mut u8, *optvallen)
            };
            let n = s.get_option(option, buf)?;
            // As libzmq: a larger buffer's tail is zeroed, so an int read
            // into an int64_t (ZMQ_RCVMORE, say) reads back the same value.
            let len = buf.len();
            buf[n.min(len)..].fill(0);
            *optvallen = n;
            Ok(0)
        })
    }
}

/// Binds the socket to an endpoint.
///
/// # Safety
/// `socket` is NULL or a live socket; `endpoint` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_bind(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { with_socket(socket, |s| s.bind(c_str(endpoint)?).map(|()| 0)) }
}

/// Connects the socket to an endpoint.
///
/// # Safety
/// `socket` is NULL or a live socket; `endpoint` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_connect(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { with_socket(socket, |s| s.connect(c_str(endpoint)?).map(|()| 0)) }
}

/// Stops listening on a bound endpoint.
///
/// # Safety
/// `socket` is NULL or a live socket; `endpoint` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_unbind(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { with_socket(socket, |s| s.unbind(c_str(endpoint)?).map(|()| 0)) }
}

/// Drops a connected endpoint.
///
/// # Safety
/// `socket` is NULL or a live socket; `endpoint` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_disconnect(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { with_socket(socket, |s| s.disconnect(c_str(endpoint)?).map(|()| 0)) }
}

/// Sends `len` bytes from `buf` as one frame.
///
/// # Safety
/// `socket` is NULL or a live socket; `buf` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_send(
    socket: *mut c_void,
    buf: *const c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_socket(socket, |s| {
            let data: &[u8] = if len == 0 {
                &[]
            } else if buf.is_null() {
                return Err(Error::Fault);
            } else {
                // SAFETY: the caller promises `len` readable bytes.
                std::slice::from_raw_parts(buf as *const u8, len)
            };
            s.send(&mut Msg::from_slice(data), flags)?;
            Ok(len_int(len))
        })
    }
}

/// Sends a constant buffer (copied, which keeps ownership simple).
///
/// # Safety
/// As zmq_send.
#[no_mangle]
pub unsafe extern "C" fn zmq_send_const(
    socket: *mut c_void,
    buf: *const c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { zmq_send(socket, buf, len, flags) }
}

/// Receives one frame into `buf`, truncating to `len`; returns the frame's
/// full size.
///
/// # Safety
/// `socket` is NULL or a live socket; `buf` has `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_recv(
    socket: *mut c_void,
    buf: *mut c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_socket(socket, |s| {
            if buf.is_null() && len > 0 {
                return Err(Error::Fault);
            }
            let mut msg = Msg::new();
            s.recv_into(&mut msg, flags)?;
            let n = msg.len().min(len);
            if n > 0 {
                // SAFETY: `buf` has `len` >= n writable bytes, distinct from
                // the message's own storage.
                ptr::copy_nonoverlapping(msg.data().as_ptr(), buf as *mut u8, n);
            }
            Ok(len_int(msg.len()))
        })
    }
}

/// Sends a message; on success it is emptied.
///
/// # Safety
/// `msg` is an initialised message; `socket` is NULL or a live socket.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_send(
    msg: *mut zmq_msg_t,
    socket: *mut c_void,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_socket(socket, |s| {
            let m = msg_mut(msg).ok_or(Error::Fault)?;
            let len = m.len();
            s.send(m, flags)?;
            Ok(len_int(len))
        })
    }
}

/// Receives a message into `msg`, releasing what it held.
///
/// # Safety
/// `msg` is an initialised message; `socket` is NULL or a live socket.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_recv(
    msg: *mut zmq_msg_t,
    socket: *mut c_void,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_socket(socket, |s| {
            let m = msg_mut(msg).ok_or(Error::Fault)?;
            s.recv_into(m, flags)?;
            Ok(len_int(m.len()))
        })
    }
}

/// Deprecated: zmq_msg_send with the arguments swapped.
///
/// # Safety
/// As zmq_msg_send.
#[no_mangle]
pub unsafe extern "C" fn zmq_sendmsg(
    socket: *mut c_void,
    msg: *mut zmq_msg_t,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { zmq_msg_send(msg, socket, flags) }
}

/// Deprecated: zmq_msg_recv with the arguments swapped.
///
/// # Safety
/// As zmq_msg_recv.
#[no_mangle]
pub unsafe extern "C" fn zmq_recvmsg(
    socket: *mut c_void,
    msg: *mut zmq_msg_t,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { zmq_msg_recv(msg, socket, flags) }
}

/// Sends `count` buffers as one multipart message.
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
    // SAFETY: forwarded caller contract.
    unsafe {
        with_socket(socket, |s| {
            if count == 0 || iov.is_null() {
                return Err(Error::Invalid);
            }
            // SAFETY: the caller promises `count` iovecs.
            let iovs = std::slice::from_raw_parts(iov, count);
            let mut rc = 0;
            for (i, v) in iovs.iter().enumerate() {
                let data: &[u8] = if v.iov_len == 0 {
                    &[]
                } else if v.iov_base.is_null() {
                    return Err(Error::Fault);
                } else {
                    // SAFETY: each iovec describes readable memory.
                    std::slice::from_raw_parts(v.iov_base as *const u8, v.iov_len)
                };
                // As libzmq: every part but the last is sent with SNDMORE,
                // and the last without, even when the caller passed it.
                let flags = if i + 1 < count {
                    flags | zmq_core::socket::SNDMORE
                } else {
                    flags & !zmq_core::socket::SNDMORE
                };
                s.send(&mut Msg::from_slice(data), flags)?;
                rc = len_int(v.iov_len);
            }
            Ok(rc)
        })
    }
}

/// Receives up to `*count` frames of a message into buffers allocated with
/// malloc (the caller frees them); `*count` becomes the number received,
/// which is also what it returns (as libzmq, despite its man page's "bytes").
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
    // SAFETY: forwarded caller contract.
    unsafe {
        with_socket(socket, |s| {
            if count.is_null() || iov.is_null() || *count == 0 {
                return Err(Error::Invalid);
            }
            let max = *count;
            let mut n = 0;
            // On failure the caller gets no buffers: free those taken.
            let release = |n: usize| {
                for i in 0..n {
                    // SAFETY: entries below `n` hold buffers malloc'd here.
                    libc::free((*iov.add(i)).iov_base);
                }
            };
            loop {
                let msg = match s.recv(flags) {
                    Ok(msg) => msg,
                    Err(e) => {
                        release(n);
                        return Err(e);
                    }
                };
                let len = msg.len();
                let buf = libc::malloc(len.max(1)) as *mut u8;
                if buf.is_null() {
                    release(n);
                    return Err(Error::Os(libc::ENOMEM));
                }
                // SAFETY: `buf` has room for `len` bytes.
                ptr::copy_nonoverlapping(msg.data().as_ptr(), buf, len);
                // SAFETY: n < max, within the caller's array.
                *iov.add(n) = libc::iovec {
                    iov_base: buf as *mut c_void,
                    iov_len: len,
                };
                n += 1;
                if !msg.more() || n == max {
                    break;
                }
            }
            *count = n;
            Ok(len_int(n))
        })
    }
}

/// Sends the socket's events (a mask of `ZMQ_EVENT_*`) to a PAIR socket
/// bound on the inproc endpoint `addr`; a NULL `addr` stops monitoring.
///
/// # Safety
/// `socket` is NULL or a live socket; `addr` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor(
    socket: *mut c_void,
    addr: *const c_char,
    events: c_int,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_socket(socket, |s| {
            let endpoint = if addr.is_null() {
                None
            } else {
                Some(c_str(addr)?)
            };
            s.monitor(endpoint, events as u32).map(|()| 0)
        })
    }
}

/// The socket behind an optional C pointer: NULL is None, anything else
/// must be a live socket.
///
/// # Safety
/// `p` is NULL or a pointer returned by zmq_socket.
unsafe fn optional_socket<'a>(p: *mut c_void) -> Result<Option<&'a Socket>, Error> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded caller contract.
    match unsafe { socket_ref(p) } {
        Some(s) => Ok(Some(s)),
        None => Err(Error::Os(libc::ENOTSOCK)),
    }
}

/// Shuttles messages between `frontend` and `backend` (copies to
/// `capture`, if not NULL) until the context terminates, or until
/// `control` (if not NULL) says TERMINATE.
///
/// # Safety
/// Each pointer is NULL or a live socket (frontend and backend not NULL).
#[no_mangle]
pub unsafe extern "C" fn zmq_proxy_steerable(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
    control: *mut c_void,
) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let sockets = unsafe {
            (
                socket_ref(frontend),
                socket_ref(backend),
                optional_socket(capture),
                optional_socket(control),
            )
        };
        let (Some(f), Some(b), Ok(capture), Ok(control)) = sockets else {
            set_errno(libc::ENOTSOCK);
            return -1;
        };
        match zmq_core::proxy::proxy(f, b, capture, control) {
            Ok(()) => 0,
            Err(e) => fail(e),
        }
    })
}

/// zmq_proxy_steerable without a control socket.
///
/// # Safety
/// As zmq_proxy_steerable.
#[no_mangle]
pub unsafe extern "C" fn zmq_proxy(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { zmq_proxy_steerable(frontend, backend, capture, ptr::null_mut()) }
}

/// Deprecated: a proxy between two sockets (the device type is ignored,
/// as libzmq does).
///
/// # Safety
/// As zmq_proxy.
#[no_mangle]
pub unsafe extern "C" fn zmq_device(
    r#type: c_int,
    frontend: *mut c_void,
    backend: *mut c_void,
) -> c_int {
    let _ = r#type;
    // SAFETY: forwarded caller contract.
    unsafe { zmq_proxy(frontend, backend, ptr::null_mut()) }
}
