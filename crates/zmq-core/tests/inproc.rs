//! inproc://: sockets of one context joined without any I/O thread.

mod common;

use common::{recv, send};
use zmq_core::socket::options;
use zmq_core::{Context, Error, Msg, Socket, SocketType};

fn socket(ctx: &Context, t: SocketType) -> Socket {
    let s = ctx.socket(t).unwrap();
    s.set_option(options::RCVTIMEO, &2000i32.to_ne_bytes())
        .unwrap();
    s.set_option(options::SNDTIMEO, &2000i32.to_ne_bytes())
        .unwrap();
    s
}

#[test]
fn bind_then_connect_request_reply() {
    let ctx = Context::new();
    let rep = socket(&ctx, SocketType::Rep);
    rep.bind("inproc://service").unwrap();
    let req = socket(&ctx, SocketType::Req);
    req.connect("inproc://service").unwrap();
    for i in 0..100u32 {
        send(&req, &[&i.to_be_bytes()]);
        assert_eq!(recv(&rep), vec![i.to_be_bytes().to_vec()]);
        send(&rep, &[b"ok", &vec![5u8; 5000]]);
        assert_eq!(recv(&req), vec![b"ok".to_vec(), vec![5u8; 5000]]);
    }
}

#[test]
fn connect_before_bind_delivers_what_was_queued() {
    let ctx = Context::new();
    let push = socket(&ctx, SocketType::Push);
    push.connect("inproc://later").unwrap();
    send(&push, &[b"early"]);
    let pull = socket(&ctx, SocketType::Pull);
    pull.bind("inproc://later").unwrap();
    send(&push, &[b"late"]);
    assert_eq!(recv(&pull), vec![b"early".to_vec()]);
    assert_eq!(recv(&pull), vec![b"late".to_vec()]);
}

#[test]
fn an_incompatible_peer_connects_but_is_never_joined() {
    // As libzmq, connect succeeds in either order; unlike it, no messages
    // cross between types that the pattern RFCs keep apart.
    let ctx = Context::new();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_option(options::RCVTIMEO, &100i32.to_ne_bytes())
        .unwrap();
    let early = socket(&ctx, SocketType::Pub);
    early.connect("inproc://typed").unwrap();
    pull.bind("inproc://typed").unwrap();
    let late = socket(&ctx, SocketType::Pub);
    late.connect("inproc://typed").unwrap();
    send(&early, &[b"from early"]);
    send(&late, &[b"from late"]);
    assert_eq!(pull.recv(0).unwrap_err(), Error::Again);
    // The name still serves compatible peers.
    let push = socket(&ctx, SocketType::Push);
    push.connect("inproc://typed").unwrap();
    send(&push, &[b"fine"]);
    assert_eq!(recv(&pull), vec![b"fine".to_vec()]);
}

#[test]
fn names_are_exclusive_and_validated() {
    let ctx = Context::new();
    let a = socket(&ctx, SocketType::Pair);
    a.bind("inproc://x").unwrap();
    let b = socket(&ctx, SocketType::Pair);
    assert_eq!(b.bind("inproc://x"), Err(Error::AddrInUse));
    assert_eq!(b.bind("inproc://"), Err(Error::Invalid));
    // No limit on the length, as in libzmq.
    let long = format!("inproc://{}", "n".repeat(100_000));
    b.bind(&long).unwrap();
    let c = socket(&ctx, SocketType::Pair);
    c.connect(&long).unwrap();
    send(&c, &[b"long"]);
    assert_eq!(recv(&b), vec![b"long".to_vec()]);
    b.unbind(&long).unwrap();
    a.unbind("inproc://x").unwrap();
    assert_eq!(a.unbind("inproc://x"), Err(Error::NotFound));
    b.bind("inproc://x").unwrap();
    // Another context does not see our names.
    let other = Context::new();
    let c = socket(&other, SocketType::Pair);
    c.bind("inproc://x").unwrap();
}

