//! Hostile or broken peers on the wire: each gets its own connection
//! closed while the socket keeps serving well-behaved peers.

mod common;

use common::{raw_greeting as greeting, raw_ready as ready};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use zmq_core::socket::{monitor, options};
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

/// A long data frame header: flags (MORE or not) and a 64-bit size.
fn long_header(more: bool, size: u64) -> Vec<u8> {
    let mut h = vec![0x02 | more as u8];
    h.extend_from_slice(&size.to_be_bytes());
    h
}

#[test]
fn large_frame_over_maxmsgsize_is_dropped() {
    // Large frames are read into buffers of their own: the size limit
    // still applies before anything is allocated.
    let ctx = Context::new();
    let (pull, ep) = bound_pull(&ctx, 150_000);
    let mut bytes = greeting();
    bytes.extend_from_slice(&ready("PUSH"));
    bytes.extend_from_slice(&long_header(false, 200_000));
    bytes.extend_from_slice(&[7u8; 1000]);
    assert!(gets_closed(&ep, &bytes));
    good_peer_still_served(&ctx, &pull, &ep);
}

#[test]
fn large_frames_arriving_in_pieces_make_whole_messages() {
    let ctx = Context::new();
    let (pull, ep) = bound_pull(&ctx, -1);
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let mut bytes = greeting();
    bytes.extend_from_slice(&ready("PUSH"));
    // One message: a short frame, a large one with MORE, a short last one;
    // then a single large frame.
    bytes.extend_from_slice(&[0x01, 2, b'h', b'i']);
    bytes.extend_from_slice(&long_header(true, big.len() as u64));
    bytes.extend_from_slice(&big);
    bytes.extend_from_slice(&[0x00, 3, b'e', b'n', b'd']);
    bytes.extend_from_slice(&long_header(false, big.len() as u64));
    bytes.extend_from_slice(&big);
    let mut s = TcpStream::connect(ep.trim_start_matches("tcp://")).unwrap();
    // Dribble it out, so frames are split across many reads.
    for piece in bytes.chunks(7_919) {
        s.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_micros(200));
    }
    let first = pull.recv(0).unwrap();
    assert_eq!((first.data(), first.more()), (&b"hi"[..], true));
    let second = pull.recv(0).unwrap();
    assert!(second.more());
    assert!(second.data() == &big[..], "the large frame arrived intact");
    let third = pull.recv(0).unwrap();
    assert_eq!((third.data(), third.more()), (&b"end"[..], false));
    let fourth = pull.recv(0).unwrap();
    assert!(!fourth.more());
    assert!(fourth.data() == &big[..]);
}

