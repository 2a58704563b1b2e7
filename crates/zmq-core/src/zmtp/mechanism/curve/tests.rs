//! The CURVE handshake and traffic, fed by hand between a client and a
//! server: the bytes each command has where libzmq puts them, and every
//! way a hostile peer can get it wrong.

use bytes::{Bytes, BytesMut};

use super::*;
use crate::crypto::{keypair, SecretKey};
use crate::zmtp::frame;
use crate::zmtp::mechanism::{Mechanism, Seal, Security, SEALED_COMMAND, SEALED_MORE};
use crate::SocketType;

struct Keys {
    server_public: PublicKey,
    server_secret: SecretKey,
    client_public: PublicKey,
    client_secret: SecretKey,
}

fn keys() -> Keys {
    let (server_public, server_secret) = keypair();
    let (client_public, client_secret) = keypair();
    Keys {
        server_public,
        server_secret,
        client_public,
        client_secret,
    }
}

fn client(k: &Keys) -> Mechanism {
    Mechanism::new(
        &Security::CurveClient {
            server: k.server_public,
            public: k.client_public,
            secret: k.client_secret.clone(),
        },
        SocketType::Dealer,
        Bytes::from_static(b"me"),
    )
}

fn server(k: &Keys, authenticate: bool) -> Mechanism {
    Mechanism::new(
        &Security::CurveServer {
            secret: k.server_secret.clone(),
            authenticate,
            enforce: false,
        },
        SocketType::Router,
        Bytes::new(),
    )
}

/// The command bodies in `out`, emptying it.
fn bodies(out: &mut BytesMut) -> Vec<Bytes> {
    let mut all = Vec::new();
    while let Some(f) = frame::decode(out, u64::MAX).unwrap() {
        assert!(f.is_command());
        all.push(f.body);
    }
    all
}

/// One command from `out`.
fn one(out: &mut BytesMut) -> Bytes {
    let mut all = bodies(out);
    assert_eq!(all.len(), 1, "one command");
    all.pop().unwrap()
}

/// Runs the handshake to its end; returns both sides and the four
/// commands.
fn handshake(k: &Keys) -> (Mechanism, Mechanism, [Bytes; 4]) {
    let (mut c, mut s) = (client(k), server(k, false));
    let (co, so) = (&mut BytesMut::new(), &mut BytesMut::new());
    assert_eq!(c.start(co), Ok(Step::Continue));
    assert_eq!(s.start(so), Ok(Step::Continue));
    let hello = one(co);
    assert_eq!(s.handle(hello.clone(), so), Ok(Step::Continue));
    let welcome = one(so);
    assert_eq!(c.handle(welcome.clone(), co), Ok(Step::Continue));
    let initiate = one(co);
    let Ok(Step::Done(peer)) = s.handle(initiate.clone(), so) else {
        panic!("server not done");
    };
    assert_eq!(peer.socket_type, SocketType::Dealer);
    assert_eq!(peer.metadata.get("Identity").unwrap(), "me");
    let ready = one(so);
    let Ok(Step::Done(peer)) = c.handle(ready.clone(), co) else {
        panic!("client not done");
    };
    assert_eq!(peer.socket_type, SocketType::Router);
    (c, s, [hello, welcome, initiate, ready])
}

