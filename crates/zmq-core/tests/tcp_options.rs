//! Kernel socket options reach the connections (read back from the fds the
//! monitor reports), and ZMQ_IMMEDIATE keeps messages from unconnected peers.

mod common;

use common::{last_endpoint, set_int, sockopt};
use zmq_core::socket::{monitor, options};
use zmq_core::{Context, Error, Msg, Socket, SocketType};

fn get_int(s: &Socket, opt: i32) -> i32 {
    let mut buf = [0u8; 4];
    assert_eq!(s.get_option(opt, &mut buf).unwrap(), 4);
    i32::from_ne_bytes(buf)
}

#[test]
fn options_validate_and_read_back() {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Dealer).unwrap();
    for (opt, v) in [
        (options::SNDBUF, 100_000),
        (options::RCVBUF, 200_000),
        (options::TCP_KEEPALIVE, 1),
        (options::TCP_KEEPALIVE_IDLE, 30),
        (options::TCP_KEEPALIVE_INTVL, 5),
        (options::TCP_KEEPALIVE_CNT, 4),
        (options::TOS, 0x20),
        (options::TCP_MAXRT, 5000),
        (options::CONNECT_TIMEOUT, 250),
        (options::IMMEDIATE, 1),
        (options::HANDSHAKE_IVL, 1234),
        (options::HEARTBEAT_IVL, 100),
        (options::HEARTBEAT_TTL, 2000),
        (options::HEARTBEAT_TIMEOUT, 300),
    ] {
        set_int(&s, opt, v);
        assert_eq!(get_int(&s, opt), v, "option {opt}");
    }
    assert_eq!(
        s.set_option(options::TCP_KEEPALIVE, &2i32.to_ne_bytes()),
        Err(Error::Invalid)
    );
    assert_eq!(
        s.set_option(options::IMMEDIATE, &7i32.to_ne_bytes()),
        Err(Error::Invalid)
    );
    assert_eq!(
        s.set_option(options::HEARTBEAT_TTL, &7_000_000i32.to_ne_bytes()),
        Err(Error::Invalid)
    );
    assert_eq!(
        s.set_option(options::TCP_KEEPALIVE_IDLE, &(-2i32).to_ne_bytes()),
        Err(Error::Invalid)
    );
}

#[test]
fn accepted_connections_carry_the_settings() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    set_int(&pull, options::TCP_KEEPALIVE, 1);
    set_int(&pull, options::TCP_KEEPALIVE_IDLE, 30);
    set_int(&pull, options::TCP_KEEPALIVE_CNT, 4);
    set_int(&pull, options::TOS, 0x20);
    set_int(&pull, options::RCVBUF, 65536);
    pull.monitor(Some("inproc://tcp-options"), monitor::ACCEPTED as u32)
        .unwrap();
    let events = ctx.socket(SocketType::Pair).unwrap();
    set_int(&events, options::RCVTIMEO, 5000);
    events.connect("inproc://tcp-options").unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let ep = last_endpoint(&pull);
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&ep).unwrap();
    let head = events.recv(0).unwrap();
    let d = head.data();
    assert_eq!(u16::from_ne_bytes([d[0], d[1]]), monitor::ACCEPTED);
    let fd = u32::from_ne_bytes([d[2], d[3], d[4], d[5]]) as i32;
    assert_eq!(sockopt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE), 1);
    assert_eq!(sockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE), 30);
    assert_eq!(sockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT), 4);
    assert_eq!(sockopt(fd, libc::IPPROTO_IP, libc::IP_TOS), 0x20);
    assert!(sockopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF) >= 65536);
    assert_eq!(sockopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY), 1);
}

#[test]
fn large_messages_pass_a_small_receive_buffer() {
    // Large bodies are awaited with a raised tcp low-water mark; the kernel
    // keeps it within the small buffer set here, so they still arrive.
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    set_int(&pull, options::RCVBUF, 16_384);
    set_int(&pull, options::RCVTIMEO, 5000);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    set_int(&push, options::SNDBUF, 16_384);
    push.connect(&last_endpoint(&pull)).unwrap();
    for i in 0..4u8 {
        let body = vec![i; 2 << 20];
        push.send(&mut Msg::from_slice(&body), 0).unwrap();
        let got = pull
            .recv(0)
            .expect("a large message through a small buffer");
        assert!(got.data() == &body[..], "message {i} arrived whole");
    }
}

