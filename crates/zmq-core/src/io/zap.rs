//! A connection's ZAP client: sends one RFC 27 request to the handler
//! socket bound at `inproc://zeromq.zap.01` in the socket's context and
//! collects the reply, waking the engine when it comes.

use crate::link::inproc::{ClientEnd, ZapHandle};
use crate::msg::Msg;
use crate::pipe::Waker;
use crate::zmtp::zap;
use crate::SocketType;

/// One request in flight.
pub struct ZapCall {
    end: ClientEnd,
    reply: Vec<Msg>,
}

/// What `ZapCall::poll` found.
pub enum Reply {
    /// Not here yet.
    Waiting,
    /// The whole reply, frames in order.
    Arrived(Vec<Msg>),
    /// The handler socket closed before answering.
    HandlerGone,
}

impl ZapCall {
    /// Sends `request` to the handler, if one (a REP or ROUTER, as libzmq
    /// requires) is bound; `waker` is woken when the reply is in.
    pub fn start(
        handle: &ZapHandle,
        request: &zap::Request,
        origin: &zap::Origin,
        waker: Waker,
    ) -> Option<ZapCall> {
        let registry = handle.0.upgrade()?;
        let end = registry.lock().connect_client(
            zap::ENDPOINT,
            &[SocketType::Rep, SocketType::Router],
            waker,
        )?;
        for frame in request.frames(origin) {
            end.tx.write(frame);
        }
        Some(ZapCall {
            end,
            reply: Vec::new(),
        })
    }

    pub fn poll(&mut self) -> Reply {
        // Looked at first: a reply sent before the handler went is in the
        // pipe by then.
        let gone = self.end.rx.is_closed() || self.end.peer_gone();
        while let Some(frame) = self.end.rx.read() {
            let last = !frame.more();
            self.reply.push(frame);
            if last {
                return Reply::Arrived(std::mem::take(&mut self.reply));
            }
        }
        if gone {
            Reply::HandlerGone
        } else {
            Reply::Waiting
        }
    }
}
