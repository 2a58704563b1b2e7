//! XPUB's and SUB's extra options: welcome messages, manual subscription
//! control, verbose cancels and inverted matching (over inproc, so every
//! step is deterministic).

mod common;

use common::{recv, send, set_int};
use zmq_core::socket::options;
use zmq_core::{Context, Error, Socket, SocketType};

fn socket(ctx: &Context, t: SocketType) -> Socket {
    let s = ctx.socket(t).unwrap();
    set_int(&s, options::RCVTIMEO, 2000);
    s
}

#[test]
fn welcome_message_greets_each_subscriber() {
    let ctx = Context::new();
    let xpub = socket(&ctx, SocketType::XPub);
    xpub.set_option(options::XPUB_WELCOME_MSG, b"W").unwrap();
    xpub.bind("inproc://welcome").unwrap();
    let sub = socket(&ctx, SocketType::Sub);
    sub.set_option(options::SUBSCRIBE, b"W").unwrap();
    sub.connect("inproc://welcome").unwrap();
    // The XPUB meets its new peer when it next acts (as libzmq's).
    assert_eq!(recv(&xpub), vec![b"\x01W".to_vec()]);
    assert_eq!(recv(&sub), vec![b"W".to_vec()]);
}

#[test]
fn manual_mode_applies_what_the_user_decides() {
    let ctx = Context::new();
    let xpub = socket(&ctx, SocketType::XPub);
    set_int(&xpub, options::XPUB_MANUAL, 1);
    xpub.bind("inproc://manual").unwrap();
    let sub = socket(&ctx, SocketType::Sub);
    sub.connect("inproc://manual").unwrap();
    // The subscriber takes anything; what it gets is the XPUB's choice.
    sub.set_option(options::SUBSCRIBE, b"").unwrap();
    assert_eq!(recv(&xpub), vec![b"\x01".to_vec()]);
    // The user grants a different topic to that subscriber.
    xpub.set_option(options::SUBSCRIBE, b"granted").unwrap();
    send(&xpub, &[b"asked: not delivered"]);
    send(&xpub, &[b"granted: delivered"]);
    assert_eq!(recv(&sub), vec![b"granted: delivered".to_vec()]);
}

#[test]
fn verboser_passes_every_cancel_up() {
    let ctx = Context::new();
    let xpub = socket(&ctx, SocketType::XPub);
    set_int(&xpub, options::XPUB_VERBOSER, 1);
    xpub.bind("inproc://verboser").unwrap();
    let a = socket(&ctx, SocketType::Sub);
    let b = socket(&ctx, SocketType::Sub);
    for s in [&a, &b] {
        s.connect("inproc://verboser").unwrap();
        s.set_option(options::SUBSCRIBE, b"t").unwrap();
    }
    for s in [&a, &b] {
        s.set_option(options::UNSUBSCRIBE, b"t").unwrap();
    }
    let got: Vec<Vec<u8>> = (0..4).map(|_| recv(&xpub).remove(0)).collect();
    assert_eq!(got.iter().filter(|m| m.as_slice() == b"\x01t").count(), 2);
    assert_eq!(got.iter().filter(|m| m.as_slice() == b"\x00t").count(), 2);
}

#[test]
fn inverted_matching_on_both_ends() {
    let ctx = Context::new();
    let publisher = socket(&ctx, SocketType::Pub);
    set_int(&publisher, options::INVERT_MATCHING, 1);
    publisher.bind("inproc://invert").unwrap();
    let sub = socket(&ctx, SocketType::Sub);
    set_int(&sub, options::INVERT_MATCHING, 1);
    sub.set_option(options::SUBSCRIBE, b"skip").unwrap();
    sub.connect("inproc://invert").unwrap();
    // Let the subscription reach the publisher.
    std::thread::sleep(std::time::Duration::from_millis(20));
    send(&publisher, &[b"skip this"]);
    send(&publisher, &[b"take this"]);
    assert_eq!(recv(&sub), vec![b"take this".to_vec()]);
    assert_eq!(sub.recv(1).unwrap_err(), Error::Again);
}

/// Without ZMQ_ONLY_FIRST_SUBSCRIBE any frame starting with 0 or 1 is a
/// subscription (libzmq's rule); with it, only a message's first frame is,
/// and the rest of a message that starts as a user message passes whole.
#[test]
fn only_first_subscribe_keeps_user_messages_whole() {
    let ctx = Context::new();
    let xpub = socket(&ctx, SocketType::XPub);
    set_int(&xpub, options::ONLY_FIRST_SUBSCRIBE, 1);
    xpub.bind("inproc://first").unwrap();
    let xsub = socket(&ctx, SocketType::XSub);
    set_int(&xsub, options::ONLY_FIRST_SUBSCRIBE, 1);
    xsub.connect("inproc://first").unwrap();
    send(&xsub, &[b"ABC", b"\x01BC"]);
    assert_eq!(recv(&xpub), vec![b"ABC".to_vec(), b"\x01BC".to_vec()]);
    // A subscription first: the frames after it are subscriptions too.
    send(&xsub, &[b"\x01BC", b"\x01CD"]);
    assert_eq!(recv(&xpub), vec![b"\x01BC".to_vec()]);
    assert_eq!(recv(&xpub), vec![b"\x01CD".to_vec()]);
    // A SUB has no such option.
    let sub = socket(&ctx, SocketType::Sub);
    assert_eq!(
        sub.set_option(options::ONLY_FIRST_SUBSCRIBE, &1i32.to_ne_bytes()),
        Err(Error::Invalid)
    );
}

#[test]
fn user_messages_from_an_xsub_reach_the_xpub_user() {
    let ctx = Context::new();
    let xpub = socket(&ctx, SocketType::XPub);
    xpub.bind("inproc://user").unwrap();
    let xsub = socket(&ctx, SocketType::XSub);
    xsub.connect("inproc://user").unwrap();
    send(&xsub, &[b"\x02A"]);
    send(&xsub, &[b"", b"tail"]);
    assert_eq!(recv(&xpub), vec![b"\x02A".to_vec()]);
    assert_eq!(recv(&xpub), vec![b"".to_vec(), b"tail".to_vec()]);
}
