//! Handshake timeout and ZMTP 3.1 heartbeats, seen from a raw tcp peer.

mod common;

use common::{last_endpoint, set_int};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use zmq_core::socket::options;
use zmq_core::{Context, SocketType};

fn greeting_and_ready(socket_type: &str) -> Vec<u8> {
    let mut bytes = common::raw_greeting();
    bytes.extend_from_slice(&common::raw_ready(socket_type));
    bytes
}

/// Reads until the library closes the connection; returns what came and
/// how long it took.
fn read_until_closed(s: &mut TcpStream) -> (Vec<u8>, Duration) {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let start = Instant::now();
    let mut all = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (all, start.elapsed()),
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (all, start.elapsed())
            }
            Err(e) => panic!("still open after 5 s: {e}"),
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_peer_that_never_finishes_its_handshake_is_dropped() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    set_int(&pull, options::HANDSHAKE_IVL, 100);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let ep = last_endpoint(&pull);
    let mut raw = TcpStream::connect(ep.trim_start_matches("tcp://")).unwrap();
    let (_, took) = read_until_closed(&mut raw);
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn heartbeats_ping_a_silent_peer_then_drop_it() {
    let ctx = Context::new();
    let dealer = ctx.socket(SocketType::Dealer).unwrap();
    set_int(&dealer, options::HEARTBEAT_IVL, 50);
    set_int(&dealer, options::HEARTBEAT_TIMEOUT, 200);
    set_int(&dealer, options::HEARTBEAT_TTL, 1000);
    dealer.bind("tcp://127.0.0.1:*").unwrap();
    let ep = last_endpoint(&dealer);
    let mut raw = TcpStream::connect(ep.trim_start_matches("tcp://")).unwrap();
    raw.write_all(&greeting_and_ready("DEALER")).unwrap();
    let (bytes, took) = read_until_closed(&mut raw);
    // A PING command with TTL 10 (deciseconds) and an empty context.
    assert!(
        contains(&bytes, &[0x04, 7, 4, b'P', b'I', b'N', b'G', 0, 10]),
        "{bytes:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn a_peer_that_answers_stays_connected() {
    let ctx = Context::new();
    let dealer = ctx.socket(SocketType::Dealer).unwrap();
    set_int(&dealer, options::HEARTBEAT_IVL, 30);
    set_int(&dealer, options::HEARTBEAT_TIMEOUT, 100);
    set_int(&dealer, options::SNDTIMEO, 2000);
    dealer.bind("tcp://127.0.0.1:*").unwrap();
    let ep = last_endpoint(&dealer);
    let peer = ctx.socket(SocketType::Dealer).unwrap();
    set_int(&peer, options::RCVTIMEO, 2000);
    // No reconnecting: a dropped connection must show, not heal.
    set_int(&peer, options::RECONNECT_IVL, -1);
    peer.connect(&ep).unwrap();
    // Idle for several heartbeat timeouts; the peer answers every PING.
    std::thread::sleep(Duration::from_millis(400));
    dealer
        .send(&mut zmq_core::Msg::from_slice(b"still here"), 0)
        .unwrap();
    assert_eq!(peer.recv(0).unwrap().data(), b"still here");
}

#[test]
fn a_peer_ttl_is_honoured() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let ep = last_endpoint(&pull);
    let mut raw = TcpStream::connect(ep.trim_start_matches("tcp://")).unwrap();
    let mut bytes = greeting_and_ready("PUSH");
    // PING, TTL 2 deciseconds, then silence.
    bytes.extend_from_slice(&[0x04, 7, 4, b'P', b'I', b'N', b'G', 0, 2]);
    raw.write_all(&bytes).unwrap();
    let (got, took) = read_until_closed(&mut raw);
    assert!(
        contains(&got, b"\x04PONG"),
        "the PING was answered: {got:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
}
