//! ZMQ_CONFLATE: a receiver that only wants the newest value gets it, and
//! nothing piles up behind a slow reader, on every transport.

mod common;

use common::{last_endpoint, recv, send, set_int};
use std::time::Duration;
use zmq_core::socket::options;
use zmq_core::{Context, Error, Socket, SocketType};

/// Sends 1..=1000, gives them time to arrive, then reads until 1000: a
/// queueing socket would hand over all 1000; a conflating one skips to the
/// newest (a few reads at most, should the reader catch up with a slow
/// sender), never going back.
fn only_the_newest_arrives(tx: &Socket, rx: &Socket) {
    for i in 1..=1000u32 {
        send(tx, &[&i.to_be_bytes()]);
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut seen = Vec::new();
    while seen.last() != Some(&1000) {
        let m = rx.recv(0).expect("the newest message arrives");
        seen.push(u32::from_be_bytes(m.data().try_into().unwrap()));
    }
    assert!(seen.is_sorted() && seen.len() <= 10, "{seen:?}");
    assert_eq!(
        rx.recv(1).unwrap_err(),
        Error::Again,
        "nothing queued behind it"
    );
    // The pipe is usable again afterwards.
    send(tx, &[b"next"]);
    assert_eq!(recv(rx), vec![b"next".to_vec()]);
}

fn conflating(ctx: &Context, t: SocketType) -> Socket {
    let s = ctx.socket(t).unwrap();
    set_int(&s, options::CONFLATE, 1);
    set_int(&s, options::RCVTIMEO, 2000);
    s
}

#[test]
fn pull_keeps_the_newest_message_over_tcp_ipc_and_inproc() {
    let dir = std::env::temp_dir().join(format!("zmq-conflate-{}", std::process::id()));
    for endpoint in [
        "tcp://127.0.0.1:*".to_string(),
        format!("ipc://{}", dir.display()),
        "inproc://conflate".to_string(),
    ] {
        let ctx = Context::new();
        let pull = conflating(&ctx, SocketType::Pull);
        pull.bind(&endpoint).unwrap();
        let push = ctx.socket(SocketType::Push).unwrap();
        push.connect(&last_endpoint(&pull)).unwrap();
        only_the_newest_arrives(&push, &pull);
    }
}

#[test]
fn sub_keeps_the_newest_matching_update() {
    let ctx = Context::new();
    let publisher = ctx.socket(SocketType::Pub).unwrap();
    set_int(&publisher, options::SNDHWM, 0); // the PUB must not drop any itself
    publisher.bind("tcp://127.0.0.1:*").unwrap();
    let sub = conflating(&ctx, SocketType::Sub);
    sub.set_option(options::SUBSCRIBE, b"").unwrap();
    sub.connect(&last_endpoint(&publisher)).unwrap();
    // Wait until the subscription has reached the publisher.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        send(&publisher, &[b"hello"]);
        if sub.recv(1).is_ok() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never subscribed");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(50));
    while sub.recv(1).is_ok() {}
    only_the_newest_arrives(&publisher, &sub);
}

#[test]
fn a_conflating_sub_loses_none_of_its_subscriptions() {
    let ctx = Context::new();
    let xpub = ctx.socket(SocketType::XPub).unwrap();
    set_int(&xpub, options::RCVTIMEO, 2000);
    xpub.bind("tcp://127.0.0.1:*").unwrap();
    let sub = conflating(&ctx, SocketType::Sub);
    for topic in [b"a", b"b", b"c"] {
        sub.set_option(options::SUBSCRIBE, topic).unwrap();
    }
    sub.connect(&last_endpoint(&xpub)).unwrap();
    let mut seen: Vec<_> = (0..3).map(|_| recv(&xpub)).collect();
    seen.sort();
    assert_eq!(seen, [[b"\x01a"], [b"\x01b"], [b"\x01c"]]);
}

#[test]
fn a_conflating_sender_never_blocks() {
    let ctx = Context::new();
    let push = conflating(&ctx, SocketType::Push);
    set_int(&push, options::SNDHWM, 1);
    push.connect("inproc://never-blocks").unwrap();
    // No reader yet: a queueing pipe would refuse the second message.
    for i in 1..=100u32 {
        push.send(&mut zmq_core::Msg::from_slice(&i.to_be_bytes()), 1)
            .unwrap();
    }
    let pull = ctx.socket(SocketType::Pull).unwrap();
    set_int(&pull, options::RCVTIMEO, 2000);
    pull.bind("inproc://never-blocks").unwrap();
    assert_eq!(recv(&pull), vec![100u32.to_be_bytes().to_vec()]);
}

#[test]
fn conflate_is_read_back_and_validated() {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Sub).unwrap();
    let mut buf = [0u8; 4];
    s.get_option(options::CONFLATE, &mut buf).unwrap();
    assert_eq!(i32::from_ne_bytes(buf), 0);
    set_int(&s, options::CONFLATE, 1);
    s.get_option(options::CONFLATE, &mut buf).unwrap();
    assert_eq!(i32::from_ne_bytes(buf), 1);
    assert_eq!(
        s.set_option(options::CONFLATE, &2i32.to_ne_bytes()),
        Err(Error::Invalid)
    );
}
