//! Helpers shared by the cross-layer tests: whole multipart messages in and
//! out, int options, and the endpoint a bind resolved to.
#![allow(dead_code)]

use zmq_core::socket::options;
use zmq_core::{Msg, Socket};

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