#[test]
fn immediate_queues_nothing_for_peers_not_connected() {
    let ctx = Context::new();
    let queued = ctx.socket(SocketType::Push).unwrap();
    queued.connect("tcp://127.0.0.1:9").unwrap();
    queued.send(&mut Msg::from_slice(b"waits"), 1).unwrap();
    set_int(&queued, options::LINGER, 0);

    let strict = ctx.socket(SocketType::Push).unwrap();
    set_int(&strict, options::IMMEDIATE, 1);
    strict.connect("tcp://127.0.0.1:9").unwrap();
    assert_eq!(
        strict.send(&mut Msg::from_slice(b"refused"), 1),
        Err(Error::Again)
    );
}

#[test]
fn connect_from_a_chosen_source_address() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    set_int(&pull, options::RCVTIMEO, 5000);
    pull.monitor(Some("inproc://source-address"), monitor::ACCEPTED as u32)
        .unwrap();
    let events = ctx.socket(SocketType::Pair).unwrap();
    set_int(&events, options::RCVTIMEO, 5000);
    events.connect("inproc://source-address").unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let ep = last_endpoint(&pull);
    let port = ep.rsplit(':').next().unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&format!("tcp://127.0.0.2:*;127.0.0.1:{port}"))
        .unwrap();
    push.send(&mut Msg::from_slice(b"from .2"), 0).unwrap();
    assert_eq!(pull.recv(0).unwrap().data(), b"from .2");
    let head = events.recv(0).unwrap();
    let d = head.data();
    let fd = u32::from_ne_bytes([d[2], d[3], d[4], d[5]]) as i32;
    // SAFETY: a zeroed sockaddr_in is a valid out-buffer for getpeername.
    let mut sa: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: valid out-pointers of the right size.
    let rc = unsafe { libc::getpeername(fd, &mut sa as *mut _ as *mut libc::sockaddr, &mut len) };
    assert_eq!(rc, 0);
    assert_eq!(
        u32::from_be(sa.sin_addr.s_addr),
        u32::from(std::net::Ipv4Addr::new(127, 0, 0, 2))
    );
}

/// A listener that never completes another handshake: backlog 0 and its
/// one accept slot taken, so the kernel drops further SYNs and a connect
/// hangs as towards a host that does not answer.
fn black_hole() -> (socket2::Socket, std::net::TcpStream, String) {
    use socket2::{Domain, Socket as RawSocket, Type};
    let listener = RawSocket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    listener.bind(&any.into()).unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let filler =
        std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2)).unwrap();
    (listener, filler, format!("tcp://{addr}"))
}

#[test]
fn connect_timeout_gives_up_on_a_silent_peer_and_retries() {
    let (_listener, _filler, endpoint) = black_hole();
    let ctx = Context::new();
    let events = |name: &str, timeout: i32| {
        let push = ctx.socket(SocketType::Push).unwrap();
        set_int(&push, options::LINGER, 0);
        if timeout > 0 {
            set_int(&push, options::CONNECT_TIMEOUT, timeout);
        }
        push.monitor(
            Some(&format!("inproc://{name}")),
            monitor::CONNECT_RETRIED as u32,
        )
        .unwrap();
        let watcher = ctx.socket(SocketType::Pair).unwrap();
        set_int(&watcher, options::RCVTIMEO, 1500);
        watcher.connect(&format!("inproc://{name}")).unwrap();
        push.connect(&endpoint).unwrap();
        (push, watcher)
    };
    // With 100 ms to connect, the attempt is abandoned and retried.
    let (_quick, watcher) = events("quick", 100);
    let head = watcher.recv(0).expect("a retry within 1.5 s");
    assert_eq!(
        u16::from_ne_bytes([head.data()[0], head.data()[1]]),
        monitor::CONNECT_RETRIED
    );
    // Without it the kernel keeps trying for minutes: no retry yet.
    let (_patient, watcher) = events("patient", 0);
    assert_eq!(watcher.recv(0).unwrap_err(), Error::Again);
}
