//! Session tests: two sessions pumped against each other, and sessions fed
//! hand-written bytes (a 3.0 peer, broken peers, random garbage).

use bytes::{Bytes, BytesMut};

use super::*;
use crate::zmtp::command::{Metadata, SOCKET_TYPE};
use crate::zmtp::greeting::mechanism_name;

fn cfg(socket_type: SocketType) -> SessionConfig {
    SessionConfig {
        liveness: Default::default(),
        socket_type,
        routing_id: Bytes::new(),
        max_msg_size: -1,
        security: Default::default(),
    }
}

/// One side of a connection: a session and the bytes it has not used yet.
struct End {
    session: Session,
    events: Vec<Event>,
}

impl End {
    fn new(cfg: SessionConfig) -> End {
        End {
            session: Session::new(cfg),
            events: Vec::new(),
        }
    }

    /// Drains received messages as (body, more).
    fn messages(&mut self) -> Vec<(Vec<u8>, bool)> {
        self.events
            .drain(..)
            .map(|e| match e {
                Event::Message(m) => (m.data().to_vec(), m.more()),
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    fn send(&mut self, body: &[u8], more: bool) {
        let mut msg = Msg::from_slice(body);
        msg.set_more(more);
        self.session.send(&msg);
    }
}

/// Moves up to `chunk` bytes from `from`'s output to `to` and lets `to`
/// handle them. Returns whether anything moved.
fn shovel(from: &mut End, to: &mut End, chunk: usize) -> bool {
    let out = from.session.output();
    if out.is_empty() {
        return false;
    }
    let n = out.len().min(chunk);
    let bytes = out.split_to(n);
    to.session.receive(&bytes).unwrap();
    while let Some(event) = to.session.poll_input().unwrap() {
        to.events.push(event);
    }
    true
}

fn pump(a: &mut End, b: &mut End, chunk: usize) {
    while shovel(a, b, chunk) | shovel(b, a, chunk) {}
}

/// Two sessions after a completed handshake, with their Ready events drained.
fn connect(a: SessionConfig, b: SessionConfig, chunk: usize) -> (End, End) {
    let (mut a, mut b) = (End::new(a), End::new(b));
    pump(&mut a, &mut b, chunk);
    for end in [&mut a, &mut b] {
        assert!(end.session.is_ready());
        assert!(matches!(end.events.as_slice(), [Event::Ready]));
        end.events.clear();
        assert_eq!(end.session.pending_input(), 0);
    }
    (a, b)
}

fn greeting_bytes(major: u8, minor: u8, mechanism: &[u8]) -> Vec<u8> {
    let mut g = Greeting::ours(mechanism_name(mechanism), false);
    (g.major, g.minor) = (major, minor);
    g.encode().to_vec()
}

fn ready_bytes(props: &[(&str, &[u8])]) -> Vec<u8> {
    let mut meta = Metadata::default();
    for (name, value) in props {
        meta.push(name, Bytes::copy_from_slice(value));
    }
    let mut out = BytesMut::new();
    Command::Ready(meta).encode(&mut out);
    out.to_vec()
}

fn command_bytes(name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::new();
    command::encode_raw(&mut out, name, data);
    out.to_vec()
}

/// Feeds `bytes` in one buffer and collects events until more are needed.
fn feed(session: &mut Session, bytes: &[u8]) -> Result<Vec<Event>, ProtocolError> {
    session.receive(bytes)?;
    let mut events = Vec::new();
    while let Some(event) = session.poll_input()? {
        events.push(event);
    }
    Ok(events)
}

/// A session that completed a handshake with a hand-written peer of
/// `peer_type` speaking ZMTP 3.`minor`; its output is cleared.
fn handshaken(ours: SessionConfig, minor: u8, peer_type: &str) -> Session {
    let mut session = Session::new(ours);
    let mut wire = greeting_bytes(3, minor, b"NULL");
    wire.extend(ready_bytes(&[(SOCKET_TYPE, peer_type.as_bytes())]));
    let events = feed(&mut session, &wire).unwrap();
    assert!(matches!(events.as_slice(), [Event::Ready]));
    session.output().clear();
    session
}

#[test]
fn new_session_queues_its_greeting_in_two_steps_as_libzmq() {
    let mut s = Session::new(cfg(SocketType::Req));
    let greeting = greeting_bytes(3, 1, b"NULL");
    // The signature first, the major version once the peer's signature
    // is in, the rest after the peer's major version.
    assert_eq!(&s.output()[..], &greeting[..10]);
    assert!(!s.is_ready() && s.peer().is_none());
    assert!(feed(&mut s, &greeting[..9]).unwrap().is_empty());
    assert_eq!(s.output().len(), 10);
    assert!(feed(&mut s, &greeting[9..10]).unwrap().is_empty());
    assert_eq!(&s.output()[..], &greeting[..11]);
    assert!(feed(&mut s, &greeting[10..11]).unwrap().is_empty());
    assert_eq!(&s.output()[..], &greeting[..]);
    // Nothing more is written until the peer's greeting is complete.
    assert!(feed(&mut s, &greeting[11..63]).unwrap().is_empty());
    assert_eq!(s.output().len(), 64);
    // A signature and major version read at once: our rest waits for the
    // bytes our major version makes a libzmq peer send.
    let mut s = Session::new(cfg(SocketType::Req));
    assert!(feed(&mut s, &greeting[..11]).unwrap().is_empty());
    assert_eq!(&s.output()[..], &greeting[..11]);
    assert!(feed(&mut s, &greeting[11..20]).unwrap().is_empty());
    assert_eq!(&s.output()[..], &greeting[..]);
}

#[test]
fn ready_is_sent_right_after_the_peer_greeting() {
    let mut s = Session::new(SessionConfig {
        routing_id: Bytes::from_static(b"abc"),
        ..cfg(SocketType::Req)
    });
    for step in [0..10, 10..11] {
        assert!(feed(&mut s, &greeting_bytes(3, 1, b"NULL")[step])
            .unwrap()
            .is_empty());
    }
    s.output().clear();
    assert!(feed(&mut s, &greeting_bytes(3, 1, b"NULL")[11..])
        .unwrap()
        .is_empty());
    let expected: &[u8] = b"\x04\x29\x05READY\x0bSocket-Type\0\0\0\x03REQ\x08Identity\0\0\0\x03abc";
    assert_eq!(&s.output()[..], expected);
    assert!(!s.is_ready() && s.peer().is_none());
}

#[test]
fn dealer_router_in_any_chunking() {
    for chunk in [1, 2, 7, 64, 100, usize::MAX] {
        let dealer = SessionConfig {
            routing_id: Bytes::from_static(b"dealer-1"),
            ..cfg(SocketType::Dealer)
        };
        let (mut d, mut r) = connect(dealer, cfg(SocketType::Router), chunk);

        let seen_by_router = r.session.peer().unwrap();
        assert_eq!(seen_by_router.socket_type, SocketType::Dealer);
        assert_eq!(seen_by_router.routing_id.as_deref(), Some(&b"dealer-1"[..]));
        assert_eq!(seen_by_router.minor, 1);
        assert_eq!(
            seen_by_router.properties,
            vec![
                ("Socket-Type".to_string(), Bytes::from_static(b"DEALER")),
                ("Identity".to_string(), Bytes::from_static(b"dealer-1")),
            ]
        );
        let seen_by_dealer = d.session.peer().unwrap();
        assert_eq!(seen_by_dealer.socket_type, SocketType::Router);
        assert_eq!(seen_by_dealer.routing_id, None); // empty Identity
        assert_eq!(seen_by_dealer.properties.len(), 2);

        d.send(b"", true);
        d.send(b"hello", true);
        d.send(b"world", false);
        d.send(b"again", false);
        pump(&mut d, &mut r, chunk);
        assert_eq!(
            r.messages(),
            vec![
                (b"".to_vec(), true),
                (b"hello".to_vec(), true),
                (b"world".to_vec(), false),
                (b"again".to_vec(), false),
            ]
        );

        r.send(b"reply", false);
        pump(&mut d, &mut r, chunk);
        assert_eq!(d.messages(), vec![(b"reply".to_vec(), false)]);
    }
}

#[test]
fn large_frames_use_the_long_form() {
    for chunk in [1000, usize::MAX] {
        let (mut a, mut b) = connect(cfg(SocketType::Push), cfg(SocketType::Pull), chunk);
        let medium: Vec<u8> = (0..300).map(|i| i as u8).collect();
        let big: Vec<u8> = (0..70 * 1024).map(|i| (i * 7) as u8).collect();
        a.send(&medium, true);
        assert_eq!(&a.session.output()[..9], &[0x03, 0, 0, 0, 0, 0, 0, 1, 44]);
        a.send(&big, false);
        assert_eq!(
            &a.session.output()[309..318],
            &[0x02, 0, 0, 0, 0, 0, 1, 0x18, 0]
        );
        pump(&mut a, &mut b, chunk);
        assert_eq!(
            b.messages(),
            vec![(medium.clone(), true), (big.clone(), false)]
        );
    }
}

#[test]
fn big_bodies_are_handed_out_without_a_copy() {
    let mut s = handshaken(cfg(SocketType::Pull), 1, "PUSH");
    // Two 20 KiB frames received in one piece: both bodies are views of
    // the input buffer, one right after the other's 9-byte header.
    let mut wire = BytesMut::new();
    frame::encode(&mut wire, 0, &vec![42; 20 * 1024]);
    frame::encode(&mut wire, 0, &vec![43; 20 * 1024]);
    frame::encode(&mut wire, 0, b"tail");
    s.receive(&wire).unwrap();
    let mut bodies = Vec::new();
    while let Some(Event::Message(msg)) = s.poll_input().unwrap() {
        bodies.push(msg);
    }
    assert_eq!(bodies.len(), 3);
    assert_eq!(bodies[0].data(), &vec![42; 20 * 1024][..]);
    let first = bodies[0].data().as_ptr() as usize;
    let second = bodies[1].data().as_ptr() as usize;
    assert_eq!(second, first + 20 * 1024 + 9, "a body was copied");
    assert_eq!(bodies[2].data(), b"tail");
}

#[test]
fn subscriptions_travel_as_commands_to_a_31_publisher() {
    for (sub, publ) in [
        (SocketType::Sub, SocketType::Pub),
        (SocketType::XSub, SocketType::XPub),
        (SocketType::XSub, SocketType::Pub),
    ] {
        let (mut s, mut p) = connect(cfg(sub), cfg(publ), usize::MAX);
        s.send(b"\x01A", false);
        assert_eq!(
            &s.session.output()[..],
            &command_bytes(b"SUBSCRIBE", b"A")[..]
        );
        s.send(b"\x00A", false);
        assert_eq!(
            &s.session.output()[13..],
            &command_bytes(b"CANCEL", b"A")[..]
        );
        s.send(b"\x01", false); // subscribe to everything
        pump(&mut s, &mut p, usize::MAX);
        assert_eq!(
            p.messages(),
            vec![
                (b"\x01A".to_vec(), false),
                (b"\x00A".to_vec(), false),
                (b"\x01".to_vec(), false),
            ]
        );

        // Multipart or other messages go out as they are.
        s.send(b"\x01B", true);
        s.send(b"\x01C", false);
        s.send(b"\x02D", false);
        s.send(b"", false);
        assert_eq!(
            &s.session.output()[..],
            b"\x01\x02\x01B\x00\x02\x01C\x00\x02\x02D\x00\x00"
        );
        // After the multipart message ends, subscriptions are commands again.
        s.send(b"\x01E", false);
        assert_eq!(
            &s.session.output()[14..],
            &command_bytes(b"SUBSCRIBE", b"E")[..]
        );
        pump(&mut s, &mut p, usize::MAX);
        assert_eq!(p.messages().len(), 5);

        p.send(b"A news", false);
        pump(&mut s, &mut p, usize::MAX);
        assert_eq!(s.messages(), vec![(b"A news".to_vec(), false)]);
    }
}

#[test]
fn subscriptions_travel_as_messages_to_a_30_publisher() {
    let mut sub = handshaken(cfg(SocketType::Sub), 0, "PUB");
    assert_eq!(sub.peer().unwrap().minor, 0);
    assert_eq!(sub.peer().unwrap().socket_type, SocketType::Pub);
    let mut msg = Msg::from_slice(b"\x01A");
    sub.send(&msg);
    msg.data_mut()[0] = 0;
    sub.send(&msg);
    assert_eq!(&sub.output()[..], b"\x00\x02\x01A\x00\x02\x00A");
}

#[test]
fn a_publisher_sees_one_subscription_form_from_30_and_31_peers() {
    let mut from_30 = handshaken(cfg(SocketType::XPub), 0, "SUB");
    let mut from_31 = handshaken(cfg(SocketType::XPub), 1, "SUB");
    let e30 = feed(&mut from_30, b"\x00\x02\x01A\x00\x02\x00A").unwrap();
    let mut wire = command_bytes(b"SUBSCRIBE", b"A");
    wire.extend(command_bytes(b"CANCEL", b"A"));
    let e31 = feed(&mut from_31, &wire).unwrap();
    for events in [e30, e31] {
        let bodies: Vec<_> = events
            .iter()
            .map(|e| match e {
                Event::Message(m) => (m.data().to_vec(), m.more()),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            bodies,
            vec![(b"\x01A".to_vec(), false), (b"\x00A".to_vec(), false)]
        );
    }
}

#[test]
fn subscribe_commands_to_a_non_publisher_are_ignored() {
    let mut sub = handshaken(cfg(SocketType::Sub), 1, "PUB");
    assert!(feed(&mut sub, &command_bytes(b"SUBSCRIBE", b"A"))
        .unwrap()
        .is_empty());
    assert!(sub.output().is_empty());
}

#[test]
fn ping_gets_a_pong_and_other_commands_are_ignored() {
    let mut s = handshaken(cfg(SocketType::Dealer), 1, "ROUTER");
    let mut wire = command_bytes(b"PING", b"\x00\x0aabc");
    wire.extend(command_bytes(b"PING", b"\x00\x00"));
    wire.extend(command_bytes(b"PONG", b"xyz"));
    wire.extend(command_bytes(b"HELLO", b"whatever"));
    wire.extend(b"\x00\x02hi");
    let events = feed(&mut s, &wire).unwrap();
    assert!(matches!(events.as_slice(), [Event::Message(m)] if m.data() == b"hi"));
    let mut pongs = command_bytes(b"PONG", b"abc");
    pongs.extend(command_bytes(b"PONG", b""));
    assert_eq!(&s.output()[..], &pongs[..]);

    assert_eq!(
        feed(&mut s, &command_bytes(b"ERROR", b"\x03bye")).unwrap_err(),
        ProtocolError::PeerError {
            reason: "bye".into()
        }
    );
    // The session stays failed.
    assert_eq!(
        feed(&mut s, b"\x00\x02hi").unwrap_err(),
        ProtocolError::PeerError {
            reason: "bye".into()
        }
    );
}

#[test]
fn a_tiny_max_msg_size_still_allows_handshake_and_ping() {
    let mut s = handshaken(
        SessionConfig {
            max_msg_size: 0,
            ..cfg(SocketType::Pair)
        },
        1,
        "PAIR",
    );
    let events = feed(&mut s, &command_bytes(b"PING", b"\x00\x01ctx")).unwrap();
    assert!(events.is_empty());
    assert_eq!(&s.output()[..], &command_bytes(b"PONG", b"ctx")[..]);
    assert_eq!(feed(&mut s, b"\x00\x00").unwrap().len(), 1);
    assert_eq!(
        feed(&mut s, b"\x00\x01").unwrap_err(),
        ProtocolError::MessageTooLarge { size: 1, max: 0 }
    );
}

#[test]
fn a_later_major_version_is_accepted() {
    let mut s = Session::new(cfg(SocketType::Sub));
    let mut wire = greeting_bytes(4, 0, b"NULL");
    wire.extend(ready_bytes(&[("Socket-Type", b"XPUB")]));
    assert_eq!(feed(&mut s, &wire).unwrap().len(), 1);
    s.output().clear();
    s.send(&Msg::from_slice(b"\x01"));
    assert_eq!(&s.output()[..], &command_bytes(b"SUBSCRIBE", b"")[..]);
}

/// Expected failure of a fresh session of type `ours` fed `wire`.
fn fails(ours: SessionConfig, wire: &[u8]) -> ProtocolError {
    let mut s = Session::new(ours);
    let err = feed(&mut s, wire).expect_err("should fail");
    assert_eq!(s.poll_input(), Err(err.clone()));
    err
}

fn greeted(rest: &[u8]) -> Vec<u8> {
    let mut wire = greeting_bytes(3, 1, b"NULL");
    wire.extend_from_slice(rest);
    wire
}

#[test]
fn garbage_greetings_fail_early() {
    let req = || cfg(SocketType::Req);
    assert_eq!(fails(req(), b"G"), ProtocolError::BadSignature);
    assert_eq!(
        fails(req(), b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        ProtocolError::BadSignature
    );
    assert_eq!(
        fails(req(), &[0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7E]),
        ProtocolError::BadSignature
    );
    assert_eq!(
        fails(req(), &greeting_bytes(2, 0, b"NULL")[..11]),
        ProtocolError::UnsupportedVersion { major: 2 }
    );
    assert_eq!(
        fails(req(), &greeting_bytes(1, 0, b"NULL")),
        ProtocolError::UnsupportedVersion { major: 1 }
    );
    assert_eq!(
        fails(req(), &greeting_bytes(3, 0, b"PLAIN")),
        ProtocolError::MechanismMismatch {
            peer: mechanism_name(b"PLAIN")
        }
    );
    assert_eq!(
        fails(req(), &greeting_bytes(3, 1, b"NUL")),
        ProtocolError::MechanismMismatch {
            peer: mechanism_name(b"NUL")
        }
    );
}

#[test]
fn bad_handshakes_fail() {
    assert_eq!(
        fails(
            cfg(SocketType::Push),
            &greeted(&ready_bytes(&[("Socket-Type", b"PUSH")]))
        ),
        ProtocolError::IncompatibleSocketType {
            ours: SocketType::Push,
            peer: SocketType::Push
        }
    );
    assert_eq!(
        fails(
            cfg(SocketType::Pull),
            &greeted(&ready_bytes(&[("Identity", b"x")]))
        ),
        ProtocolError::MissingSocketType
    );
    assert_eq!(
        fails(
            cfg(SocketType::Pull),
            &greeted(&ready_bytes(&[("Socket-Type", b"PUSHY")]))
        ),
        ProtocolError::UnknownSocketType("PUSHY".into())
    );
    assert_eq!(
        fails(
            cfg(SocketType::Pull),
            &greeted(&command_bytes(b"ERROR", b"\x06denied"))
        ),
        ProtocolError::PeerError {
            reason: "denied".into()
        }
    );
    assert_eq!(
        fails(
            cfg(SocketType::Pull),
            &greeted(&command_bytes(b"PING", b"\0\0"))
        ),
        ProtocolError::UnexpectedCommand("PING".into())
    );
    assert_eq!(
        fails(
            cfg(SocketType::Pull),
            &greeted(&command_bytes(b"READY", b"\x0bSocket-Type\0\0"))
        ),
        ProtocolError::MalformedCommand
    );
    // A data frame is refused from its header on.
    assert_eq!(
        fails(cfg(SocketType::Pull), &greeted(b"\x00\x05")),
        ProtocolError::UnexpectedMessage
    );
    assert_eq!(
        fails(cfg(SocketType::Pull), &greeted(b"\x06\0\0\0\0\0\x10\0\0")),
        ProtocolError::MessageTooLarge {
            size: 1 << 20,
            max: HANDSHAKE_COMMAND_MAX
        }
    );
    assert_eq!(
        fails(cfg(SocketType::Pull), &greeted(b"\x05\x00")),
        ProtocolError::CommandWithMore
    );
}

#[test]
fn bad_traffic_fails() {
    let limited = || {
        handshaken(
            SessionConfig {
                max_msg_size: 100,
                ..cfg(SocketType::Pull)
            },
            1,
            "PUSH",
        )
    };
    let mut s = limited();
    assert_eq!(feed(&mut s, &[0x00, 100]).unwrap().len(), 0); // waits for the body
    let mut s = limited();
    assert_eq!(
        feed(&mut s, &[0x00, 101]).unwrap_err(),
        ProtocolError::MessageTooLarge {
            size: 101,
            max: 100
        }
    );
    let claim_2_62 = [0x02, 0x40, 0, 0, 0, 0, 0, 0, 0];
    let mut s = limited();
    assert_eq!(
        feed(&mut s, &claim_2_62).unwrap_err(),
        ProtocolError::MessageTooLarge {
            size: 1 << 62,
            max: 100
        }
    );
    // Unlimited: the session waits without buffering or reserving anything.
    let mut s = handshaken(cfg(SocketType::Pull), 1, "PUSH");
    s.receive(&claim_2_62).unwrap();
    assert_eq!(s.poll_input(), Ok(None));
    assert_eq!(s.pending_input(), claim_2_62.len());
    s.receive(&[7; 1000]).unwrap();
    assert_eq!(s.poll_input(), Ok(None));
    assert_eq!(s.pending_input(), 1009);

    let mut s = handshaken(cfg(SocketType::Pull), 1, "PUSH");
    assert_eq!(
        feed(&mut s, &[0x02, 0x80, 0, 0, 0, 0, 0, 0, 1]).unwrap_err(),
        ProtocolError::SizeOutOfRange((1 << 63) + 1)
    );
    for flags in [0x08, 0x20, 0x40, 0x81] {
        let mut s = handshaken(cfg(SocketType::Pull), 1, "PUSH");
        assert_eq!(
            feed(&mut s, &[flags]).unwrap_err(),
            ProtocolError::ReservedFlags(flags)
        );
    }
    let mut s = handshaken(cfg(SocketType::Pull), 1, "PUSH");
    assert_eq!(
        feed(&mut s, &[0x07]).unwrap_err(),
        ProtocolError::CommandWithMore
    );
    let mut s = handshaken(cfg(SocketType::Pull), 1, "PUSH");
    assert_eq!(
        feed(&mut s, b"\x04\x00").unwrap_err(),
        ProtocolError::MalformedCommand
    );
    // Even a command we would ignore must follow its grammar.
    let mut s = handshaken(cfg(SocketType::Pull), 1, "PUSH");
    assert_eq!(
        feed(&mut s, &command_bytes(b"READY", b"\x03bad")).unwrap_err(),
        ProtocolError::MalformedCommand
    );
}

/// xorshift64: deterministic, dependency-free randomness for the fuzz test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }

    /// Random bytes, biased towards values that mean something in ZMTP.
    fn byte(&mut self) -> u8 {
        const INTERESTING: [u8; 10] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x06, 0x05, 0xFF, 0x7F, 0x80];
        if self.below(3) == 0 {
            INTERESTING[self.below(INTERESTING.len() as u64)]
        } else {
            self.next() as u8
        }
    }
}

#[test]
fn random_garbage_never_panics() {
    let types = [
        SocketType::Pub,
        SocketType::Sub,
        SocketType::XPub,
        SocketType::Dealer,
        SocketType::Router,
        SocketType::Pull,
    ];
    let peers = ["SUB", "PUB", "XSUB", "ROUTER", "DEALER", "PUSH"];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut errors, mut events) = (0, 0);
    for _ in 0..5000 {
        let pick = rng.below(types.len() as u64);
        let max_msg_size = [-1, 0, 10, 1000][rng.below(4)];
        let mut s = Session::new(SessionConfig {
            max_msg_size,
            ..cfg(types[pick])
        });
        // Reach deeper states by starting some inputs with a valid prefix.
        let mut wire = Vec::new();
        match rng.below(3) {
            0 => {}
            1 => wire.extend(greeting_bytes(3, rng.below(3) as u8, b"NULL")),
            _ => {
                wire.extend(greeting_bytes(3, rng.below(3) as u8, b"NULL"));
                wire.extend(ready_bytes(&[(SOCKET_TYPE, peers[pick].as_bytes())]));
            }
        }
        let len = rng.below(300);
        wire.extend((0..len).map(|_| rng.byte()));
        // Flip a byte of the prefix now and then.
        if !wire.is_empty() && rng.below(4) == 0 {
            let at = rng.below(wire.len() as u64);
            wire[at] = rng.byte();
        }

        let mut rest = &wire[..];
        'feed: while !rest.is_empty() {
            let n = (1 + rng.below(40)).min(rest.len());
            let received = s.receive(&rest[..n]);
            rest = &rest[n..];
            if let Err(e) = received {
                assert_eq!(s.poll_input(), Err(e));
                errors += 1;
                break 'feed;
            }
            loop {
                match s.poll_input() {
                    Ok(Some(_)) => events += 1,
                    Ok(None) => break,
                    Err(e) => {
                        assert_eq!(s.poll_input(), Err(e));
                        errors += 1;
                        break 'feed;
                    }
                }
            }
            if s.is_ready() {
                s.send(&Msg::from_slice(&[rng.byte(), rng.byte()]));
            }
        }
        assert!(s.pending_input() <= wire.len());
    }
    // The generator reaches both outcomes, so the test exercises something.
    assert!(
        errors > 1000 && events > 100,
        "errors {errors}, events {events}"
    );
}

/// Accepts at most `max` bytes per write, like a full socket buffer.
struct Trickle {
    got: Vec<u8>,
    max: usize,
}

impl std::io::Write for Trickle {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.max);
        self.got.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        let mut n = 0;
        for b in bufs {
            let take = b.len().min(self.max - n);
            self.got.extend_from_slice(&b[..take]);
            n += take;
            if n == self.max {
                break;
            }
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn vectored_writes_send_the_same_bytes_as_the_output_buffer() {
    let (mut a, mut b) = connect(cfg(SocketType::Push), cfg(SocketType::Pull), 4096);
    let big: Vec<u8> = (0..70_000u32).map(|i| i as u8).collect();
    for max in [1, 777, 1 << 20] {
        a.send(b"small", true);
        a.send(&big, false);
        a.send(b"after", false);
        let expected = a.session.pending_output();
        let mut sink = Trickle {
            got: Vec::new(),
            max,
        };
        while a.session.pending_output() > 0 {
            a.session.write_to(&mut sink).unwrap();
        }
        assert_eq!(sink.got.len(), expected);
        b.session.receive(&sink.got).unwrap();
        while let Some(event) = b.session.poll_input().unwrap() {
            b.events.push(event);
        }
        assert_eq!(
            b.messages(),
            vec![
                (b"small".to_vec(), true),
                (big.clone(), false),
                (b"after".to_vec(), false)
            ]
        );
    }
    // output() gathers the same bytes into one buffer.
    a.send(&big, false);
    let n = a.session.pending_output();
    assert_eq!(a.session.output().len(), n);
}

/// A session whose clocks start at `t0`: handshake within `handshake_ms`,
/// heartbeats every `ivl_ms` (timeout 3x, TTL 2 s).
fn timed(socket_type: SocketType, t0: Instant, handshake_ms: u64, ivl_ms: u64) -> End {
    use crate::zmtp::liveness::{Heartbeat, LivenessConfig};
    let ms = std::time::Duration::from_millis;
    let mut end = End::new(SessionConfig {
        liveness: LivenessConfig {
            handshake: Some(ms(handshake_ms)),
            heartbeat: Some(Heartbeat {
                interval: ms(ivl_ms),
                timeout: ms(3 * ivl_ms),
                ttl: 20,
            }),
        },
        ..cfg(socket_type)
    });
    end.session.start(t0);
    end
}

#[test]
fn a_handshake_not_over_in_time_expires_the_session() {
    let t0 = Instant::now();
    let ms = std::time::Duration::from_millis;
    let mut a = timed(SocketType::Dealer, t0, 100, 1000);
    // The peer sends its greeting but never its READY.
    a.session.receive(&greeting_bytes(3, 1, b"NULL")).unwrap();
    a.session.input_at(t0 + ms(10));
    while a.session.poll_input().unwrap().is_some() {}
    assert_eq!(a.session.poll_timeout(), Some(t0 + ms(100)));
    assert!(a.session.handle_timeout(t0 + ms(99)).is_ok());
    assert!(a.session.handle_timeout(t0 + ms(100)).is_err());
}

#[test]
fn heartbeats_ping_and_pong_and_a_silent_peer_expires() {
    let t0 = Instant::now();
    let ms = std::time::Duration::from_millis;
    let mut a = timed(SocketType::Dealer, t0, 1000, 100);
    let mut b = End::new(cfg(SocketType::Router));
    pump(&mut a, &mut b, usize::MAX);
    assert!(a.session.is_ready() && b.session.is_ready());
    assert_eq!(
        a.session.poll_timeout(),
        Some(t0 + ms(100)),
        "no handshake deadline left"
    );
    a.session.output().clear();

    // At the interval, a PING (TTL 2 s) goes out; the peer answers PONG.
    a.session.handle_timeout(t0 + ms(100)).unwrap();
    let ping = a.session.output().split().freeze();
    assert_eq!(&ping[..], &command_bytes(b"PING", b"\x00\x14")[..]);
    b.session.receive(&ping).unwrap();
    while b.session.poll_input().unwrap().is_some() {}
    let pong = b.session.output().split().freeze();
    assert_eq!(&pong[..], &command_bytes(b"PONG", b"")[..]);
    // The peer now drops us after 2 s of silence (the TTL we asked).
    b.session.input_at(t0 + ms(101));
    assert_eq!(b.session.poll_timeout(), Some(t0 + ms(2101)));

    // The PONG shows the peer alive: PINGs go on, nothing expires.
    a.session.receive(&pong).unwrap();
    a.session.input_at(t0 + ms(150));
    while a.session.poll_input().unwrap().is_some() {}
    a.session.handle_timeout(t0 + ms(200)).unwrap();
    assert!(!a.session.output().is_empty(), "the next PING");
    // Then silence: 300 ms after that PING, the peer is gone.
    a.session.handle_timeout(t0 + ms(300)).unwrap();
    a.session.handle_timeout(t0 + ms(400)).unwrap();
    assert!(a.session.handle_timeout(t0 + ms(500)).is_err());
}

#[test]
fn a_large_frame_arriving_in_pieces_lands_in_a_buffer_of_its_own() {
    let mut s = handshaken(cfg(SocketType::Pull), 1, "PUSH");
    let body: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    let mut wire = BytesMut::new();
    frame::encode(&mut wire, MORE, &body);
    frame::encode(&mut wire, 0, b"tail");
    // The header and a little of the body: nothing to hand out yet, and
    // the rest of the body goes straight into a buffer of its size.
    s.receive(&wire[..1000]).unwrap();
    assert_eq!(s.poll_input(), Ok(None));
    let space = s.read_buffer().unwrap().len();
    assert_eq!(space, 9 + 64 * 1024 - 1000, "room for exactly the rest");
    for piece in wire[1000..].chunks(7000) {
        s.receive(piece).unwrap();
    }
    let Some(Event::Message(big)) = s.poll_input().unwrap() else {
        panic!("no message");
    };
    assert!(big.more());
    assert_eq!(big.data(), &body[..]);
    let Some(Event::Message(tail)) = s.poll_input().unwrap() else {
        panic!("no tail");
    };
    assert_eq!((tail.data(), tail.more()), (&b"tail"[..], false));
    assert_eq!(s.poll_input(), Ok(None));
}

#[test]
fn a_large_frame_over_the_limit_fails_before_any_buffer_is_made() {
    let mut s = handshaken(
        SessionConfig {
            max_msg_size: 40_000,
            ..cfg(SocketType::Pull)
        },
        1,
        "PUSH",
    );
    let mut wire = BytesMut::new();
    frame::encode(&mut wire, 0, &vec![1; 50_000]);
    s.receive(&wire[..2000]).unwrap();
    // The next read would begin the frame's own buffer: refused instead.
    let err = s.read_buffer().unwrap_err();
    assert!(
        matches!(err, ProtocolError::MessageTooLarge { .. }),
        "{err:?}"
    );
    assert_eq!(s.poll_input(), Err(err));
}

/// A stand-in for a protecting mechanism's seal (CURVE's boxes): each
/// frame's flags and body are XORed with a key byte inside a MESSAGE.
#[derive(Debug)]
struct XorSeal(u8);

impl crate::zmtp::mechanism::Seal for XorSeal {
    fn seal(&mut self, flags: u8, body: &[u8], out: &mut BytesMut) {
        let mut data = vec![flags ^ self.0];
        data.extend(body.iter().map(|b| b ^ self.0));
        command::encode_raw(out, command::MESSAGE, &data);
    }

    fn open_into(&mut self, data: &[u8], body: &mut BytesMut) -> Result<u8, ProtocolError> {
        let (&flags, sealed) = data.split_first().ok_or(ProtocolError::MalformedCommand)?;
        body.clear();
        body.extend(sealed.iter().map(|b| b ^ self.0));
        Ok(flags ^ self.0)
    }

    fn overhead(&self) -> usize {
        1 + command::MESSAGE.len() + 1
    }
}

/// Two handshaken sessions whose traffic is sealed from now on.
fn sealed(a: SessionConfig, b: SessionConfig) -> (End, End) {
    let (mut a, mut b) = connect(a, b, usize::MAX);
    a.session.set_seal(Box::new(XorSeal(0x5a)));
    b.session.set_seal(Box::new(XorSeal(0x5a)));
    (a, b)
}

#[test]
fn a_seal_carries_every_frame_inside_message_commands() {
    let (mut a, mut b) = sealed(cfg(SocketType::Dealer), cfg(SocketType::Router));
    let big = vec![b'p'; 70 * 1024];
    a.send(b"plaintext", true);
    a.send(&big, false);
    let wire = a.session.output().split().freeze();
    assert!(
        !wire.windows(9).any(|w| w == b"plaintext") && !wire.windows(64).any(|w| w == &big[..64]),
        "plaintext on the wire"
    );
    // Every frame on the wire is a MESSAGE command.
    let mut rest = BytesMut::from(&wire[..]);
    while let Some(f) = frame::decode(&mut rest, u64::MAX).unwrap() {
        assert!(f.is_command());
        assert_eq!(&f.body[..8], b"\x07MESSAGE");
    }
    // Delivered in pieces, opened whole (large ones too: no own-buffer
    // path for sealed frames).
    for piece in wire.chunks(5000) {
        b.session.receive(piece).unwrap();
        while let Some(event) = b.session.poll_input().unwrap() {
            b.events.push(event);
        }
    }
    assert_eq!(
        b.messages(),
        vec![(b"plaintext".to_vec(), true), (big, false)]
    );
}

#[test]
fn sealed_commands_ping_pong_and_subscriptions_work_as_plain_ones() {
    let t0 = Instant::now();
    let ms = std::time::Duration::from_millis;
    let mut a = timed(SocketType::Sub, t0, 1000, 100);
    let mut b = End::new(cfg(SocketType::Pub));
    pump(&mut a, &mut b, usize::MAX);
    a.session.set_seal(Box::new(XorSeal(0x33)));
    b.session.set_seal(Box::new(XorSeal(0x33)));
    a.session.output().clear();
    a.events.clear();
    b.events.clear();

    // A subscription goes sealed and reaches the publisher.
    a.send(b"\x01news", false);
    pump(&mut a, &mut b, usize::MAX);
    assert_eq!(b.messages(), vec![(b"\x01news".to_vec(), false)]);

    // A PING goes sealed, and the answer is a sealed PONG.
    a.session.handle_timeout(t0 + ms(100)).unwrap();
    shovel(&mut a, &mut b, usize::MAX);
    let answer = b.session.output().split();
    let mut rest = answer.clone();
    let f = frame::decode(&mut rest, u64::MAX).unwrap().unwrap();
    assert!(rest.is_empty() && f.is_command());
    let Command::Other { name, data } = Command::parse(f.body).unwrap() else {
        panic!("not a MESSAGE");
    };
    assert_eq!(&name[..], command::MESSAGE);
    let (flags, body) = XorSeal(0x33).open(&data).unwrap();
    assert_eq!(flags, SEALED_COMMAND);
    assert!(matches!(Command::parse(body), Ok(Command::Pong { .. })));
    // `a` takes the PONG quietly.
    a.session.receive(&answer).unwrap();
    assert_eq!(a.session.poll_input(), Ok(None));
    assert!(a.events.is_empty());
}

#[test]
fn a_plain_frame_where_sealed_ones_are_due_fails_the_session() {
    let (_, mut b) = sealed(cfg(SocketType::Dealer), cfg(SocketType::Router));
    let mut wire = BytesMut::new();
    frame::encode(&mut wire, 0, b"not sealed");
    b.session.receive(&wire).unwrap();
    // libzmq's words for it: not the MESSAGE command it expects (MESSAGE
    // itself may come in a data frame, as libzmq sends it).
    assert!(matches!(
        b.session.poll_input(),
        Err(ProtocolError::UnexpectedCommand(_))
    ));
    // And a command that is not a MESSAGE.
    let (_, mut c) = sealed(cfg(SocketType::Dealer), cfg(SocketType::Router));
    c.session
        .receive(&command_bytes(b"PING", b"\x00\x00"))
        .unwrap();
    assert!(matches!(
        c.session.poll_input(),
        Err(ProtocolError::UnexpectedCommand(_))
    ));
}

/// ZMQ_MAXMSGSIZE holds for what a seal opens, not only for the sealed
/// frame: a body over the limit fails the session, one at the limit passes.
#[test]
fn the_size_limit_applies_to_opened_frames() {
    let limited = SessionConfig {
        max_msg_size: 100,
        ..cfg(SocketType::Router)
    };
    let (mut a, mut b) = sealed(cfg(SocketType::Dealer), limited.clone());
    a.send(&[b'x'; 100], false);
    let wire = a.session.output().split().freeze();
    b.session.receive(&wire).unwrap();
    assert!(matches!(b.session.poll_input(), Ok(Some(Event::Message(m))) if m.len() == 100));
    let (mut a, mut b) = sealed(cfg(SocketType::Dealer), limited);
    a.send(&[b'x'; 101], false);
    let wire = a.session.output().split().freeze();
    b.session.receive(&wire).unwrap();
    assert_eq!(
        b.session.poll_input(),
        Err(ProtocolError::MessageTooLarge {
            size: 101,
            max: 100
        })
    );
}

#[test]
fn the_small_message_path_takes_only_whole_single_frames() {
    let pull = || SessionConfig {
        max_msg_size: 100,
        ..cfg(SocketType::Pull)
    };
    // Before the handshake is over, nothing.
    let mut s = Session::new(pull());
    s.receive(&greeting_bytes(3, 1, b"NULL")).unwrap();
    s.receive(&[0x00, 1, b'x']).unwrap();
    assert!(s.next_small_message().is_none());

    let mut s = handshaken(pull(), 1, "PUSH");
    let mut wire = vec![0x00, 3, b'o', b'n', b'e'];
    wire.extend([0x00, 3, b't', b'w', b'o']);
    // A two-frame message, a PING, a frame over the limit, half a frame.
    wire.extend([0x01, 1, b'a', 0x00, 1, b'b']);
    wire.extend(command_bytes(b"PING", &[0, 0]));
    wire.extend([0x00, 101]);
    s.receive(&wire).unwrap();
    let first = s.next_small_message().unwrap();
    assert_eq!((first.data(), first.more()), (&b"one"[..], false));
    assert_eq!(s.next_small_message().unwrap().data(), b"two");
    // The multipart message is left whole for the event path.
    assert!(s.next_small_message().is_none());
    let events = std::iter::from_fn(|| s.poll_input().unwrap()).take(2);
    let frames: Vec<_> = events
        .map(|e| match e {
            Event::Message(m) => (m.data().to_vec(), m.more()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(frames, [(b"a".to_vec(), true), (b"b".to_vec(), false)]);
    // The PING is answered by the event path; the frame over the limit
    // fails there, not here.
    assert!(s.next_small_message().is_none());
    assert_eq!(
        s.poll_input().unwrap_err(),
        ProtocolError::MessageTooLarge {
            size: 101,
            max: 100
        }
    );
    assert!(s.output().starts_with(&command_bytes(b"PONG", &[])));
    assert!(s.next_small_message().is_none(), "a failed session");
}
