//! zmq_proxy(_steerable): forwarding both ways, capture copies, and the
//! control commands PAUSE, RESUME, STATISTICS and TERMINATE.

mod common;

use common::{recv, send, set_int};
use std::sync::Arc;
use std::time::Duration;
use zmq_core::socket::options;
use zmq_core::{Context, Error, Socket, SocketType};

fn socket(ctx: &Context, t: SocketType) -> Socket {
    let s = ctx.socket(t).unwrap();
    set_int(&s, options::RCVTIMEO, 5000);
    s
}

#[test]
fn steerable_proxy_forwards_captures_pauses_and_terminates() {
    let ctx = Context::new();
    let front = Arc::new(socket(&ctx, SocketType::Pull));
    front.bind("inproc://front").unwrap();
    let back = Arc::new(socket(&ctx, SocketType::Push));
    back.bind("inproc://back").unwrap();
    let capture = Arc::new(socket(&ctx, SocketType::Push));
    capture.bind("inproc://capture").unwrap();
    let control = Arc::new(socket(&ctx, SocketType::Pair));
    control.bind("inproc://control").unwrap();

    let producer = socket(&ctx, SocketType::Push);
    producer.connect("inproc://front").unwrap();
    let consumer = socket(&ctx, SocketType::Pull);
    consumer.connect("inproc://back").unwrap();
    let tap = socket(&ctx, SocketType::Pull);
    tap.connect("inproc://capture").unwrap();
    let steer = socket(&ctx, SocketType::Pair);
    steer.connect("inproc://control").unwrap();

    let sockets = (
        front.clone(),
        back.clone(),
        capture.clone(),
        control.clone(),
    );
    let runner = std::thread::spawn(move || {
        let (f, b, c, k) = sockets;
        zmq_core::proxy::proxy(&f, &b, Some(&c), Some(&k))
    });

    send(&producer, &[b"one", b"two parts"]);
    assert_eq!(
        recv(&consumer),
        vec![b"one".to_vec(), b"two parts".to_vec()]
    );
    assert_eq!(recv(&tap), vec![b"one".to_vec(), b"two parts".to_vec()]);

    send(&steer, &[b"PAUSE"]);
    // Control commands are handled in order: once STATISTICS is answered,
    // the proxy is paused.
    send(&steer, &[b"STATISTICS"]);
    assert_eq!(recv(&steer).len(), 8);
    send(&producer, &[b"held"]);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(consumer.recv(1).unwrap_err(), Error::Again);
    send(&steer, &[b"RESUME"]);
    assert_eq!(recv(&consumer), vec![b"held".to_vec()]);

    send(&steer, &[b"STATISTICS"]);
    let stats: Vec<u64> = recv(&steer)
        .into_iter()
        .map(|f| u64::from_ne_bytes(f.try_into().unwrap()))
        .collect();
    assert_eq!(stats.len(), 8);
    // frontend: 2 messages in (12 bytes); backend: 2 messages out.
    assert_eq!((stats[0], stats[1], stats[6]), (2, 3 + 9 + 4, 2));

    send(&steer, &[b"TERMINATE"]);
    assert_eq!(runner.join().unwrap(), Ok(()));
}

#[test]
fn plain_proxy_ends_with_eterm() {
    let ctx = Context::new();
    let front = socket(&ctx, SocketType::Router);
    front.bind("inproc://router").unwrap();
    let back = socket(&ctx, SocketType::Dealer);
    back.bind("inproc://dealer").unwrap();
    let runner = std::thread::spawn(move || {
        let r = zmq_core::proxy::proxy(&front, &back, None, None);
        drop((front, back));
        r
    });
    std::thread::sleep(Duration::from_millis(50));
    ctx.shutdown();
    assert_eq!(runner.join().unwrap(), Err(Error::Terminated));
    ctx.terminate();
}
