//! STREAM (libzmq's raw TCP socket): each connection is a peer with a
//! generated routing id (or ZMQ_CONNECT_ROUTING_ID's); what a peer sends
//! arrives as [id, bytes], and [id, bytes] writes the bytes to it. An empty
//! body closes that connection; with ZMQ_STREAM_NOTIFY the connection and
//! its end arrive as [id, ""] (written by the connection itself, so they
//! keep their place among the data).

use super::fq::FairQueue;
use super::options::{self, ROUTING_ID};
use super::pattern::Pattern;
use super::pipes::PipeSet;
use super::router::{envelope, IdSource};
use crate::error::{Error, Result};
use crate::link::PipeEnd;
use crate::msg::Msg;
use bytes::Bytes;
use std::collections::HashMap;

#[derive(Default)]
pub struct Stream {
    pipes: PipeSet,
    fq: FairQueue,
    ids: HashMap<Bytes, u64>,
    /// The body whose routing id frame was just returned.
    prefetched: Option<Msg>,
    /// After a routing id frame: where the body goes (None: dropped).
    out: Option<Option<u64>>,
    next_id: IdSource,
    /// The id given to the newest peer: libzmq's STREAM answers
    /// ZMQ_ROUTING_ID with it (a client learns its server's id so).
    newest: Option<Bytes>,
}

impl Stream {
    /// The next frame for `Pattern::recv`.
    fn next_frame(&mut self) -> Result<Msg> {
        if let Some(m) = self.prefetched.take() {
            return Ok(m);
        }
        let (mut body, pipe) = self.fq.recv(&mut self.pipes).ok_or(Error::Again)?;
        body.set_more(false);
        let routing_id = self
            .pipes
            .get(pipe)
            .map(|p| p.routing_id.clone())
            .unwrap_or_default();
        let id = envelope(routing_id, &body);
        self.prefetched = Some(body);
        Ok(id)
    }
}

impl Pattern for Stream {
    fn pipes(&self) -> &PipeSet {
        &self.pipes
    }

    fn attach(&mut self, mut pipe: PipeEnd) {
        // ZMQ_CONNECT_ROUTING_ID names it, unless the name is taken.
        if pipe.routing_id.is_empty() || self.ids.contains_key(&pipe.routing_id) {
            pipe.routing_id = self.next_id.fresh(&self.ids);
        }
        self.ids.insert(pipe.routing_id.clone(), pipe.id);
        self.newest = Some(pipe.routing_id.clone());
        self.fq.activate(pipe.id);
        self.pipes.attach(pipe);
    }

    fn activated(&mut self, id: u64) {
        self.fq.activate(id);
    }

    fn detach(&mut self, id: u64) {
        if let Some(p) = self.pipes.get(id) {
            if self.ids.get(&p.routing_id) == Some(&id) {
                self.ids.remove(&p.routing_id);
            }
        }
        self.pipes.detach(id);
    }

    /// As libzmq: the first frame names the peer (with MORE; an unknown
    /// name is EHOSTUNREACH, a full connection EAGAIN); the next frame is
    /// the body, its MORE flag ignored.
    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        let Some(target) = self.out else {
            let mut target = None;
            if msg.more() {
                let p = self.ids.get(msg.data()).and_then(|&id| self.pipes.get(id));
                match p {
                    Some(p) if p.tx.check_write() => target = Some(p.id),
                    Some(_) => return Err(Error::Again),
                    None => return Err(Error::HostUnreachable),
                }
            }
            *msg = Msg::new();
            self.out = Some(target);
            return Ok(());
        };
        self.out = None;
        let mut body = std::mem::take(msg);
        body.set_more(false);
        if let Some(p) = target.and_then(|id| self.pipes.get(id)) {
            p.tx.write(body);
        }
        Ok(())
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        *msg = self.next_frame()?;
        Ok(())
    }

    fn has_in(&mut self) -> bool {
        self.prefetched.is_some() || self.fq.has_in(&self.pipes)
    }

    fn has_out(&mut self) -> bool {
        true
    }

    fn get_option(&self, option: i32, buf: &mut [u8]) -> Result<usize> {
        match (&self.newest, option) {
            (Some(id), ROUTING_ID) => options::put(buf, id),
            _ => Err(Error::NotFound),
        }
    }
}
