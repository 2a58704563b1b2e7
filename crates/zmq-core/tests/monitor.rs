//! zmq_socket_monitor: libzmq's two-frame events about endpoints and
//! connections, read from a PAIR socket.

mod common;

use common::{event, watch};
use std::io::Write;
use zmq_core::socket::{monitor, options};
use zmq_core::{Context, Msg, Socket, SocketType};

/// Events until `last` arrives, by kind.
fn until(pair: &Socket, last: u16) -> Vec<u16> {
    let mut seen = Vec::new();
    loop {
        let (e, _, _) = event(pair);
        seen.push(e);
        if e == last {
            return seen;
        }
    }
}

#[test]
fn connection_life_is_reported_on_both_sides() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Rep).unwrap();
    let server_events = watch(&ctx, &server, "server-events");
    server.bind("tcp://127.0.0.1:*").unwrap();
    let (e, fd, ep) = event(&server_events);
    assert_eq!(e, monitor::LISTENING);
    assert!(fd > 0);
    assert!(ep.starts_with("tcp://127.0.0.1:"), "{ep}");

    let client = ctx.socket(SocketType::Req).unwrap();
    let client_events = watch(&ctx, &client, "client-events");
    client.connect(&ep).unwrap();
    let seen = until(&client_events, monitor::HANDSHAKE_SUCCEEDED);
    assert!(seen.contains(&monitor::CONNECTED), "{seen:?}");
    let seen = until(&server_events, monitor::HANDSHAKE_SUCCEEDED);
    assert!(seen.contains(&monitor::ACCEPTED), "{seen:?}");

    client
        .set_option(options::LINGER, &0i32.to_ne_bytes())
        .unwrap();
    drop(client);
    assert_eq!(
        until(&client_events, monitor::MONITOR_STOPPED),
        vec![monitor::MONITOR_STOPPED]
    );
    let (e, _, endpoint) = event(&server_events);
    assert_eq!((e, endpoint.as_str()), (monitor::DISCONNECTED, ep.as_str()));

    server.monitor(None, 0).unwrap();
    assert_eq!(event(&server_events).0, monitor::MONITOR_STOPPED);
}

#[test]
fn a_bad_handshake_is_reported_with_its_protocol_error() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Pull).unwrap();
    let events = watch(&ctx, &server, "bad-handshake");
    server.bind("tcp://127.0.0.1:*").unwrap();
    let (_, _, ep) = event(&events);
    let mut raw = std::net::TcpStream::connect(ep.trim_start_matches("tcp://")).unwrap();
    let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1];
    let mut mechanism = b"PLAIN".to_vec();
    mechanism.resize(20, 0);
    greeting.extend_from_slice(&mechanism);
    greeting.extend_from_slice(&[0; 32]);
    raw.write_all(&greeting).unwrap();
    let seen = until(&events, monitor::HANDSHAKE_FAILED_PROTOCOL);
    assert!(seen.contains(&monitor::ACCEPTED), "{seen:?}");
    let (e, _, _) = event(&events);
    assert_eq!(e, monitor::DISCONNECTED);
}

#[test]
fn only_inproc_endpoints_and_masked_events() {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Push).unwrap();
    assert_eq!(
        s.monitor(Some("tcp://127.0.0.1:5999"), 0xffff),
        Err(zmq_core::Error::ProtocolNotSupported)
    );
    s.monitor(Some("inproc://masked"), monitor::CONNECT_RETRIED as u32)
        .unwrap();
    let pair = ctx.socket(SocketType::Pair).unwrap();
    pair.set_option(options::RCVTIMEO, &5000i32.to_ne_bytes())
        .unwrap();
    pair.connect("inproc://masked").unwrap();
    s.set_option(options::RECONNECT_IVL, &10i32.to_ne_bytes())
        .unwrap();
    s.connect("tcp://127.0.0.1:1").unwrap();
    let (e, ivl, ep) = event(&pair);
    assert_eq!(
        (e, ivl, ep.as_str()),
        (monitor::CONNECT_RETRIED, 10, "tcp://127.0.0.1:1")
    );
    let _ = s.send(&mut Msg::from_slice(b"x"), 1);
}

#[test]
fn a_wildcard_ipc_socket_file_gone_before_unbind_is_a_close_failure() {
    // As libzmq: unbinding `ipc://*` removes the file and the directory made
    // for it; when the file is already gone, CLOSE_FAILED carries the errno
    // instead of CLOSED (the directory is removed all the same).
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    let pair = watch(&ctx, &pull, "mon-ipc");
    pull.bind("ipc://*").unwrap();
    let mut buf = [0u8; 256];
    let n = pull.get_option(options::LAST_ENDPOINT, &mut buf).unwrap();
    let endpoint = String::from_utf8(buf[..n - 1].to_vec()).unwrap();
    let path = std::path::PathBuf::from(endpoint.trim_start_matches("ipc://"));
    assert_eq!(event(&pair).0, monitor::LISTENING);
    std::fs::remove_file(&path).unwrap();
    pull.unbind(&endpoint).unwrap();
    assert_eq!(
        event(&pair),
        (monitor::CLOSE_FAILED, libc::ENOENT as u32, endpoint.clone())
    );
    assert!(!path.parent().unwrap().exists(), "the directory is removed");

    // With the file in place, it is CLOSED.
    pull.bind("ipc://*").unwrap();
    let n = pull.get_option(options::LAST_ENDPOINT, &mut buf).unwrap();
    let endpoint = String::from_utf8(buf[..n - 1].to_vec()).unwrap();
    assert_eq!(event(&pair).0, monitor::LISTENING);
    pull.unbind(&endpoint).unwrap();
    assert_eq!(event(&pair).0, monitor::CLOSED);
}
