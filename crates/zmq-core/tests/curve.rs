//! CURVE over tcp between our own sockets, and hostile peers: a proxy
//! between a good client and the server alters, replays or swaps the
//! client's commands; each such connection is closed with libzmq's monitor
//! event while the server keeps serving a well-behaved client. Nothing the
//! application sends crosses the wire in clear.

mod common;

use common::{event, last_endpoint, recv, send, set_int, watch};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use zmq_core::crypto::{keypair, PublicKey, SecretKey};
use zmq_core::socket::{monitor, options};
use zmq_core::{Context, Socket, SocketType};

const CRYPTOGRAPHIC: u32 = 0x1100_0001;
const INVALID_SEQUENCE: u32 = 0x1000_0002;
const MALFORMED_HELLO: u32 = 0x1000_0013;
const MALFORMED_INITIATE: u32 = 0x1000_0014;
const MALFORMED_MESSAGE: u32 = 0x1000_0012;

struct Server {
    socket: Socket,
    public: PublicKey,
    endpoint: String,
    events: Socket,
}

fn server(ctx: &Context, maxmsgsize: i64) -> Server {
    let (public, secret) = keypair();
    let socket = ctx.socket(SocketType::Pull).unwrap();
    set_int(&socket, options::RCVTIMEO, 5000);
    socket
        .set_option(options::MAXMSGSIZE, &maxmsgsize.to_ne_bytes())
        .unwrap();
    set_int(&socket, options::CURVE_SERVER, 1);
    socket
        .set_option(options::CURVE_SECRETKEY, secret.as_bytes())
        .unwrap();
    let events = watch(ctx, &socket, &format!("curve-server-{}", rand_name()));
    socket.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&socket);
    Server {
        socket,
        public,
        endpoint,
        events,
    }
}

fn rand_name() -> String {
    let (public, _) = keypair();
    public[..6].iter().map(|b| format!("{b:02x}")).collect()
}

fn client(ctx: &Context, server_key: &PublicKey) -> Socket {
    let (public, secret): (PublicKey, SecretKey) = keypair();
    let push = ctx.socket(SocketType::Push).unwrap();
    set_int(&push, options::SNDTIMEO, 5000);
    set_int(&push, options::LINGER, 0);
    push.set_option(options::CURVE_SERVERKEY, server_key)
        .unwrap();
    push.set_option(options::CURVE_PUBLICKEY, &public).unwrap();
    push.set_option(options::CURVE_SECRETKEY, secret.as_bytes())
        .unwrap();
    push
}

/// The next handshake verdict the server's monitor reports.
fn verdict(s: &Server) -> (u16, u32) {
    loop {
        let (e, value, _) = event(&s.events);
        if e == monitor::HANDSHAKE_SUCCEEDED
            || e == monitor::HANDSHAKE_FAILED_PROTOCOL
            || e == monitor::HANDSHAKE_FAILED_AUTH
            || e == monitor::HANDSHAKE_FAILED_NO_DETAIL
        {
            return (e, value);
        }
    }
}

/// A well-behaved client still gets its message through.
fn still_serves(ctx: &Context, s: &Server) {
    let push = client(ctx, &s.public);
    push.connect(&s.endpoint).unwrap();
    send(&push, &[b"still", b"here"]);
    assert_eq!(recv(&s.socket), [b"still".to_vec(), b"here".to_vec()]);
}

/// What a proxy does to the client's frames after the greeting: given the
/// frame's index (0 HELLO, 1 INITIATE, then MESSAGEs) and its whole bytes
/// (header and body), the bytes to pass on instead.
type Mutation = Box<dyn FnMut(usize, Vec<u8>) -> Vec<u8> + Send>;

/// Listens on a port; relays one connection to `target`, the client's
/// frames through `mutate`, and records everything both ways. Returns the
/// proxy's endpoint and the record.
fn proxy(target: &str, mut mutate: Mutation) -> (String, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("tcp://{}", listener.local_addr().unwrap());
    let target = target.trim_start_matches("tcp://").to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    thread::spawn(move || {
        let (mut from_client, _) = listener.accept().unwrap();
        let mut to_server = TcpStream::connect(target).unwrap();
        let (mut from_server, mut to_client) = (
            to_server.try_clone().unwrap(),
            from_client.try_clone().unwrap(),
        );
        let back = record.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n @ 1..) = from_server.read(&mut buf) {
                back.lock().unwrap().extend_from_slice(&buf[..n]);
                if to_client.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            let _ = to_client.shutdown(std::net::Shutdown::Both);
        });
        let mut pending = Vec::new();
        let mut greeting_left = 64;
        let mut index = 0;
        let mut buf = [0u8; 65536];
        while let Ok(n @ 1..) = from_client.read(&mut buf) {
            record.lock().unwrap().extend_from_slice(&buf[..n]);
            pending.extend_from_slice(&buf[..n]);
            let mut out = Vec::new();
            let greeting = pending.len().min(greeting_left);
            out.extend(pending.drain(..greeting));
            greeting_left -= greeting;
            while let Some(len) = whole_frame(&pending) {
                let frame: Vec<u8> = pending.drain(..len).collect();
                out.extend(mutate(index, frame));
                index += 1;
            }
            if to_server.write_all(&out).is_err() {
                break;
            }
        }
        let _ = to_server.shutdown(std::net::Shutdown::Both);
    });
    (endpoint, seen)
}

