//! A child forked from a process that uses the library can close what it
//! inherited, terminate the inherited context without its I/O threads (they
//! stay in the parent), and start a context of its own: libzmq's
//! `test_fork`, which used to panic then hang in the child.

use std::ffi::{c_void, CString};
use std::time::{Duration, Instant};
use zmq::constants::{ZMQ_LAST_ENDPOINT, ZMQ_PULL, ZMQ_PUSH, ZMQ_RCVTIMEO};
use zmq::context::{zmq_ctx_new, zmq_ctx_term};
use zmq::socket::{
    zmq_bind, zmq_close, zmq_connect, zmq_getsockopt, zmq_recv, zmq_send, zmq_setsockopt,
    zmq_socket,
};

const MESSAGES: usize = 5;

/// What the child does; its exit code says how far it got.
///
/// # Safety
/// `ctx` and `pull` are the parent's live context and socket; `endpoint`
/// is a NUL-terminated address.
unsafe fn child(ctx: *mut c_void, pull: *mut c_void, endpoint: &CString) -> i32 {
    // SAFETY: as the caller promises; every other pointer is a live local.
    unsafe {
        if zmq_close(pull) != 0 || zmq_ctx_term(ctx) != 0 {
            return 2;
        }
        let own = zmq_ctx_new();
        let push = zmq_socket(own, ZMQ_PUSH);
        if push.is_null() || zmq_connect(push, endpoint.as_ptr()) != 0 {
            return 3;
        }
        for _ in 0..MESSAGES {
            if zmq_send(push, b"Hello".as_ptr().cast(), 5, 0) != 5 {
                return 4;
            }
        }
        // Closed at once, before the connection is even made: the
        // messages still go (infinite linger) and the term returns.
        if zmq_close(push) != 0 || zmq_ctx_term(own) != 0 {
            return 5;
        }
        0
    }
}

#[test]
fn a_forked_child_terminates_the_inherited_context_and_starts_its_own() {
    // SAFETY: pointers handed over are live locals or the library's own
    // handles; the child only calls the library and _exit.
    unsafe {
        let ctx = zmq_ctx_new();
        let pull = zmq_socket(ctx, ZMQ_PULL);
        let bind = CString::new("tcp://127.0.0.1:*").unwrap();
        assert_eq!(zmq_bind(pull, bind.as_ptr()), 0);
        let mut buf = [0u8; 256];
        let mut len = buf.len();
        assert_eq!(
            zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, buf.as_mut_ptr().cast(), &mut len),
            0
        );
        let endpoint = CString::new(&buf[..len - 1]).unwrap();
        let timeout: i32 = 5000;
        let t = (&timeout as *const i32).cast();
        assert_eq!(zmq_setsockopt(pull, ZMQ_RCVTIMEO, t, 4), 0);

        let pid = libc::fork();
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            libc::_exit(child(ctx, pull, &endpoint));
        }
        for i in 0..MESSAGES {
            let n = zmq_recv(pull, buf.as_mut_ptr().cast(), buf.len(), 0);
            assert_eq!(n, 5, "message {i} from the child");
        }
        // The child must finish on its own: a hang is a failure, not a wait.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut status = 0;
        loop {
            let done = libc::waitpid(pid, &mut status, libc::WNOHANG);
            if done == pid {
                break;
            }
            if Instant::now() > deadline {
                libc::kill(pid, libc::SIGKILL);
                panic!("the child is stuck");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(libc::WIFEXITED(status), "child status {status:#x}");
        assert_eq!(libc::WEXITSTATUS(status), 0, "child exit code");
        assert_eq!(zmq_close(pull), 0);
        assert_eq!(zmq_ctx_term(ctx), 0);
    }
}
