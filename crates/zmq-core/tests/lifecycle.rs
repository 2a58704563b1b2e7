//! A context's whole life: linger bounds termination, and nothing it
//! opened (threads' descriptors, sockets, eventfds, files) outlives it.

use std::time::{Duration, Instant};
use zmq_core::socket::options;
use zmq_core::{Context, Msg, SocketType};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

fn linger_then_term(linger: i32) -> Duration {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_option(options::LINGER, &linger.to_ne_bytes())
        .unwrap();
    // Nobody listens: the message can never be delivered.
    push.connect("tcp://127.0.0.1:9").unwrap();
    push.send(&mut Msg::from_slice(b"stuck"), 0).unwrap();
    let start = Instant::now();
    drop(push);
    ctx.terminate();
    start.elapsed()
}

#[test]
fn linger_bounds_termination_and_nothing_leaks() {
    let before = open_fds();
    let threads_before = threads();

    assert!(linger_then_term(0) < Duration::from_millis(150));
    let waited = linger_then_term(300);
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");

    // A busy context over every transport, then closed down.
    let ctx = Context::new();
    let rep = ctx.socket(SocketType::Rep).unwrap();
    rep.bind("tcp://127.0.0.1:*").unwrap();
    rep.bind("ipc://*").unwrap();
    rep.bind("inproc://lifecycle").unwrap();
    let mut buf = [0u8; 256];
    let n = rep.get_option(options::LAST_ENDPOINT, &mut buf).unwrap();
    let ipc = std::str::from_utf8(&buf[..n - 1]).unwrap().to_string();
    let reqs: Vec<_> = ["inproc://lifecycle", ipc.as_str()]
        .iter()
        .map(|ep| {
            let req = ctx.socket(SocketType::Req).unwrap();
            req.connect(ep).unwrap();
            req
        })
        .collect();
    for req in &reqs {
        req.send(&mut Msg::from_slice(b"q"), 0).unwrap();
        assert_eq!(rep.recv(0).unwrap().data(), b"q");
        rep.send(&mut Msg::from_slice(b"a"), 0).unwrap();
        assert_eq!(req.recv(0).unwrap().data(), b"a");
    }
    drop(reqs);
    drop(rep);
    ctx.terminate();
    let path = ipc.trim_start_matches("ipc://");
    assert!(!std::path::Path::new(path).exists(), "ipc file removed");

    // Give the kernel a moment to release what threads closed.
    let mut after = open_fds();
    for _ in 0..50 {
        if after <= before {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
        after = open_fds();
    }
    assert_eq!(after, before, "descriptors leaked");
    assert_eq!(
        threads(),
        threads_before,
        "I/O threads outlived their context"
    );
}