/// The length of the ZMTP frame at the start of `buf`, if all of it is in.
fn whole_frame(buf: &[u8]) -> Option<usize> {
    let flags = *buf.first()?;
    let (header, size) = if flags & 0x02 != 0 {
        (
            9,
            u64::from_be_bytes(buf.get(1..9)?.try_into().unwrap()) as usize,
        )
    } else {
        (2, usize::from(*buf.get(1)?))
    };
    (buf.len() >= header + size).then_some(header + size)
}

fn header_len(frame: &[u8]) -> usize {
    if frame[0] & 0x02 != 0 {
        9
    } else {
        2
    }
}

/// A client through a proxy applying `mutate`, having sent "first" and
/// "second"; returns the server's verdict on that connection, and the
/// client (to keep until its messages are in).
fn through_proxy(ctx: &Context, s: &Server, mutate: Mutation) -> ((u16, u32), Socket) {
    let (endpoint, _) = proxy(&s.endpoint, mutate);
    let push = client(ctx, &s.public);
    push.connect(&endpoint).unwrap();
    send(&push, &[b"first"]);
    send(&push, &[b"second"]);
    (verdict(s), push)
}

#[test]
fn traffic_is_encrypted_and_delivered_whole() {
    let ctx = Context::new();
    let s = server(&ctx, -1);
    let (endpoint, seen) = proxy(&s.endpoint, Box::new(|_, frame| frame));
    let push = client(&ctx, &s.public);
    push.connect(&endpoint).unwrap();
    let big = vec![b'q'; 300_000];
    send(&push, &[b"the secret plan", b"", &big]);
    assert_eq!(
        recv(&s.socket),
        [b"the secret plan".to_vec(), Vec::new(), big.clone()]
    );
    assert_eq!(verdict(&s), (monitor::HANDSHAKE_SUCCEEDED, 0));
    let wire = seen.lock().unwrap().clone();
    assert!(wire.windows(7).any(|w| w == b"MESSAGE"));
    assert!(!wire.windows(15).any(|w| w == b"the secret plan"));
    assert!(!wire.windows(64).any(|w| w == &big[..64]));
}

#[test]
fn altered_handshake_commands_close_the_connection() {
    let ctx = Context::new();
    let s = server(&ctx, -1);
    // A flipped bit in HELLO's box: the server cannot open it.
    let flip_hello = |i: usize, mut f: Vec<u8>| {
        if i == 0 {
            let last = f.len() - 1;
            f[last] ^= 1;
        }
        f
    };
    assert_eq!(
        through_proxy(&ctx, &s, Box::new(flip_hello)).0,
        (monitor::HANDSHAKE_FAILED_PROTOCOL, CRYPTOGRAPHIC)
    );
    // HELLO one byte short (the frame's size says so).
    let short_hello = |i: usize, mut f: Vec<u8>| {
        if i == 0 {
            f.pop();
            f[1] -= 1;
        }
        f
    };
    assert_eq!(
        through_proxy(&ctx, &s, Box::new(short_hello)).0,
        (monitor::HANDSHAKE_FAILED_PROTOCOL, MALFORMED_HELLO)
    );
    // INITIATE cut to 100 bytes of data.
    let short_initiate = |i: usize, f: Vec<u8>| {
        if i != 1 {
            return f;
        }
        let body = &f[header_len(&f)..][..110];
        let mut out = vec![0x04, body.len() as u8];
        out.extend_from_slice(body);
        out
    };
    assert_eq!(
        through_proxy(&ctx, &s, Box::new(short_initiate)).0,
        (monitor::HANDSHAKE_FAILED_PROTOCOL, MALFORMED_INITIATE)
    );
    // A cookie altered in INITIATE.
    let bad_cookie = |i: usize, mut f: Vec<u8>| {
        if i == 1 {
            let at = header_len(&f) + 9 + 40;
            f[at] ^= 1;
        }
        f
    };
    assert_eq!(
        through_proxy(&ctx, &s, Box::new(bad_cookie)).0,
        (monitor::HANDSHAKE_FAILED_PROTOCOL, CRYPTOGRAPHIC)
    );
    still_serves(&ctx, &s);
}