#[test]
fn commands_have_libzmqs_sizes_fields_and_nonces() {
    let k = keys();
    let (c, s, [hello, welcome, initiate, ready]) = handshake(&k);
    assert!(s.as_server() && !c.as_server());
    assert_eq!(c.name(), NAME);
    // HELLO: 200 bytes; version 1.0, 72 zeros, C', short nonce 1, box.
    assert_eq!(hello.len(), 200);
    assert_eq!(&hello[..8], b"\x05HELLO\x01\x00");
    assert!(hello[8..80].iter().all(|&b| b == 0));
    let Mechanism::CurveClient(cm) = &c else {
        unreachable!()
    };
    assert_eq!(&hello[80..112], &cm.short_public);
    assert_eq!(&hello[112..120], &1u64.to_be_bytes());
    // The box holds 64 zeros, from C' to S.
    let key = SharedKey::between(&cm.short_public, &k.server_secret).unwrap();
    let zeros = key.open(&nonce(HELLO_NONCE, 1), &hello[120..]).unwrap();
    assert_eq!(zeros, [0; 64]);
    // WELCOME: 168 bytes, its box from S to C' holds S' and a cookie.
    assert_eq!(welcome.len(), 168);
    assert_eq!(&welcome[..8], b"\x07WELCOME");
    let plain = key
        .open(&long_nonce(WELCOME_NONCE, &welcome[8..24]), &welcome[24..])
        .unwrap();
    assert_eq!(plain.len(), 32 + 96);
    // INITIATE: the cookie echoed, short nonce 2, then the box.
    assert_eq!(&initiate[..9], b"\x08INITIATE");
    assert_eq!(&initiate[9..105], &plain[32..]);
    assert_eq!(&initiate[105..113], &2u64.to_be_bytes());
    assert!(initiate.len() >= 257);
    // READY: short nonce 1 and the metadata box.
    assert_eq!(&ready[..6], b"\x05READY");
    assert_eq!(&ready[6..14], &1u64.to_be_bytes());
}

/// Traffic after the handshake: each side's frames open on the other,
/// with flags, and the nonces go on from the handshake's.
#[test]
fn traffic_is_sealed_both_ways() {
    let k = keys();
    let (mut c, mut s, _) = handshake(&k);
    let (mut cs, mut ss) = (c.take_seal().unwrap(), s.take_seal().unwrap());
    let mut wire = BytesMut::new();
    for (flags, body) in [
        (SEALED_MORE, &b"id"[..]),
        (0, b""),
        (SEALED_COMMAND, b"\x04PING"),
    ] {
        cs.seal(flags, body, &mut wire);
        let f = frame::decode(&mut wire, u64::MAX).unwrap().unwrap();
        // libzmq sends MESSAGE in a data frame.
        assert!(!f.is_command() && !f.more());
        assert_eq!(&f.body[..8], b"\x07MESSAGE");
        assert_eq!(f.body.len(), 8 + 8 + 16 + 1 + body.len());
        let (got_flags, got) = ss.open(&f.body[8..]).unwrap();
        assert_eq!((got_flags, &got[..]), (flags, body));
    }
    // The client's first MESSAGE nonce is 3 (HELLO 1, INITIATE 2), the
    // server's 2 (READY 1).
    cs.seal(0, b"x", &mut wire);
    let f = frame::decode(&mut wire, u64::MAX).unwrap().unwrap();
    assert_eq!(&f.body[8..16], &6u64.to_be_bytes());
    ss.seal(0, &[7; 300], &mut wire);
    let f = frame::decode(&mut wire, u64::MAX).unwrap().unwrap();
    assert_eq!(&f.body[8..16], &2u64.to_be_bytes());
    assert_eq!(
        cs.open(&f.body[8..]).unwrap(),
        (0, Bytes::from(vec![7; 300]))
    );
}

