//! PLAIN (RFC 24) and ZAP (RFC 27): credentials checked by a handler
//! socket bound at inproc://zeromq.zap.01, and the monitor events libzmq
//! reports when authentication fails.

mod common;

use common::{event, last_endpoint, recv, send, set_int, watch};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;
use zmq_core::socket::{monitor, options};
use zmq_core::{Context, Socket, SocketType};

const ZAP: &str = "inproc://zeromq.zap.01";

/// A ZAP handler answering each request with the next of `statuses` (then
/// stopping); the requests it saw, envelope removed, come out of the channel.
fn handler(
    ctx: &Context,
    kind: SocketType,
    statuses: &[&'static str],
) -> mpsc::Receiver<Vec<Vec<u8>>> {
    let zap = zap_socket(ctx, kind);
    let (tx, rx) = mpsc::channel();
    let statuses = statuses.to_vec();
    thread::spawn(move || {
        for status in statuses {
            let Ok(first) = zap.recv(0) else { return };
            let mut request = vec![first.data().to_vec()];
            let mut more = first.more();
            while more {
                let m = zap.recv(0).unwrap();
                more = m.more();
                request.push(m.data().to_vec());
            }
            // A ROUTER sees [routing id, "", request...]; a REP the request.
            let envelope = match kind {
                SocketType::Router => request.drain(..2).collect(),
                _ => Vec::new(),
            };
            let mut reply: Vec<&[u8]> = envelope.iter().map(|p| &p[..]).collect();
            let id = request[1].clone();
            reply.extend([&b"1.0"[..], &id, status.as_bytes(), b"OK", b"user", b""]);
            send(&zap, &reply);
            tx.send(request).unwrap();
        }
    });
    rx
}

/// A socket bound where a ZAP handler binds, waiting at most 5 s.
fn zap_socket(ctx: &Context, kind: SocketType) -> Socket {
    let zap = ctx.socket(kind).unwrap();
    set_int(&zap, options::RCVTIMEO, 5000);
    set_int(&zap, options::LINGER, 0);
    zap.bind(ZAP).unwrap();
    zap
}

/// Events until one of `wanted` arrives: that one's (event, value).
fn until(pair: &Socket, wanted: &[u16]) -> (u16, u32) {
    loop {
        let (event, value, _) = event(pair);
        if wanted.contains(&event) {
            return (event, value);
        }
    }
}

/// A NULL socket on `endpoint` that asks ZAP about its peers in `domain`;
/// returns it and the endpoint it bound.
fn zap_domain_server(
    ctx: &Context,
    kind: SocketType,
    domain: &[u8],
    endpoint: &str,
) -> (Socket, String) {
    let server = ctx.socket(kind).unwrap();
    server.set_option(options::ZAP_DOMAIN, domain).unwrap();
    set_int(&server, options::RCVTIMEO, 5000);
    server.bind(endpoint).unwrap();
    let ep = last_endpoint(&server);
    (server, ep)
}

/// A peer connected to `ep` that does not wait to deliver on close.
fn connected(ctx: &Context, kind: SocketType, ep: &str) -> Socket {
    let client = ctx.socket(kind).unwrap();
    set_int(&client, options::LINGER, 0);
    client.connect(ep).unwrap();
    client
}

const FAILURES: &[u16] = &[
    monitor::HANDSHAKE_FAILED_AUTH,
    monitor::HANDSHAKE_FAILED_NO_DETAIL,
    monitor::HANDSHAKE_FAILED_PROTOCOL,
    monitor::HANDSHAKE_SUCCEEDED,
];

fn plain_server(ctx: &Context) -> (Socket, String) {
    let server = ctx.socket(SocketType::Pull).unwrap();
    set_int(&server, options::PLAIN_SERVER, 1);
    set_int(&server, options::RCVTIMEO, 5000);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let ep = last_endpoint(&server);
    (server, ep)
}

fn plain_client(ctx: &Context, user: &[u8], password: &[u8]) -> Socket {
    let client = ctx.socket(SocketType::Push).unwrap();
    client.set_option(options::PLAIN_USERNAME, user).unwrap();
    client
        .set_option(options::PLAIN_PASSWORD, password)
        .unwrap();
    set_int(&client, options::LINGER, 0);
    client
}

#[test]
fn plain_credentials_reach_the_handler_and_accepted_clients_talk() {
    for kind in [SocketType::Rep, SocketType::Router] {
        let ctx = Context::new();
        let requests = handler(&ctx, kind, &["200"]);
        let (server, ep) = plain_server(&ctx);
        let client = plain_client(&ctx, b"admin", b"secret");
        client.connect(&ep).unwrap();
        send(&client, &[b"hello", b"world"]);
        assert_eq!(recv(&server), [&b"hello"[..], b"world"]);
        let request = requests.recv_timeout(Duration::from_secs(5)).unwrap();
        let expected: [&[u8]; 8] = [
            b"1.0",
            b"1",
            b"",
            b"127.0.0.1",
            b"",
            b"PLAIN",
            b"admin",
            b"secret",
        ];
        assert_eq!(request, expected, "{kind:?}");
    }
}

#[test]
fn a_refused_client_is_told_why_on_both_sides_and_gives_up() {
    let ctx = Context::new();
    let requests = handler(&ctx, SocketType::Rep, &["400", "200"]);
    let (server, ep) = plain_server(&ctx);
    let server_events = watch(&ctx, &server, "server");
    let client = plain_client(&ctx, b"admin", b"wrong");
    let client_events = watch(&ctx, &client, "client");
    client.connect(&ep).unwrap();
    send(&client, &[b"not for you"]);
    assert_eq!(
        until(&server_events, FAILURES),
        (monitor::HANDSHAKE_FAILED_AUTH, 400)
    );
    assert_eq!(
        until(&client_events, FAILURES),
        (monitor::HANDSHAKE_FAILED_AUTH, 400)
    );
    requests.recv_timeout(Duration::from_secs(5)).unwrap();
    // As libzmq, the refused connection is not retried (the handler would
    // let a second attempt in).
    assert!(requests.recv_timeout(Duration::from_millis(500)).is_err());
    set_int(&server, options::RCVTIMEO, 100);
    assert!(server.recv(0).is_err());
}

#[test]
fn a_plain_server_without_a_handler_lets_nobody_in() {
    let ctx = Context::new();
    let (server, ep) = plain_server(&ctx);
    let server_events = watch(&ctx, &server, "server");
    let client = plain_client(&ctx, b"admin", b"secret");
    client.connect(&ep).unwrap();
    // libzmq reports no detail but EFAULT.
    assert_eq!(
        until(&server_events, FAILURES),
        (monitor::HANDSHAKE_FAILED_NO_DETAIL, 14)
    );

    // NULL lets peers in without a handler, unless told to enforce.
    for (enforce, outcome) in [
        (0, (monitor::HANDSHAKE_SUCCEEDED, 0)),
        (1, (monitor::HANDSHAKE_FAILED_NO_DETAIL, 14)),
    ] {
        let server = ctx.socket(SocketType::Pull).unwrap();
        server.set_option(options::ZAP_DOMAIN, b"d").unwrap();
        set_int(&server, options::ZAP_ENFORCE_DOMAIN, enforce);
        server.bind("tcp://127.0.0.1:*").unwrap();
        let events = watch(&ctx, &server, &format!("null-{enforce}"));
        let _client = connected(&ctx, SocketType::Push, &last_endpoint(&server));
        assert_eq!(until(&events, FAILURES), outcome);
    }
}

#[test]
fn null_with_a_zap_domain_asks_the_handler() {
    let ctx = Context::new();
    let requests = handler(&ctx, SocketType::Rep, &["200", "500"]);
    let (server, ep) = zap_domain_server(&ctx, SocketType::Rep, b"global", "tcp://127.0.0.1:*");
    let server_events = watch(&ctx, &server, "server");

    let client = ctx.socket(SocketType::Req).unwrap();
    set_int(&client, options::RCVTIMEO, 5000);
    client.connect(&ep).unwrap();
    send(&client, &[b"ping"]);
    assert_eq!(recv(&server), [b"ping"]);
    send(&server, &[b"pong"]);
    assert_eq!(recv(&client), [b"pong"]);
    let request = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    let expected: [&[u8]; 6] = [b"1.0", b"1", b"global", b"127.0.0.1", b"", b"NULL"];
    assert_eq!(request, expected);

    // The second peer is refused (500: the handler failed).
    let other = ctx.socket(SocketType::Req).unwrap();
    set_int(&other, options::LINGER, 0);
    let other_events = watch(&ctx, &other, "other");
    other.connect(&ep).unwrap();
    assert_eq!(
        until(&server_events, FAILURES),
        (monitor::HANDSHAKE_SUCCEEDED, 0)
    );
    assert_eq!(
        until(&server_events, FAILURES),
        (monitor::HANDSHAKE_FAILED_AUTH, 500)
    );
    assert_eq!(
        until(&other_events, FAILURES),
        (monitor::HANDSHAKE_FAILED_AUTH, 500)
    );
}

#[test]
fn over_ipc_the_address_names_the_peer_process() {
    let ctx = Context::new();
    let requests = handler(&ctx, SocketType::Rep, &["200"]);
    let (server, ep) = zap_domain_server(&ctx, SocketType::Pull, b"local", "ipc://*");
    let client = connected(&ctx, SocketType::Push, &ep);
    send(&client, &[b"hi"]);
    assert_eq!(recv(&server), [b"hi"]);
    let request = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    // As libzmq: the peer's credentials (here our own process's).
    // SAFETY: getuid and getgid cannot fail and touch no memory.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let address = format!("localhost:{uid}:{gid}:{}", std::process::id());
    assert_eq!(request[3], address.as_bytes());
}

#[test]
fn received_frames_carry_the_connection_properties() {
    let ctx = Context::new();
    // The handler names the user and adds a property of its own.
    let zap = zap_socket(&ctx, SocketType::Rep);
    let answer = thread::spawn(move || {
        let request = recv(&zap);
        let id = request[1].clone();
        let meta = b"\x05X-Foo\x00\x00\x00\x03bar";
        send(&zap, &[b"1.0", &id, b"200", b"OK", b"alice", meta]);
        zap
    });
    let (router, ep) = zap_domain_server(&ctx, SocketType::Router, b"d", "tcp://127.0.0.1:*");
    let dealer = ctx.socket(SocketType::Dealer).unwrap();
    dealer.set_option(options::ROUTING_ID, b"cli").unwrap();
    set_int(&dealer, options::LINGER, 0);
    dealer.connect(&ep).unwrap();
    send(&dealer, &[b"x"]);
    let envelope = router.recv(0).unwrap();
    let body = router.recv(0).unwrap();
    let _zap = answer.join().unwrap();
    assert_eq!((envelope.data(), body.data()), (&b"cli"[..], &b"x"[..]));
    for frame in [&envelope, &body] {
        let props = frame.properties().expect("properties on every frame");
        let get = |name: &str| props.get(name).map(|v| v.to_vec());
        // Values end with their NUL; names match exactly, as in libzmq.
        assert_eq!(get("Socket-Type").unwrap(), b"DEALER\0");
        assert_eq!(get("Identity").unwrap(), b"cli\0");
        assert_eq!(get("Peer-Address").unwrap(), b"127.0.0.1\0");
        assert_eq!(get("User-Id").unwrap(), b"alice\0");
        assert_eq!(get("X-Foo").unwrap(), b"bar\0");
        let fd = get("__fd").unwrap();
        assert!(
            std::str::from_utf8(&fd[..fd.len() - 1])
                .unwrap()
                .parse::<i32>()
                .unwrap()
                > 2
        );
        assert_eq!(get("socket-type"), None);
        assert_eq!(get("Routing-Id"), None);
    }
    // Without ZAP there is no User-Id; over inproc no properties at all.
    send(&router, &[b"cli", b"back"]);
    let reply = recv(&dealer);
    assert_eq!(reply, [b"back"]);
    let (a, b) = (
        ctx.socket(SocketType::Pair).unwrap(),
        ctx.socket(SocketType::Pair).unwrap(),
    );
    set_int(&b, options::RCVTIMEO, 5000);
    a.bind("inproc://props").unwrap();
    b.connect("inproc://props").unwrap();
    send(&a, &[b"local"]);
    assert!(b.recv(0).unwrap().properties().is_none());
    let plain = ctx.socket(SocketType::Pull).unwrap();
    set_int(&plain, options::RCVTIMEO, 5000);
    plain.bind("tcp://127.0.0.1:*").unwrap();
    let push = connected(&ctx, SocketType::Push, &last_endpoint(&plain));
    send(&push, &[b"hi"]);
    let m = plain.recv(0).unwrap();
    let props = m.properties().unwrap();
    assert_eq!(props.get("Socket-Type").unwrap(), b"PUSH\0");
    assert_eq!(props.get("User-Id"), None);
    // A received frame sent on loses them.
    let mut forward = m.clone();
    a.send(&mut forward, 0).unwrap();
    assert!(b.recv(0).unwrap().properties().is_none());
}

#[test]
fn a_temporary_refusal_is_silent_until_the_handshake_times_out() {
    let ctx = Context::new();
    let requests = handler(&ctx, SocketType::Rep, &["300", "200"]);
    let (server, ep) = zap_domain_server(&ctx, SocketType::Pull, b"d", "tcp://127.0.0.1:*");
    let server_events = watch(&ctx, &server, "server");
    let client = ctx.socket(SocketType::Push).unwrap();
    set_int(&client, options::LINGER, 0);
    set_int(&client, options::HANDSHAKE_IVL, 300);
    // Watched before it connects, so no event is missed.
    let client_events = watch(&ctx, &client, "client");
    client.connect(&ep).unwrap();
    send(&client, &[b"eventually"]);
    assert_eq!(
        until(&server_events, FAILURES),
        (monitor::HANDSHAKE_FAILED_AUTH, 300)
    );
    // No ERROR reaches the client, and the connection stays (as libzmq)
    // until a handshake timer (the client's here) drops it: the client
    // retries, and the second attempt is let in.
    assert_eq!(
        until(&client_events, FAILURES),
        (monitor::HANDSHAKE_FAILED_NO_DETAIL, 0)
    );
    assert_eq!(recv(&server), [b"eventually"]);
    assert_eq!(requests.iter().take(2).count(), 2);
}

#[test]
fn broken_zap_replies_fail_the_handshake_as_protocol_errors() {
    for (reply, code) in [
        (&[&b"2.0"[..], b"1", b"200", b"", b"", b""][..], 0x2000_0003),
        (&[b"1.0", b"9", b"200", b"", b"", b""], 0x2000_0002),
        (&[b"1.0", b"1", b"201", b"", b"", b""], 0x2000_0004),
        (&[b"1.0", b"1", b"200", b"", b"", b"\x01"], 0x2000_0005),
        (&[b"1.0", b"1", b"200"], 0x2000_0001),
    ] {
        let ctx = Context::new();
        let zap = zap_socket(&ctx, SocketType::Rep);
        let (server, ep) = plain_server(&ctx);
        let server_events = watch(&ctx, &server, "server");
        let client = plain_client(&ctx, b"u", b"p");
        client.connect(&ep).unwrap();
        recv(&zap);
        send(&zap, reply);
        assert_eq!(
            until(&server_events, FAILURES),
            (monitor::HANDSHAKE_FAILED_PROTOCOL, code)
        );
    }
}

#[test]
fn a_handler_that_closes_without_answering_fails_the_handshake_at_once() {
    let ctx = Context::new();
    let zap = zap_socket(&ctx, SocketType::Rep);
    let (server, ep) = plain_server(&ctx);
    let server_events = watch(&ctx, &server, "server");
    let client = plain_client(&ctx, b"u", b"p");
    client.connect(&ep).unwrap();
    recv(&zap);
    drop(zap);
    // Not left waiting for the handshake timeout (30 s): no detail, EPIPE.
    assert_eq!(
        until(&server_events, FAILURES),
        (monitor::HANDSHAKE_FAILED_NO_DETAIL, libc::EPIPE as u32)
    );
}

#[test]
fn mechanisms_must_match() {
    let ctx = Context::new();
    let _requests = handler(&ctx, SocketType::Rep, &["200"]);
    let (server, ep) = plain_server(&ctx);
    let server_events = watch(&ctx, &server, "server");
    let _client = connected(&ctx, SocketType::Push, &ep);
    assert_eq!(
        until(&server_events, FAILURES),
        (monitor::HANDSHAKE_FAILED_PROTOCOL, 0x1100_0002)
    );
}

#[test]
fn security_options_read_back_as_libzmq() {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Dealer).unwrap();
    let int = |opt| {
        let mut b = [0u8; 4];
        s.get_option(opt, &mut b).unwrap();
        i32::from_ne_bytes(b)
    };
    let string = |opt| {
        let mut b = [0u8; 256];
        let n = s.get_option(opt, &mut b).unwrap();
        b[..n].to_vec()
    };
    assert_eq!(int(options::MECHANISM), 0);
    s.set_option(options::PLAIN_USERNAME, b"u").unwrap();
    assert_eq!(
        (int(options::MECHANISM), int(options::PLAIN_SERVER)),
        (1, 0)
    );
    assert_eq!(string(options::PLAIN_USERNAME), b"u\0");
    set_int(&s, options::PLAIN_SERVER, 1);
    assert_eq!(
        (int(options::MECHANISM), int(options::PLAIN_SERVER)),
        (1, 1)
    );
    // Setting a credential makes the socket a client again.
    s.set_option(options::PLAIN_PASSWORD, b"p").unwrap();
    assert_eq!(
        (int(options::MECHANISM), int(options::PLAIN_SERVER)),
        (1, 0)
    );
    // No credential: back to NULL (the credentials are kept).
    s.set_option(options::PLAIN_USERNAME, b"").unwrap();
    assert_eq!(int(options::MECHANISM), 0);
    assert_eq!(string(options::PLAIN_PASSWORD), b"p\0");
    set_int(&s, options::PLAIN_SERVER, 0);
    assert_eq!(int(options::MECHANISM), 0);
    assert!(s
        .set_option(options::PLAIN_SERVER, &2i32.to_ne_bytes())
        .is_err());
    assert!(s.set_option(options::PLAIN_USERNAME, &[b'x'; 256]).is_err());

    assert_eq!(string(options::ZAP_DOMAIN), b"\0");
    assert!(s.set_option(options::ZAP_DOMAIN, b"").is_err());
    assert!(s.set_option(options::ZAP_DOMAIN, &[b'x'; 256]).is_err());
    s.set_option(options::ZAP_DOMAIN, &[b'x'; 255]).unwrap();
    assert_eq!(string(options::ZAP_DOMAIN).len(), 256);
    assert_eq!(int(options::ZAP_ENFORCE_DOMAIN), 0);
    set_int(&s, options::ZAP_ENFORCE_DOMAIN, 1);
    assert_eq!(int(options::ZAP_ENFORCE_DOMAIN), 1);
}
