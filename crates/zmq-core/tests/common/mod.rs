//! Helpers shared by the cross-layer tests: whole multipart messages in and
//! out, int options, the endpoint a bind resolved to, the bytes a raw
//! ZMTP peer sends, and kernel options read back from a connection's fd.
#![allow(dead_code)]

use zmq_core::socket::options;
use zmq_core::{Context, Msg, Socket, SocketType};

/// Sends `parts` as one multipart message.
pub fn send(s: &Socket, parts: &[&[u8]]) {
    for (i, p) in parts.iter().enumerate() {
        let flags = if i + 1 < parts.len() { 2 } else { 0 };
        s.send(&mut Msg::from_slice(p), flags).unwrap();
    }
}

/// Receives one whole multipart message.
pub fn recv(s: &Socket) -> Vec<Vec<u8>> {
    let mut parts = Vec::new();
    loop {
        let m = s.recv(0).unwrap();
        parts.push(m.data().to_vec());
        if !m.more() {
            return parts;
        }
    }
}

pub fn set_int(s: &Socket, opt: i32, v: i32) {
    s.set_option(opt, &v.to_ne_bytes()).unwrap();
}

/// ZMQ_LAST_ENDPOINT, without its terminating NUL.
pub fn last_endpoint(s: &Socket) -> String {
    let mut buf = [0u8; 256];
    let n = s.get_option(options::LAST_ENDPOINT, &mut buf).unwrap();
    String::from_utf8(buf[..n - 1].to_vec()).unwrap()
}

/// A ZMTP 3.1 greeting with the NULL mechanism, as a raw peer sends it.
pub fn raw_greeting() -> Vec<u8> {
    let mut g = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1];
    let mut mech = b"NULL".to_vec();
    mech.resize(20, 0);
    g.extend_from_slice(&mech);
    g.push(0);
    g.extend_from_slice(&[0; 31]);
    g
}

/// A READY command naming `socket_type`, as a raw peer sends it.
pub fn raw_ready(socket_type: &str) -> Vec<u8> {
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

/// Starts monitoring every event of `s` on `inproc://NAME`; returns the
/// PAIR that reads them (waiting at most 5 s for each).
pub fn watch(ctx: &Context, s: &Socket, name: &str) -> Socket {
    s.monitor(Some(&format!("inproc://{name}")), 0xffff)
        .unwrap();
    let pair = ctx.socket(SocketType::Pair).unwrap();
    set_int(&pair, options::RCVTIMEO, 5000);
    pair.connect(&format!("inproc://{name}")).unwrap();
    pair
}

/// The next monitor event: (event, value, endpoint), checked to come in
/// libzmq's two frames.
pub fn event(pair: &Socket) -> (u16, u32, String) {
    let head = pair.recv(0).expect("an event");
    assert!(head.more(), "events have two frames");
    assert_eq!(head.len(), 6);
    let d = head.data();
    let event = u16::from_ne_bytes([d[0], d[1]]);
    let value = u32::from_ne_bytes([d[2], d[3], d[4], d[5]]);
    let endpoint = pair.recv(0).unwrap();
    assert!(!endpoint.more());
    (
        event,
        value,
        String::from_utf8(endpoint.data().to_vec()).unwrap(),
    )
}

/// An int kernel option of the socket `fd` (a connection the monitor named).
pub fn sockopt(fd: i32, level: i32, name: i32) -> i32 {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: a valid out-pointer and length for an int option.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            level,
            name,
            &mut value as *mut _ as *mut libc::c_void,
            &mut len,
        )
    };
    assert_eq!(rc, 0, "getsockopt({fd})");
    value
}