/// A MESSAGE replayed, reordered, altered, truncated, or sealed in the
/// other direction is refused with libzmq's error.
#[test]
fn hostile_messages_are_refused() {
    let k = keys();
    let (mut c, mut s, _) = handshake(&k);
    let (mut cs, mut ss) = (c.take_seal().unwrap(), s.take_seal().unwrap());
    let sealed = |seal: &mut Box<dyn Seal>, body: &[u8]| {
        let mut wire = BytesMut::new();
        seal.seal(0, body, &mut wire);
        frame::decode(&mut wire, u64::MAX)
            .unwrap()
            .unwrap()
            .body
            .slice(8..)
    };
    let first = sealed(&mut cs, b"one");
    let second = sealed(&mut cs, b"two");
    assert!(ss.open(&second).is_ok());
    assert_eq!(ss.open(&first), Err(ProtocolError::InvalidSequence));
    assert_eq!(ss.open(&second), Err(ProtocolError::InvalidSequence));
    let mut altered = sealed(&mut cs, b"three").to_vec();
    *altered.last_mut().unwrap() ^= 1;
    assert_eq!(ss.open(&altered), Err(ProtocolError::Cryptographic));
    // A reflected frame (the server's own, sent back) does not open.
    let own = sealed(&mut ss, b"mirror");
    let mut reflected = own.to_vec();
    reflected[..8].copy_from_slice(&100u64.to_be_bytes());
    assert_eq!(ss.open(&reflected), Err(ProtocolError::Cryptographic));
    for short in [&[][..], &[0; 8], &[0; 24]] {
        assert_eq!(
            ss.open(short),
            Err(ProtocolError::Malformed(Malformed::Message))
        );
    }
    // After all that, a good frame still opens.
    let good = sealed(&mut cs, b"good");
    assert_eq!(ss.open(&good).unwrap().1, "good");
}

/// A client with the wrong server key cannot open the door: the server
/// cannot open its HELLO.
#[test]
fn a_wrong_server_key_fails_the_hello() {
    let k = keys();
    // Another key set: its server key is not this server's.
    let (mut c, mut s) = (client(&keys()), server(&k, false));
    let out = &mut BytesMut::new();
    c.start(out).unwrap();
    let hello = one(out);
    assert_eq!(s.handle(hello, out), Err(ProtocolError::Cryptographic));
    assert!(out.is_empty(), "no answer to a bad HELLO");
}

#[test]
fn malformed_handshake_commands_are_refused() {
    let k = keys();
    let (hello, welcome, initiate, ready) = {
        let (_, _, [h, w, i, r]) = handshake(&k);
        (h, w, i, r)
    };
    let out = &mut BytesMut::new();
    let server_after_hello = || {
        let mut c = client(&k);
        let mut s = server(&k, false);
        let out = &mut BytesMut::new();
        c.start(out).unwrap();
        s.handle(one(out), out).unwrap();
        let welcome = one(out);
        (c, s, welcome)
    };
    let hello_err = ProtocolError::Malformed(Malformed::Hello);
    let mut bad = hello.to_vec();
    bad[6] = 2; // version 2.0
    assert_eq!(
        server(&k, false).handle(bad.into(), out),
        Err(hello_err.clone())
    );
    let mut bad = hello.to_vec();
    bad[20] = 1; // padding not zero
    assert_eq!(
        server(&k, false).handle(bad.into(), out),
        Err(hello_err.clone())
    );
    assert_eq!(
        server(&k, false).handle(hello.slice(..199), out),
        Err(hello_err)
    );
    // Out of order: INITIATE first, READY to a server, HELLO twice.
    assert!(matches!(
        server(&k, false).handle(initiate.clone(), out),
        Err(ProtocolError::UnexpectedCommand(_))
    ));
    let (_, mut s, _) = server_after_hello();
    assert!(matches!(
        s.handle(ready.clone(), out),
        Err(ProtocolError::UnexpectedCommand(_))
    ));
    // A short INITIATE.
    let (_, mut s, _) = server_after_hello();
    assert_eq!(
        s.handle(initiate.slice(..256), out),
        Err(ProtocolError::Malformed(Malformed::Initiate))
    );
    // The client: a WELCOME of the wrong size or from someone else, a
    // short READY, an ERROR without its reason.
    let mut c = client(&k);
    c.start(out).unwrap();
    out.clear();
    assert_eq!(
        c.handle(welcome.slice(..167), out),
        Err(ProtocolError::Cryptographic)
    );
    let mut c = client(&k);
    c.start(out).unwrap();
    out.clear();
    assert_eq!(
        c.handle(welcome.clone(), out),
        Err(ProtocolError::Cryptographic),
        "a WELCOME made for another connection"
    );
    let (mut c, _, welcome) = server_after_hello();
    c.handle(welcome, out).unwrap();
    assert_eq!(
        c.handle(ready.slice(..29), out),
        Err(ProtocolError::Malformed(Malformed::Ready))
    );
    let mut c = client(&k);
    c.start(out).unwrap();
    assert_eq!(
        c.handle(Bytes::from_static(b"\x05ERROR\x05400"), out),
        Err(ProtocolError::Malformed(Malformed::Error))
    );
}

