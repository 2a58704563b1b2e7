//! Details of the C API that programs written against libzmq 4.3.5 rely on.

use std::ffi::{c_void, CString};
use zmq::constants::{ZMQ_DONTWAIT, ZMQ_PAIR, ZMQ_PULL, ZMQ_RCVMORE, ZMQ_RCVTIMEO, ZMQ_SNDMORE};
use zmq::context::{zmq_ctx_new, zmq_ctx_term};
use zmq::socket::{
    zmq_bind, zmq_close, zmq_connect, zmq_getsockopt, zmq_recviov, zmq_sendiov, zmq_setsockopt,
    zmq_socket,
};

/// An int option read into an int64_t reads back as the same value: the
/// size says 4 and the rest of the buffer is zeroed.
#[test]
fn getsockopt_zeroes_the_rest_of_a_larger_buffer() {
    // SAFETY: the buffer and its length are live locals; the socket and
    // context are closed before the end.
    unsafe {
        let ctx = zmq_ctx_new();
        let s = zmq_socket(ctx, ZMQ_PAIR);
        let mut more: i64 = -1;
        let mut len = std::mem::size_of::<i64>();
        let p = (&mut more as *mut i64).cast();
        assert_eq!(zmq_getsockopt(s, ZMQ_RCVMORE, p, &mut len), 0);
        assert_eq!((len, more), (4, 0));
        assert_eq!(zmq_close(s), 0);
        assert_eq!(zmq_ctx_term(ctx), 0);
    }
}

/// zmq_sendiov never leaves SNDMORE on the last part (even when the caller
/// passes it), and zmq_recviov returns the number of parts it received.
#[test]
fn sendiov_with_sndmore_then_recviov_round_trip() {
    let endpoint = CString::new("inproc://iov").unwrap();
    let parts: Vec<Vec<u8>> = (0..10u8).map(|i| vec![b'a' + i; 100]).collect();
    let mut send: Vec<libc::iovec> = parts
        .iter()
        .map(|p| libc::iovec {
            iov_base: p.as_ptr() as *mut c_void,
            iov_len: p.len(),
        })
        .collect();
    let mut recv = vec![
        libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0
        };
        10
    ];
    // SAFETY: every pointer handed over is live for the call; the sockets
    // and context are closed before the end, the received buffers freed.
    unsafe {
        let ctx = zmq_ctx_new();
        let a = zmq_socket(ctx, ZMQ_PAIR);
        let b = zmq_socket(ctx, ZMQ_PAIR);
        assert_eq!(zmq_bind(a, endpoint.as_ptr()), 0);
        assert_eq!(zmq_connect(b, endpoint.as_ptr()), 0);
        let timeout: i32 = 2000;
        let t = (&timeout as *const i32).cast();
        assert_eq!(zmq_setsockopt(a, ZMQ_RCVTIMEO, t, 4), 0);
        assert_eq!(
            zmq_sendiov(b, send.as_mut_ptr(), send.len(), ZMQ_SNDMORE),
            100,
            "sendiov returns the size of the last part"
        );
        let mut count = recv.len();
        let rc = zmq_recviov(a, recv.as_mut_ptr(), &mut count, 0);
        assert_eq!((rc, count), (10, 10), "recviov returns the part count");
        for (got, want) in recv.iter().zip(&parts) {
            let bytes = std::slice::from_raw_parts(got.iov_base as *const u8, got.iov_len);
            assert_eq!(bytes, &want[..]);
            libc::free(got.iov_base);
        }
        // A second message arrives whole too: nothing was left half-sent.
        assert_eq!(zmq_sendiov(b, send.as_mut_ptr(), 2, 0), 100);
        let mut count = recv.len();
        assert_eq!(zmq_recviov(a, recv.as_mut_ptr(), &mut count, 0), 2);
        for got in &recv[..2] {
            libc::free(got.iov_base);
        }
        assert_eq!(zmq_close(a), 0);
        assert_eq!(zmq_close(b), 0);
        assert_eq!(zmq_ctx_term(ctx), 0);
    }
}

/// A closed message is refused with EFAULT by everything that takes one
/// (libzmq asserts and aborts on a send of one).
#[test]
fn a_closed_message_is_efault_everywhere() {
    use zmq::message::{zmq_msg_close, zmq_msg_init_size, zmq_msg_t};
    use zmq::socket::{zmq_msg_recv, zmq_msg_send};
    let endpoint = CString::new("inproc://closed").unwrap();
    // SAFETY: the message storage and the sockets are live locals; the
    // sockets and context are closed before the end.
    unsafe {
        let ctx = zmq_ctx_new();
        let a = zmq_socket(ctx, ZMQ_PAIR);
        let b = zmq_socket(ctx, ZMQ_PAIR);
        assert_eq!(zmq_bind(a, endpoint.as_ptr()), 0);
        assert_eq!(zmq_connect(b, endpoint.as_ptr()), 0);
        let mut msg = std::mem::MaybeUninit::<zmq_msg_t>::uninit();
        let m = msg.as_mut_ptr();
        assert_eq!(zmq_msg_init_size(m, 10), 0);
        assert_eq!(zmq_msg_close(m), 0);
        assert_eq!(zmq_msg_send(m, b, 0), -1);
        assert_eq!(zmq::utility::zmq_errno(), libc::EFAULT);
        assert_eq!(zmq_msg_recv(m, a, 0), -1);
        assert_eq!(zmq::utility::zmq_errno(), libc::EFAULT);
        assert_eq!(zmq_close(a), 0);
        assert_eq!(zmq_close(b), 0);
        assert_eq!(zmq_ctx_term(ctx), 0);
    }
}

/// zmq_msg_recv with nothing to receive leaves the message empty, as
/// libzmq does (its size is 0 after EAGAIN, whatever it held).
#[test]
fn a_receive_finding_nothing_leaves_the_message_empty() {
    use zmq::message::{zmq_msg_close, zmq_msg_init_size, zmq_msg_size, zmq_msg_t};
    use zmq::socket::zmq_msg_recv;
    let endpoint = CString::new("inproc://nothing").unwrap();
    // SAFETY: the message storage and the socket are live locals; the
    // message, socket and context are closed before the end.
    unsafe {
        let ctx = zmq_ctx_new();
        let pull = zmq_socket(ctx, ZMQ_PULL);
        assert_eq!(zmq_bind(pull, endpoint.as_ptr()), 0);
        let mut msg = std::mem::MaybeUninit::<zmq_msg_t>::uninit();
        let m = msg.as_mut_ptr();
        assert_eq!(zmq_msg_init_size(m, 10), 0);
        assert_eq!(zmq_msg_recv(m, pull, ZMQ_DONTWAIT), -1);
        assert_eq!(zmq::utility::zmq_errno(), libc::EAGAIN);
        assert_eq!(zmq_msg_size(m), 0);
        assert_eq!(zmq_msg_close(m), 0);
        assert_eq!(zmq_close(pull), 0);
        assert_eq!(zmq_ctx_term(ctx), 0);
    }
}