#[test]
fn pub_sub_and_router_identities() {
    let ctx = Context::new();
    let publisher = socket(&ctx, SocketType::Pub);
    publisher.bind("inproc://news").unwrap();
    let sub = socket(&ctx, SocketType::Sub);
    sub.set_option(options::SUBSCRIBE, b"a").unwrap();
    sub.connect("inproc://news").unwrap();
    send(&publisher, &[b"b-skip"]);
    send(&publisher, &[b"a-take"]);
    assert_eq!(recv(&sub), vec![b"a-take".to_vec()]);

    let router = socket(&ctx, SocketType::Router);
    router.bind("inproc://router").unwrap();
    let dealer = socket(&ctx, SocketType::Dealer);
    dealer.set_option(options::ROUTING_ID, b"bob").unwrap();
    dealer.connect("inproc://router").unwrap();
    send(&dealer, &[b"hi"]);
    assert_eq!(recv(&router), vec![b"bob".to_vec(), b"hi".to_vec()]);
    send(&router, &[b"bob", b"back"]);
    assert_eq!(recv(&dealer), vec![b"back".to_vec()]);
}

#[test]
fn closing_a_peer_detaches_it_after_its_messages() {
    let ctx = Context::new();
    let pull = socket(&ctx, SocketType::Pull);
    pull.bind("inproc://sink").unwrap();
    let push = socket(&ctx, SocketType::Push);
    push.connect("inproc://sink").unwrap();
    send(&push, &[b"last words"]);
    drop(push);
    assert_eq!(recv(&pull), vec![b"last words".to_vec()]);
    assert_eq!(pull.recv(1).unwrap_err(), Error::Again);
    // A PUSH whose only peer went away has nowhere to send.
    let pull2 = socket(&ctx, SocketType::Pull);
    pull2.bind("inproc://sink2").unwrap();
    let push2 = socket(&ctx, SocketType::Push);
    push2.connect("inproc://sink2").unwrap();
    drop(pull2);
    std::thread::sleep(std::time::Duration::from_millis(10));
    assert_eq!(
        push2.send(&mut Msg::from_slice(b"x"), 1).unwrap_err(),
        Error::Again
    );
    drop((push2, pull));
    ctx.terminate();
}

#[test]
fn threads_talk_over_inproc() {
    let ctx = Context::new();
    let pull = socket(&ctx, SocketType::Pull);
    pull.bind("inproc://work").unwrap();
    let c = ctx.clone();
    let producer = std::thread::spawn(move || {
        let push = socket(&c, SocketType::Push);
        push.connect("inproc://work").unwrap();
        for i in 0..10_000u32 {
            send(&push, &[&i.to_be_bytes()]);
        }
    });
    for i in 0..10_000u32 {
        assert_eq!(recv(&pull), vec![i.to_be_bytes().to_vec()]);
    }
    producer.join().unwrap();
}

/// Binds `binder` and connects `connecter` to `endpoint`, in either order.
fn join(binder: &Socket, connecter: &Socket, endpoint: &str, connect_first: bool) {
    if connect_first {
        connecter.connect(endpoint).unwrap();
        binder.bind(endpoint).unwrap();
    } else {
        binder.bind(endpoint).unwrap();
        connecter.connect(endpoint).unwrap();
    }
}

/// How many messages `push` queues before it would block.
fn queued_until_full(push: &Socket) -> usize {
    let mut n = 0;
    while push
        .send(&mut Msg::from_slice(b"x"), zmq_core::socket::DONTWAIT)
        .is_ok()
    {
        n += 1;
        assert!(n < 10_000, "no high-water mark");
    }
    n
}

#[test]
fn connect_before_bind_gets_the_binders_high_water_marks() {
    // libzmq: an inproc pipe holds the writer's SNDHWM plus the reader's
    // RCVHWM, whichever side came first.
    for connect_first in [false, true] {
        let ctx = Context::new();
        let push = socket(&ctx, SocketType::Push);
        common::set_int(&push, options::SNDHWM, 10);
        let pull = socket(&ctx, SocketType::Pull);
        common::set_int(&pull, options::RCVHWM, 7);
        join(&pull, &push, "inproc://marks", connect_first);
        assert_eq!(
            queued_until_full(&push),
            17,
            "connect first: {connect_first}"
        );
    }
}

#[test]
fn a_router_connecting_before_the_bind_learns_the_binders_routing_id() {
    for connect_first in [false, true] {
        let ctx = Context::new();
        let router = socket(&ctx, SocketType::Router);
        common::set_int(&router, options::ROUTER_MANDATORY, 1);
        let dealer = socket(&ctx, SocketType::Dealer);
        dealer.set_option(options::ROUTING_ID, b"bob").unwrap();
        join(&dealer, &router, "inproc://named", connect_first);
        send(&dealer, &[b"up"]);
        assert_eq!(recv(&router), vec![b"bob".to_vec(), b"up".to_vec()]);
        send(&router, &[b"bob", b"hi"]);
        assert_eq!(recv(&dealer), vec![b"hi".to_vec()]);
    }
}

