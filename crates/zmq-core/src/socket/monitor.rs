//! zmq_socket_monitor: events about a socket's endpoints and connections,
//! sent in libzmq's two-frame format (a 6-byte frame holding the event as
//! a u16 and its value as a u32, in host byte order, then the endpoint)
//! to a PAIR socket bound on an inproc endpoint the application chose.

use super::{Socket, DONTWAIT, SNDMORE};
pub(crate) use crate::link::events::EventSink;
pub use crate::link::events::{
    ACCEPTED, ACCEPT_FAILED, BIND_FAILED, CLOSED, CLOSE_FAILED, CONNECTED, CONNECT_DELAYED,
    CONNECT_RETRIED, DISCONNECTED, HANDSHAKE_FAILED_AUTH, HANDSHAKE_FAILED_NO_DETAIL,
    HANDSHAKE_FAILED_PROTOCOL, HANDSHAKE_SUCCEEDED, LISTENING, MONITOR_STOPPED,
};
use crate::msg::Msg;

pub(crate) struct Monitor {
    socket: Socket,
    events: u32,
}

impl Monitor {
    /// Watches for the events in `events` through `socket` (a bound PAIR).
    pub fn new(socket: Socket, events: u32) -> Monitor {
        Monitor { socket, events }
    }
}

impl EventSink for Monitor {
    /// Sends one event, unless it is masked out or the reader is too slow
    /// (events are dropped rather than block the socket, as libzmq).
    fn emit(&self, event: u16, value: u32, endpoint: &str) {
        if self.events & event as u32 == 0 {
            return;
        }
        let mut head = [0u8; 6];
        head[..2].copy_from_slice(&event.to_ne_bytes());
        head[2..].copy_from_slice(&value.to_ne_bytes());
        if self
            .socket
            .send(&mut Msg::from_slice(&head), DONTWAIT | SNDMORE)
            .is_ok()
        {
            let _ = self
                .socket
                .send(&mut Msg::from_slice(endpoint.as_bytes()), DONTWAIT);
        }
    }
}

/// The next event's number, read from a monitor's PAIR (for tests).
#[cfg(test)]
pub(crate) fn next_event(monitor: &Socket) -> u16 {
    let first = monitor.recv(0).unwrap();
    monitor.recv(0).unwrap();
    u16::from_ne_bytes([first.data()[0], first.data()[1]])
}
