//! Cross-layer tests: real sockets over tcp on loopback, our library on
//! both sides (interop with libzmq is in python-interop/).

use zmq_core::socket::options;
use zmq_core::{Context, Error, Msg, Socket, SocketType};

fn last_endpoint(s: &Socket) -> String {
    let mut buf = [0u8; 256];
    let n = s.get_option(options::LAST_ENDPOINT, &mut buf).unwrap();
    String::from_utf8(buf[..n - 1].to_vec()).unwrap()
}

fn set_int(s: &Socket, opt: i32, v: i32) {
    s.set_option(opt, &v.to_ne_bytes()).unwrap();
}

fn bound(ctx: &Context, t: SocketType) -> (Socket, String) {
    let s = ctx.socket(t).unwrap();
    set_int(&s, options::RCVTIMEO, 5000);
    set_int(&s, options::SNDTIMEO, 5000);
    s.bind("tcp://127.0.0.1:*").unwrap();
    let ep = last_endpoint(&s);
    (s, ep)
}

fn connected(ctx: &Context, t: SocketType, ep: &str) -> Socket {
    let s = ctx.socket(t).unwrap();
    set_int(&s, options::RCVTIMEO, 5000);
    set_int(&s, options::SNDTIMEO, 5000);
    s.connect(ep).unwrap();
    s
}

fn send(s: &Socket, parts: &[&[u8]]) {
    for (i, p) in parts.iter().enumerate() {
        let flags = if i + 1 < parts.len() { 2 } else { 0 };
        s.send(&mut Msg::from_slice(p), flags).unwrap();
    }
}

fn recv(s: &Socket) -> Vec<Vec<u8>> {
    let mut parts = Vec::new();
    loop {
        let m = s.recv(0).unwrap();
        parts.push(m.data().to_vec());
        if !m.more() {
            return parts;
        }
    }
}

#[test]
fn req_rep_round_trips() {
    let ctx = Context::new();
    let (rep, ep) = bound(&ctx, SocketType::Rep);
    let req = connected(&ctx, SocketType::Req, &ep);
    for i in 0..10 {
        let body = format!("hello {i}");
        send(&req, &[body.as_bytes()]);
        assert_eq!(recv(&rep), vec![body.as_bytes().to_vec()]);
        send(&rep, &[b"world", b"two"]);
        assert_eq!(recv(&req), vec![b"world".to_vec(), b"two".to_vec()]);
    }
    assert_eq!(req.recv(0).unwrap_err(), Error::State);
    drop((req, rep));
    ctx.terminate();
}

#[test]
fn push_pull_many_and_large() {
    let ctx = Context::new();
    let (pull, ep) = bound(&ctx, SocketType::Pull);
    let push = connected(&ctx, SocketType::Push, &ep);
    let big = vec![7u8; 300_000];
    for i in 0..2000u32 {
        send(&push, &[&i.to_be_bytes()]);
    }
    send(&push, &[&big]);
    for i in 0..2000u32 {
        assert_eq!(recv(&pull), vec![i.to_be_bytes().to_vec()]);
    }
    assert_eq!(recv(&pull), vec![big]);
    drop((push, pull));
    ctx.terminate();
}

#[test]
fn pub_sub_prefix_filter() {
    let ctx = Context::new();
    let (publisher, ep) = bound(&ctx, SocketType::Pub);
    let sub = connected(&ctx, SocketType::Sub, &ep);
    sub.set_option(options::SUBSCRIBE, b"A").unwrap();
    // Wait for the subscription to reach the publisher.
    let mut got = None;
    for _ in 0..200 {
        send(&publisher, &[b"B-no"]);
        send(&publisher, &[b"A-yes", b"part2"]);
        if let Ok(m) = sub.recv(1) {
            got = Some(m);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let m = got.expect("subscription reached the publisher");
    assert_eq!(m.data(), b"A-yes");
    assert_eq!(sub.recv(0).unwrap().data(), b"part2");
    drop((sub, publisher));
    ctx.terminate();
}

#[test]
fn dealer_router_identities() {
    let ctx = Context::new();
    let (router, ep) = bound(&ctx, SocketType::Router);
    let dealer = ctx.socket(SocketType::Dealer).unwrap();
    dealer.set_option(options::ROUTING_ID, b"alice").unwrap();
    set_int(&dealer, options::RCVTIMEO, 5000);
    dealer.connect(&ep).unwrap();
    send(&dealer, &[b"hi"]);
    assert_eq!(recv(&router), vec![b"alice".to_vec(), b"hi".to_vec()]);
    send(&router, &[b"alice", b"back"]);
    assert_eq!(recv(&dealer), vec![b"back".to_vec()]);
    drop((dealer, router));
    ctx.terminate();
}

#[test]
fn connect_before_bind_and_reconnect() {
    let ctx = Context::new();
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let ep = format!("tcp://127.0.0.1:{port}");
    let push = connected(&ctx, SocketType::Push, &ep);
    send(&push, &[b"queued"]);
    std::thread::sleep(std::time::Duration::from_millis(150));
    let pull = ctx.socket(SocketType::Pull).unwrap();
    set_int(&pull, options::RCVTIMEO, 5000);
    pull.bind(&ep).unwrap();
    assert_eq!(recv(&pull), vec![b"queued".to_vec()]);
    drop(pull);
    // Closing is asynchronous (as in libzmq): the port frees up shortly.
    let pull = ctx.socket(SocketType::Pull).unwrap();
    set_int(&pull, options::RCVTIMEO, 5000);
    let mut bound = pull.bind(&ep);
    for _ in 0..100 {
        if bound.is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        bound = pull.bind(&ep);
    }
    bound.unwrap();
    send(&push, &[b"after restart"]);
    assert_eq!(recv(&pull), vec![b"after restart".to_vec()]);
    drop((push, pull));
    ctx.terminate();
}