/// An INITIATE recorded on one connection and replayed on another (its
/// cookie belongs to the first) is refused.
#[test]
fn a_cookie_from_another_connection_is_refused() {
    let ctx = Context::new();
    let s = server(&ctx, -1);
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let keep = recorded.clone();
    let record = move |i: usize, f: Vec<u8>| {
        if i == 1 {
            *keep.lock().unwrap() = f.clone();
        }
        f
    };
    let (result, _client) = through_proxy(&ctx, &s, Box::new(record));
    assert_eq!(result, (monitor::HANDSHAKE_SUCCEEDED, 0));
    assert_eq!(recv(&s.socket), [b"first".to_vec()]);
    assert_eq!(recv(&s.socket), [b"second".to_vec()]);
    let old = recorded.lock().unwrap().clone();
    assert!(!old.is_empty());
    let replay = move |i: usize, f: Vec<u8>| if i == 1 { old.clone() } else { f };
    assert_eq!(
        through_proxy(&ctx, &s, Box::new(replay)).0,
        (monitor::HANDSHAKE_FAILED_PROTOCOL, CRYPTOGRAPHIC)
    );
    still_serves(&ctx, &s);
}

/// After the handshake: a MESSAGE replayed, altered or cut short closes the
/// connection; what came before it was delivered, nothing after it (a
/// replayed "second" arrives once: its replay is refused).
#[test]
fn replayed_or_altered_messages_close_the_connection() {
    let ctx = Context::new();
    let cases: [(Mutation, u32, &[&[u8]]); 3] = [
        (
            Box::new(|i, f: Vec<u8>| if i == 3 { [f.clone(), f].concat() } else { f }),
            INVALID_SEQUENCE,
            &[b"first", b"second"],
        ),
        (
            Box::new(|i, mut f: Vec<u8>| {
                if i == 3 {
                    let last = f.len() - 1;
                    f[last] ^= 0x80;
                }
                f
            }),
            CRYPTOGRAPHIC,
            &[b"first"],
        ),
        (
            Box::new(|i, f: Vec<u8>| {
                if i == 3 {
                    let body = &f[header_len(&f)..][..20];
                    let mut out = vec![0x00, body.len() as u8];
                    out.extend_from_slice(body);
                    return out;
                }
                f
            }),
            MALFORMED_MESSAGE,
            &[b"first"],
        ),
    ];
    for (mutation, code, delivered) in cases {
        let s = server(&ctx, -1);
        let (endpoint, _) = proxy(&s.endpoint, mutation);
        let push = client(&ctx, &s.public);
        push.connect(&endpoint).unwrap();
        send(&push, &[b"first"]);
        send(&push, &[b"second"]);
        assert_eq!(verdict(&s), (monitor::HANDSHAKE_SUCCEEDED, 0));
        for &body in delivered {
            assert_eq!(recv(&s.socket), [body.to_vec()]);
        }
        loop {
            let (e, value, _) = event(&s.events);
            if e == monitor::HANDSHAKE_FAILED_PROTOCOL {
                assert_eq!(value, code);
                break;
            }
            assert_ne!(e, monitor::HANDSHAKE_SUCCEEDED);
        }
        assert!(
            s.socket.recv(zmq_core::socket::DONTWAIT).is_err(),
            "nothing after it"
        );
        still_serves(&ctx, &s);
    }
}

/// A MESSAGE announcing more than ZMQ_MAXMSGSIZE (plus CURVE's overhead)
/// is refused from its header: nothing that large is buffered.
#[test]
fn an_oversized_message_is_refused_before_it_arrives() {
    let ctx = Context::new();
    let s = server(&ctx, 1000);
    let (endpoint, _) = proxy(
        &s.endpoint,
        Box::new(|i, f: Vec<u8>| {
            if i == 2 {
                let mut huge = vec![0x02];
                huge.extend_from_slice(&(1u64 << 40).to_be_bytes());
                huge.extend_from_slice(b"\x07MESSAGE");
                return huge;
            }
            f
        }),
    );
    let push = client(&ctx, &s.public);
    push.connect(&endpoint).unwrap();
    send(&push, &[b"x"]);
    assert_eq!(verdict(&s), (monitor::HANDSHAKE_SUCCEEDED, 0));
    loop {
        let (e, _, _) = event(&s.events);
        if e == monitor::DISCONNECTED {
            break;
        }
    }
    // A message of exactly the limit still passes, sealed.
    let push = client(&ctx, &s.public);
    push.connect(&s.endpoint).unwrap();
    let limit = vec![7u8; 1000];
    send(&push, &[&limit]);
    assert_eq!(recv(&s.socket), [limit]);
}
