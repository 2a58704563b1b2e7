//! Micro-benchmarks of the hot path's pieces, with no harness dependency:
//! frame encoding and decoding through a ZMTP session, a pipe's write
//! and read, single-threaded and across two threads, and subscription
//! matching (the empty topic once cost a processor assist per message). `cargo bench -p
//! zmq-core` (and `make bench`) print nanoseconds per operation; each
//! figure is the best of several runs, as the machines are noisy.

use std::hint::black_box;
use std::time::Instant;
use zmq_core::internals::{pipe, Event, Session, SessionConfig, Subscriptions};
use zmq_core::{Msg, SocketType};

const RUNS: usize = 5;

/// Best time per operation over `RUNS` runs of `ops` operations.
fn best(ops: usize, mut run: impl FnMut()) -> f64 {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_nanos() as f64 / ops as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn config(socket_type: SocketType) -> SessionConfig {
    SessionConfig {
        liveness: Default::default(),
        socket_type,
        routing_id: Default::default(),
        max_msg_size: -1,
        security: Default::default(),
    }
}

/// A PUSH and a PULL session after their handshake.
fn sessions() -> (Session, Session) {
    let mut push = Session::new(config(SocketType::Push));
    let mut pull = Session::new(config(SocketType::Pull));
    for _ in 0..4 {
        pull.receive(&push.output().split()).unwrap();
        push.receive(&pull.output().split()).unwrap();
        while let Ok(Some(_)) = pull.poll_input() {}
        while let Ok(Some(_)) = push.poll_input() {}
    }
    assert!(push.is_ready() && pull.is_ready());
    (push, pull)
}

fn codec(size: usize) -> (f64, f64) {
    let (mut push, mut pull) = sessions();
    let msg = Msg::from_slice(&vec![7u8; size]);
    let n = (4_000_000 / (size + 16)).clamp(100, 100_000);
    // Encoding: frames go out in batches, as the engine writes them.
    let encode = best(n, || {
        for i in 0..n {
            push.send(black_box(&msg));
            if i % 64 == 63 {
                push.write_to(&mut std::io::sink()).unwrap();
            }
        }
        push.write_to(&mut std::io::sink()).unwrap();
    });
    // Decoding: from one buffer holding every frame (prepared untimed).
    for _ in 0..n {
        push.send(&msg);
    }
    let wire = push.output().split().freeze();
    // Each run's input is received untimed (the copy a read would make),
    // then decoded.
    let decode = (0..RUNS)
        .map(|_| {
            pull.receive(&wire).unwrap();
            let start = Instant::now();
            for _ in 0..n {
                match pull.poll_input() {
                    Ok(Some(Event::Message(m))) => {
                        black_box(m);
                    }
                    other => panic!("decode: {other:?}"),
                }
            }
            start.elapsed().as_nanos() as f64 / n as f64
        })
        .fold(f64::INFINITY, f64::min);
    (encode, decode)
}

fn pipe_same_thread() -> f64 {
    let (writer, reader) = pipe(0, false);
    let n = 1_000_000;
    best(n, || {
        for _ in 0..n / 100 {
            for _ in 0..100 {
                writer.write(Msg::from_slice(b"0123456789"));
            }
            for _ in 0..100 {
                black_box(reader.read().unwrap());
            }
        }
    })
}

fn pipe_two_threads() -> f64 {
    let n = 2_000_000;
    best(n, || {
        let (writer, reader) = pipe(1000, false);
        let t = std::thread::spawn(move || {
            for _ in 0..n {
                while !writer.check_write() {
                    std::hint::spin_loop();
                }
                writer.write(Msg::from_slice(b"0123456789"));
            }
        });
        let mut got = 0;
        while got < n {
            if reader.read().is_some() {
                got += 1;
            } else {
                std::hint::spin_loop();
            }
        }
        t.join().unwrap();
    })
}

/// Matching a 64-byte message against a single subscription.
fn subscription_match(topic: &[u8]) -> f64 {
    let mut subs = Subscriptions::default();
    subs.add(topic);
    let data = [b'a'; 64];
    let n = 10_000_000;
    best(n, || {
        for _ in 0..n {
            black_box(subs.matches(black_box(&data)));
        }
    })
}

/// Matching a 64-byte message against `count` topics of 8 to 23 bytes,
/// a message that shares its first 8 bytes with one of them but matches
/// none (the worst case for a list, and a full walk down a tree).
fn many_subscriptions(count: usize) -> f64 {
    let mut subs = Subscriptions::default();
    let mut seed = 12345u64;
    for i in 0..count {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let len = 8 + (seed >> 60) as usize;
        let mut topic = format!("{i:08x}").into_bytes();
        topic.resize(len, b'x');
        subs.add(&topic);
    }
    let mut data = [b'y'; 64];
    data[..8].copy_from_slice(format!("{:08x}", count / 2).as_bytes());
    let n = 1_000_000;
    best(n, || {
        for _ in 0..n {
            black_box(subs.matches(black_box(&data)));
        }
    })
}

fn main() {
    println!("| micro-benchmark | ns per operation (best of {RUNS}) |");
    println!("| --- | ---: |");
    for size in [8, 64, 1024, 65536] {
        let (encode, decode) = codec(size);
        println!("| encode a {size} B frame | {encode:.1} |");
        println!("| decode a {size} B frame | {decode:.1} |");
    }
    println!(
        "| pipe write + read, one thread | {:.1} |",
        pipe_same_thread()
    );
    println!(
        "| pipe write + read, two threads | {:.1} |",
        pipe_two_threads()
    );
    println!(
        "| subscription match, empty topic | {:.1} |",
        subscription_match(b"")
    );
    println!(
        "| subscription match, 4-byte topic | {:.1} |",
        subscription_match(b"aaaa")
    );
    println!(
        "| subscription match, 10,000 topics, no match | {:.1} |",
        many_subscriptions(10_000)
    );
}