#[test]
fn a_large_frame_sent_in_stalls_arrives_and_so_does_what_follows() {
    // The receiver waits for a large body in big steps, with the tcp
    // low-water mark raised: never above what the frame still lacks, or a
    // sender stalling before its end would never wake it, and back down
    // once the frame is in, for the short message after it.
    let ctx = Context::new();
    let (pull, ep) = bound_pull(&ctx, -1);
    let events = common::watch(&ctx, &pull, "stalls");
    let mut s = TcpStream::connect(ep.trim_start_matches("tcp://")).unwrap();
    let fd = loop {
        let (event, value, _) = common::event(&events);
        if event == monitor::ACCEPTED {
            break value as i32;
        }
    };
    let low_water = || common::sockopt(fd, libc::SOL_SOCKET, libc::SO_RCVLOWAT) as usize;
    let queued = || {
        let mut n: libc::c_int = 0;
        // SAFETY: FIONREAD writes one int through a valid pointer.
        assert_eq!(unsafe { libc::ioctl(fd, libc::FIONREAD, &mut n) }, 0);
        n as usize
    };
    let settles = |ok: &dyn Fn(usize) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !ok(low_water()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        low_water()
    };
    let big: Vec<u8> = (0..(3u32 << 19)).map(|i| (i % 253) as u8).collect();
    let mut head = greeting();
    head.extend_from_slice(&ready("PUSH"));
    head.extend_from_slice(&long_header(false, big.len() as u64));
    s.write_all(&head).unwrap();
    assert!(settles(&|w| w > 1) > 1, "the mark is raised for the body");
    // Pieces leaving this much of the body to come; the second takes the
    // body past any mark, so the receiver surely reads it. Once it waits
    // (more is marked than queued), the rest must reach the mark.
    let mut sent = 0;
    for lacking in [big.len() - 200_000, 300_000, 10, 0] {
        s.write_all(&big[sent..big.len() - lacking]).unwrap();
        sent = big.len() - lacking;
        if lacking > 0 {
            let fine = |w: usize| queued() < w && w <= lacking + queued();
            let mark = settles(&fine);
            assert!(
                fine(mark),
                "mark {mark}, {} queued, {lacking} to come",
                queued()
            );
        }
    }
    let msg = pull.recv(0).expect("the large message arrived");
    assert!(msg.data() == &big[..], "the large frame arrived intact");
    assert_eq!(settles(&|w| w == 1), 1, "the mark is back down");
    for word in [&b"after"[..], b"and again"] {
        let mut frame = vec![0x00, word.len() as u8];
        frame.extend_from_slice(word);
        s.write_all(&frame).unwrap();
        assert_eq!(pull.recv(0).expect("a short message after it").data(), word);
    }
}

#[test]
fn peer_vanishing_inside_a_large_frame_loses_only_its_message() {
    let ctx = Context::new();
    let (pull, ep) = bound_pull(&ctx, -1);
    let mut bytes = greeting();
    bytes.extend_from_slice(&ready("PUSH"));
    bytes.extend_from_slice(&long_header(false, 4 << 20));
    bytes.extend_from_slice(&[1u8; 100_000]);
    let mut s = TcpStream::connect(ep.trim_start_matches("tcp://")).unwrap();
    s.write_all(&bytes).unwrap();
    drop(s);
    good_peer_still_served(&ctx, &pull, &ep);
    pull.set_option(options::RCVTIMEO, &200i32.to_ne_bytes())
        .unwrap();
    assert!(pull.recv(0).is_err(), "no half message is delivered");
}

/// Connections a raw listener accepts within `window`, each answered with
/// `reply` and then read until closed; a connecter that gives up makes one.
fn connections_made(ctx: &Context, reply: &[u8], window: Duration) -> usize {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_option(options::RECONNECT_IVL, &10i32.to_ne_bytes())
        .unwrap();
    push.set_option(options::LINGER, &0i32.to_ne_bytes())
        .unwrap();
    push.connect(&format!("tcp://{}", listener.local_addr().unwrap()))
        .unwrap();
    let until = std::time::Instant::now() + window;
    let mut made = 0;
    while std::time::Instant::now() < until {
        match listener.accept() {
            Ok((mut s, _)) => {
                made += 1;
                s.set_nonblocking(false).unwrap();
                let _ = s.write_all(reply);
                s.set_read_timeout(Some(Duration::from_millis(200)))
                    .unwrap();
                let mut buf = [0u8; 256];
                while s.read(&mut buf).is_ok_and(|n| n > 0) {}
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    made
}

#[test]
fn a_connecter_gives_up_on_a_peer_that_breaks_the_protocol() {
    // As libzmq: a peer of an incompatible type (PUSH to PUSH) or one that
    // sends garbage is not retried, even with a 10 ms reconnect interval...
    let ctx = Context::new();
    let push_peer = [greeting(), ready("PUSH")].concat();
    assert_eq!(
        connections_made(&ctx, &push_peer, Duration::from_millis(600)),
        1
    );
    assert_eq!(
        connections_made(&ctx, b"HTTP/1.0 200 OK\r\n\r\n", Duration::from_millis(600)),
        1
    );
    // ...while one that merely closes the connection is.
    assert!(connections_made(&ctx, b"", Duration::from_millis(600)) > 1);
}
