//! What waits to be written to the wire, sans-IO: bytes encoded into one
//! buffer, and ahead of them closed-off pieces and large bodies queued
//! without a copy, all written with one vectored write.

use bytes::{Buf, Bytes, BytesMut};
use std::collections::VecDeque;
use std::io::{self, IoSlice, Write};
use std::ops::{Deref, DerefMut};

#[derive(Debug, Default)]
pub struct Output {
    /// Encoded bytes, written after `chunks`. (The output derefs to it, so
    /// encoders append to it directly.)
    out: BytesMut,
    /// Closed-off pieces and large bodies, in order.
    chunks: VecDeque<Bytes>,
    /// Bytes in `chunks`.
    chunked: usize,
}

impl Deref for Output {
    type Target = BytesMut;

    fn deref(&self) -> &BytesMut {
        &self.out
    }
}

impl DerefMut for Output {
    fn deref_mut(&mut self) -> &mut BytesMut {
        &mut self.out
    }
}

impl Output {
    pub fn with_capacity(capacity: usize) -> Output {
        Output {
            out: BytesMut::with_capacity(capacity),
            ..Output::default()
        }
    }

    /// Queues `body` after what is encoded so far, without copying it.
    pub fn push_shared(&mut self, body: Bytes) {
        let head = self.out.split().freeze();
        self.chunked += head.len() + body.len();
        if !head.is_empty() {
            self.chunks.push_back(head);
        }
        self.chunks.push_back(body);
    }

    /// How many bytes wait to be written.
    pub fn pending(&self) -> usize {
        self.chunked + self.out.len()
    }

    /// All bytes waiting, as one buffer (queued bodies are copied into
    /// it); the caller advances past what it wrote. Drivers that care
    /// about copies use `write_to` instead.
    pub fn flatten(&mut self) -> &mut BytesMut {
        if !self.chunks.is_empty() {
            let mut all = BytesMut::with_capacity(self.pending());
            for c in self.chunks.drain(..) {
                all.extend_from_slice(&c);
            }
            all.extend_from_slice(&self.out);
            self.out = all;
            self.chunked = 0;
        }
        &mut self.out
    }

    /// Writes what waits with one vectored write; returns the bytes
    /// written (`Ok(0)` only when nothing was pending).
    pub fn write_to(&mut self, w: &mut impl Write) -> io::Result<usize> {
        const MAX_SLICES: usize = 64;
        let mut slices = [IoSlice::new(&[]); MAX_SLICES];
        let mut used = 0;
        for c in self.chunks.iter().take(MAX_SLICES - 1) {
            slices[used] = IoSlice::new(c);
            used += 1;
        }
        // `out` follows the chunks: only if all of them fit this time.
        if !self.out.is_empty() && self.chunks.len() < MAX_SLICES {
            slices[used] = IoSlice::new(&self.out);
            used += 1;
        }
        if used == 0 {
            return Ok(0);
        }
        let mut n = w.write_vectored(&slices[..used])?;
        let written = n;
        while n > 0 {
            match self.chunks.front_mut() {
                Some(c) if c.len() <= n => {
                    n -= c.len();
                    self.chunked -= c.len();
                    self.chunks.pop_front();
                }
                Some(c) => {
                    c.advance(n);
                    self.chunked -= n;
                    n = 0;
                }
                None => {
                    self.out.advance(n);
                    n = 0;
                }
            }
        }
        Ok(written)
    }
}