/// INITIATE with the cookie of another connection (or its whole INITIATE
/// replayed) is refused, and so is one whose vouch names other keys.
#[test]
fn cookies_and_vouches_belong_to_their_connection() {
    let k = keys();
    let (_, _, [_, _, old_initiate, _]) = handshake(&k);
    let out = &mut BytesMut::new();
    let mut c = client(&k);
    let mut s = server(&k, false);
    c.start(out).unwrap();
    s.handle(one(out), out).unwrap();
    out.clear(); // its WELCOME, unanswered: an old INITIATE comes instead
    assert_eq!(
        s.handle(old_initiate, out),
        Err(ProtocolError::Cryptographic)
    );
    // A vouch for a C' other than the connection's.
    let mut s = server(&k, false);
    let mut c = client(&k);
    c.start(out).unwrap();
    s.handle(one(out), out).unwrap();
    let welcome2 = one(out);
    let Mechanism::CurveClient(cm) = &mut c else {
        unreachable!()
    };
    let real = cm.short_public;
    cm.short_public = keypair().0;
    cm.handle(welcome2, out).unwrap();
    cm.short_public = real;
    let initiate = one(out);
    assert_eq!(s.handle(initiate, out), Err(ProtocolError::KeyExchange));
}

/// With ZAP the server asks about C (32 bytes) before READY; a refusal
/// goes out as an ERROR naming the status, which the client reports.
#[test]
fn zap_judges_the_clients_long_term_key() {
    let k = keys();
    for (verdict, ready) in [
        (Verdict::Allow, true),
        (Verdict::Unavailable, true),
        (Verdict::Deny(400), false),
    ] {
        let (mut c, mut s) = (client(&k), server(&k, true));
        let (co, so) = (&mut BytesMut::new(), &mut BytesMut::new());
        c.start(co).unwrap();
        s.handle(one(co), so).unwrap();
        c.handle(one(so), co).unwrap();
        let step = s.handle(one(co), so).unwrap();
        assert_eq!(
            step,
            Step::Authenticate(Request {
                mechanism: "CURVE",
                credentials: vec![Bytes::copy_from_slice(&k.client_public)],
            })
        );
        assert!(so.is_empty(), "nothing before the verdict");
        let result = s.verdict(verdict.clone(), so);
        if ready {
            assert!(matches!(result, Ok(Step::Done(_))), "{verdict:?}");
            assert!(matches!(c.handle(one(so), co), Ok(Step::Done(_))));
        } else {
            assert_eq!(result, Err(ProtocolError::Denied { status: 400 }));
            let error = one(so);
            assert_eq!(&error[..], b"\x05ERROR\x03400");
            let err = c.handle(error, co).unwrap_err();
            assert_eq!(err.auth_status(), Some(400));
        }
    }
    // Enforced with no handler: refused.
    let mut s = Mechanism::new(
        &Security::CurveServer {
            secret: k.server_secret.clone(),
            authenticate: true,
            enforce: true,
        },
        SocketType::Router,
        Bytes::new(),
    );
    let mut c = client(&k);
    let (co, so) = (&mut BytesMut::new(), &mut BytesMut::new());
    c.start(co).unwrap();
    s.handle(one(co), so).unwrap();
    c.handle(one(so), co).unwrap();
    s.handle(one(co), so).unwrap();
    assert_eq!(
        s.verdict(Verdict::Unavailable, so),
        Err(ProtocolError::NoAuthenticator)
    );
}

