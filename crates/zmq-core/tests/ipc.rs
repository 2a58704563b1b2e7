//! ipc://: Unix domain sockets, abstract names and fresh wildcard paths.

mod common;

use common::last_endpoint;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use zmq_core::socket::options;
use zmq_core::{Context, Msg, Socket, SocketType};

fn socket(ctx: &Context, t: SocketType) -> Socket {
    let s = ctx.socket(t).unwrap();
    s.set_option(options::RCVTIMEO, &5000i32.to_ne_bytes())
        .unwrap();
    s
}

fn round_trip(ctx: &Context, bind_ep: &str) -> String {
    let rep = socket(ctx, SocketType::Rep);
    rep.bind(bind_ep).unwrap();
    let ep = last_endpoint(&rep);
    let req = socket(ctx, SocketType::Req);
    req.connect(&ep).unwrap();
    req.send(&mut Msg::from_slice(b"ping"), 0).unwrap();
    assert_eq!(rep.recv(0).unwrap().data(), b"ping");
    rep.send(&mut Msg::from_slice(&[9u8; 100_000]), 0).unwrap();
    assert_eq!(req.recv(0).unwrap().len(), 100_000);
    ep
}

#[test]
fn path_wildcard_and_abstract_endpoints() {
    let ctx = Context::new();
    let dir = std::env::temp_dir().join(format!("zmq-ipc-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sock");
    let ep = round_trip(&ctx, &format!("ipc://{}", path.display()));
    assert_eq!(ep, format!("ipc://{}", path.display()));
    let wild = round_trip(&ctx, "ipc://*");
    assert!(wild.starts_with("ipc://") && wild != "ipc://*", "{wild}");
    // The directory a wildcard makes is private to this user.
    let bound = ctx.socket(SocketType::Pull).unwrap();
    bound.bind("ipc://*").unwrap();
    let file = last_endpoint(&bound)
        .trim_start_matches("ipc://")
        .to_string();
    let parent = Path::new(&file).parent().unwrap();
    let mode = std::fs::metadata(parent).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "{}", parent.display());
    let name = format!("ipc://@zmq-test-{}", std::process::id());
    assert_eq!(round_trip(&ctx, &name), name);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_socket_file_goes_with_the_socket_and_stale_ones_are_replaced() {
    let ctx = Context::new();
    let dir = std::env::temp_dir().join(format!("zmq-ipc-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s");
    // A file left behind by a dead process.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let ep = format!("ipc://{}", path.display());
    let pull = socket(&ctx, SocketType::Pull);
    pull.bind(&ep).unwrap();
    // A live one is not taken over.
    let other = socket(&ctx, SocketType::Pull);
    assert_eq!(other.bind(&ep), Err(zmq_core::Error::AddrInUse));
    pull.unbind(&ep).unwrap();
    let mut gone = false;
    for _ in 0..100 {
        if !path.exists() {
            gone = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(gone, "unbind removes the socket file");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn connect_before_bind_over_ipc() {
    let ctx = Context::new();
    let name = format!("ipc://@zmq-late-{}", std::process::id());
    let push = socket(&ctx, SocketType::Push);
    push.connect(&name).unwrap();
    push.send(&mut Msg::from_slice(b"queued"), 0).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    let pull = socket(&ctx, SocketType::Pull);
    pull.bind(&name).unwrap();
    assert_eq!(pull.recv(0).unwrap().data(), b"queued");
}