#[test]
fn poll_finds_the_one_ready_socket_among_many() {
    use zmq_core::poll::{poll, PollItem, PollTarget};
    // Up to 16 items are polled from the stack, more from the heap.
    for count in [3, 16, 17, 40] {
        let ctx = Context::new();
        let pulls: Vec<Socket> = (0..count)
            .map(|i| {
                let pull = socket(&ctx, SocketType::Pull);
                pull.bind(&format!("inproc://many-{i}")).unwrap();
                pull
            })
            .collect();
        let push = socket(&ctx, SocketType::Push);
        let ready = count - 2;
        push.connect(&format!("inproc://many-{ready}")).unwrap();
        send(&push, &[b"here"]);
        let mut items: Vec<PollItem> = pulls
            .iter()
            .map(|s| PollItem {
                target: PollTarget::Socket(s),
                events: zmq_core::socket::POLLIN,
                revents: 0,
            })
            .collect();
        assert_eq!(poll(&mut items, 2000).unwrap(), 1, "{count} items");
        let hits: Vec<usize> = (0..count).filter(|&i| items[i].revents != 0).collect();
        assert_eq!(hits, vec![ready]);
        // Nothing else arrives: a bounded poll times out with no events.
        assert_eq!(recv(&pulls[ready]), vec![b"here".to_vec()]);
        assert_eq!(poll(&mut items, 10).unwrap(), 0);
    }
}

#[test]
fn recv_into_replaces_the_message_and_empties_it_on_eagain() {
    let ctx = Context::new();
    let pull = socket(&ctx, SocketType::Pull);
    pull.bind("inproc://into").unwrap();
    let push = socket(&ctx, SocketType::Push);
    push.connect("inproc://into").unwrap();
    let mut m = Msg::from_slice(&[7u8; 100]);
    // Nothing queued: EAGAIN, and the message is left empty (libzmq's
    // zmq_msg_recv: a size of 0 after it).
    assert_eq!(
        pull.recv_into(&mut m, zmq_core::socket::DONTWAIT),
        Err(Error::Again)
    );
    assert_eq!(m.len(), 0);
    send(&push, &[b"first", b"second"]);
    pull.recv_into(&mut m, 0).unwrap();
    assert_eq!((m.data(), m.more()), (&b"first"[..], true));
    pull.recv_into(&mut m, 0).unwrap();
    assert_eq!((m.data(), m.more()), (&b"second"[..], false));
    // A REQ asked to receive before it sent: EFSM, the message untouched.
    let req = socket(&ctx, SocketType::Req);
    req.connect("inproc://into").unwrap();
    assert_eq!(req.recv_into(&mut m, 0), Err(Error::State));
    assert_eq!(m.data(), b"second");
}

#[test]
fn a_sub_drops_unwanted_messages_whole_and_keeps_nothing_of_them() {
    let ctx = Context::new();
    let publisher = socket(&ctx, SocketType::Pub);
    publisher.bind("inproc://filtered").unwrap();
    let sub = socket(&ctx, SocketType::Sub);
    sub.set_option(options::SUBSCRIBE, b"a").unwrap();
    sub.connect("inproc://filtered").unwrap();
    send(&publisher, &[b"b-head", b"a-looking tail"]);
    send(&publisher, &[b"a-head", b"tail"]);
    send(&publisher, &[b"b-only"]);
    let mut m = Msg::from_slice(b"kept");
    sub.recv_into(&mut m, 0).unwrap();
    assert_eq!((m.data(), m.more()), (&b"a-head"[..], true));
    sub.recv_into(&mut m, 0).unwrap();
    assert_eq!((m.data(), m.more()), (&b"tail"[..], false));
    // Only unwanted frames are left: they go, and EAGAIN leaves the
    // message empty, not holding one of them.
    assert_eq!(
        sub.recv_into(&mut m, zmq_core::socket::DONTWAIT),
        Err(Error::Again)
    );
    assert_eq!(m.len(), 0);
}
