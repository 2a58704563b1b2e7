//! Hostile or broken peers on the wire: each gets its own connection
//! closed while the socket keeps serving well-behaved peers.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use zmq_core::socket::options;
use zmq_core::{Context, Msg, Socket, SocketType};

fn bound_pull(ctx: &Context, maxmsgsize: i64) -> (Socket, String) {
    let s = ctx.socket(SocketType::Pull).unwrap();
    s.set_option(options::RCVTIMEO, &5000i32.to_ne_bytes())
        .unwrap();
    s.set_option(options::MAXMSGSIZE, &maxmsgsize.to_ne_bytes())
        .unwrap();
    s.bind("tcp://127.0.0.1:*").unwrap();
    let mut buf = [0u8; 64];
    let n = s.get_option(options::LAST_ENDPOINT, &mut buf).unwrap();
    let ep = String::from_utf8(buf[..n - 1].to_vec()).unwrap();
    (s, ep)
}

fn greeting() -> Vec<u8> {
    let mut g = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1];
    let mut mech = b"NULL".to_vec();
    mech.resize(20, 0);
    g.extend_from_slice(&mech);
    g.push(0);
    g.extend_from_slice(&[0; 31]);
    g
}

fn ready(socket_type: &str) -> Vec<u8> {
    let mut body = vec![5];
    body.extend_from_slice(b"READY");
    body.push(11);
    body.extend_from_slice(b"Socket-Type");
    body.extend_from_slice(&(socket_type.len() as u32).to_be_bytes());
    body.extend_from_slice(socket_type.as_bytes());
    let mut frame = vec![0x04, body.len() as u8];
    frame.extend_from_slice(&body);
    frame
}

/// Sends `bytes` and returns true if the library closed the connection.
fn gets_closed(ep: &str, bytes: &[u8]) -> bool {
    let addr = ep.trim_start_matches("tcp://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = s.write_all(bytes);
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // our greeting/READY
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false, // timed out: still open
        }
    }
}

fn good_peer_still_served(ctx: &Context, pull: &Socket, ep: &str) {
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(ep).unwrap();
    push.send(&mut Msg::from_slice(b"still here"), 0).unwrap();
    assert_eq!(pull.recv(0).unwrap().data(), b"still here");
}

#[test]
fn garbage_greeting_is_dropped() {
    let ctx = Context::new();
    let (pull, ep) = bound_pull(&ctx, -1);
    assert!(gets_closed(&ep, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    good_peer_still_served(&ctx, &pull, &ep);
}

#[test]
fn old_protocol_version_is_dropped() {
    let ctx = Context::new();
    let (pull, ep) = bound_pull(&ctx, -1);
    let mut g = greeting();
    g[10] = 2;
    assert!(gets_closed(&ep, &g));
    good_peer_still_served(&ctx, &pull, &ep);
}

#[test]
fn incompatible_socket_type_is_dropped() {
    let ctx = Context::new();
    let (pull, ep) = bound_pull(&ctx, -1);
    let mut bytes = greeting();
    bytes.extend_from_slice(&ready("PULL"));
    assert!(gets_closed(&ep, &bytes));
    good_peer_still_served(&ctx, &pull, &ep);
}

#[test]
fn oversized_frame_is_dropped_without_allocating_it() {
    let ctx = Context::new();
    let (pull, ep) = bound_pull(&ctx, 1000);
    let mut bytes = greeting();
    bytes.extend_from_slice(&ready("PUSH"));
    // A long frame claiming 1 TiB.
    bytes.push(0x02);
    bytes.extend_from_slice(&(1u64 << 40).to_be_bytes());
    bytes.extend_from_slice(&[0u8; 100]);
    assert!(gets_closed(&ep, &bytes));
    good_peer_still_served(&ctx, &pull, &ep);
}

#[test]
fn well_formed_raw_peer_is_served() {
    let ctx = Context::new();
    let (pull, ep) = bound_pull(&ctx, -1);
    let mut bytes = greeting();
    bytes.extend_from_slice(&ready("PUSH"));
    bytes.extend_from_slice(&[0x00, 3, b'a', b'b', b'c']);
    let mut s = TcpStream::connect(ep.trim_start_matches("tcp://")).unwrap();
    s.write_all(&bytes).unwrap();
    assert_eq!(pull.recv(0).unwrap().data(), b"abc");
}
