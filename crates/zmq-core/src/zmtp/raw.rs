//! The raw protocol of a STREAM socket's connections: no ZMTP at all. The
//! connection is ready at once; whatever bytes arrive together are one
//! message, and what the socket sends goes out as it is. An empty message
//! asks to close the connection once what was sent before it is written
//! (libzmq's STREAM rule).

use super::input::Input;
use super::output::Output;
use super::session::{Event, PeerInfo};
use crate::msg::Msg;
use crate::SocketType;
use std::io::{self, Write};
use std::mem::MaybeUninit;

/// Bodies from this size on are written from their own buffer.
const ZERO_COPY_MIN: usize = super::session::ZERO_COPY_MIN;

#[derive(Debug)]
pub struct Raw {
    input: Input,
    out: Output,
    /// `Ready` was handed out.
    announced: bool,
    /// The application asked (with an empty message) to close.
    close_requested: bool,
    peer: PeerInfo,
}

impl Default for Raw {
    fn default() -> Raw {
        Raw {
            input: Input::default(),
            out: Output::default(),
            announced: false,
            close_requested: false,
            peer: PeerInfo {
                socket_type: SocketType::Stream,
                routing_id: None,
                minor: 0,
                properties: Vec::new(),
            },
        }
    }
}

impl Raw {
    /// Where the next read lands.
    pub fn read_buffer(&mut self) -> &mut [MaybeUninit<u8>] {
        self.input.space(None)
    }

    /// The driver's read put `n` bytes into the space `read_buffer` gave.
    ///
    /// # Safety
    /// Those `n` bytes were written.
    pub unsafe fn commit_read(&mut self, n: usize) {
        // SAFETY: as the caller promises (and no large frames here).
        unsafe { self.input.filled(n) };
    }

    pub fn discard_input(&mut self) {
        self.input.buf.clear();
    }

    /// Ready first; then what arrived, as one message.
    pub fn poll_input(&mut self) -> Option<Event> {
        if !self.announced {
            self.announced = true;
            return Some(Event::Ready);
        }
        let input = &mut self.input.buf;
        (!input.is_empty()).then(|| Event::Message(Msg::from_bytes(input.split().freeze())))
    }

    /// Queues a body as it is; an empty one asks to close, and nothing
    /// after it is sent.
    pub fn send(&mut self, msg: &Msg) {
        if self.close_requested {
            return;
        }
        if msg.is_empty() {
            self.close_requested = true;
        } else if msg.len() < ZERO_COPY_MIN {
            self.out.extend_from_slice(msg.data());
        } else {
            self.out.push_shared(msg.to_bytes());
        }
    }

    pub fn pending_output(&self) -> usize {
        self.out.pending()
    }

    pub fn write_to(&mut self, w: &mut impl Write) -> io::Result<usize> {
        self.out.write_to(w)
    }

    /// The application asked to close: the driver closes the connection
    /// once `pending_output` is 0.
    pub fn close_requested(&self) -> bool {
        self.close_requested
    }

    pub fn peer(&self) -> &PeerInfo {
        &self.peer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_at_once_then_each_arrival_is_one_message() {
        let mut raw = Raw::default();
        assert!(matches!(raw.poll_input(), Some(Event::Ready)));
        assert!(raw.poll_input().is_none());
        for piece in [&b"GET / HTTP/1.0\r\n"[..], b"\r\n"] {
            let space = raw.read_buffer();
            for (dst, &b) in space.iter_mut().zip(piece) {
                dst.write(b);
            }
            // SAFETY: the loop above wrote those bytes.
            unsafe { raw.commit_read(piece.len()) };
        }
        let Some(Event::Message(m)) = raw.poll_input() else {
            panic!("no message");
        };
        assert_eq!(m.data(), b"GET / HTTP/1.0\r\n\r\n");
        assert!(raw.poll_input().is_none());
    }

    #[test]
    fn bodies_go_out_as_they_are_until_an_empty_one_asks_to_close() {
        let mut raw = Raw::default();
        raw.send(&Msg::from_slice(b"HTTP/1.0 200 OK\r\n"));
        raw.send(&Msg::from_slice(&vec![b'x'; 20_000]));
        assert!(!raw.close_requested());
        raw.send(&Msg::new());
        raw.send(&Msg::from_slice(b"too late"));
        assert!(raw.close_requested());
        let mut wire = Vec::new();
        while raw.pending_output() > 0 {
            raw.write_to(&mut wire).unwrap();
        }
        assert_eq!(wire.len(), 17 + 20_000);
        assert!(wire.starts_with(b"HTTP/1.0 200 OK\r\nxxx"));
    }
}