/// xorshift64: reproducible mutations without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    /// `body` with a few random edits: bytes flipped or set, cut short,
    /// grown, or its name length byte changed.
    fn mutate(&mut self, body: &Bytes) -> Bytes {
        let mut b = body.to_vec();
        for _ in 0..=self.below(3) {
            match self.below(5) {
                0 if !b.is_empty() => {
                    let at = self.below(b.len());
                    b[at] ^= 1 << self.below(8);
                }
                1 if !b.is_empty() => {
                    let at = self.below(b.len());
                    b[at] = [0, 0xFF, 0x7F, 0x80][self.below(4)];
                }
                2 => b.truncate(self.below(b.len() + 1)),
                3 => b.extend(std::iter::repeat_n(0u8, self.below(64))),
                _ if !b.is_empty() => b[0] = self.below(256) as u8,
                _ => {}
            }
        }
        Bytes::from(b)
    }
}

/// Thousands of mutated HELLO, WELCOME, INITIATE, READY and MESSAGE
/// commands: each is refused with an error (never a panic, never a
/// handshake that goes through on altered bytes), and the same keys still
/// make a good connection afterwards.
#[test]
fn mutated_commands_are_refused_and_good_peers_still_connect() {
    let k = keys();
    let (_, _, [hello, ..]) = handshake(&k);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let out = &mut BytesMut::new();
    for round in 0..2000 {
        match round % 5 {
            0 => {
                let bad = rng.mutate(&hello);
                if bad != hello {
                    assert!(server(&k, false).handle(bad, out).is_err());
                }
            }
            1 => {
                // WELCOME to a client whose HELLO it answers, altered.
                let (mut c, mut s) = (client(&k), server(&k, false));
                c.start(out).unwrap();
                s.handle(one(out), out).unwrap();
                let good = one(out);
                let bad = rng.mutate(&good);
                if bad != good {
                    assert!(c.handle(bad, out).is_err());
                }
            }
            2 => {
                let (mut c, mut s) = (client(&k), server(&k, false));
                c.start(out).unwrap();
                s.handle(one(out), out).unwrap();
                c.handle(one(out), out).unwrap();
                let good = one(out);
                let bad = rng.mutate(&good);
                if bad != good {
                    // Grown with zeros the box no longer opens either.
                    assert!(s.handle(bad, out).is_err(), "round {round}");
                }
            }
            3 => {
                let (mut c, mut s) = (client(&k), server(&k, false));
                c.start(out).unwrap();
                s.handle(one(out), out).unwrap();
                c.handle(one(out), out).unwrap();
                s.handle(one(out), out).unwrap();
                let good = one(out);
                let bad = rng.mutate(&good);
                if bad != good {
                    assert!(c.handle(bad, out).is_err());
                }
            }
            _ => {
                let (mut c, mut s, _) = handshake(&k);
                let (mut cs, mut ss) = (c.take_seal().unwrap(), s.take_seal().unwrap());
                let mut wire = BytesMut::new();
                cs.seal(0, b"payload", &mut wire);
                let good = frame::decode(&mut wire, u64::MAX)
                    .unwrap()
                    .unwrap()
                    .body
                    .slice(8..);
                let bad = rng.mutate(&good);
                if bad != good {
                    assert!(ss.open(&bad).is_err());
                }
                // The seal is not poisoned for the good frames that follow.
                cs.seal(0, b"next", &mut wire);
                let next = frame::decode(&mut wire, u64::MAX).unwrap().unwrap();
                assert_eq!(ss.open(&next.body[8..]).unwrap().1, "next");
            }
        }
        out.clear();
    }
    handshake(&k);
}
