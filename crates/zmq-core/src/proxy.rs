//! zmq_proxy and zmq_proxy_steerable: shuttle whole messages between a
//! frontend and a backend socket (both ways), copying each to a capture
//! socket if there is one, until the context terminates or a control
//! socket says TERMINATE (it may also PAUSE, RESUME and ask for STATISTICS).

use crate::error::{Error, Result};
use crate::poll::{poll, PollItem, PollTarget};
use crate::socket::{Socket, DONTWAIT, POLLIN, POLLOUT, SNDMORE};

/// Whole messages moved one way per look at the sockets, at most (as
/// libzmq): a busy direction goes on without a poll per message, and the
/// other direction and the control socket still get their turn.
const BURST: usize = 1000;

/// Messages and bytes through one socket, each way (STATISTICS).
#[derive(Default, Clone, Copy)]
struct Counts {
    msgs_in: u64,
    bytes_in: u64,
    msgs_out: u64,
    bytes_out: u64,
}

/// Moves whole messages from `from` to `to` (and copies to `capture`):
/// those waiting, up to `BURST`.
fn forward(
    from: &Socket,
    to: &Socket,
    capture: Option<&Socket>,
    counts: (&mut Counts, &mut Counts),
) -> Result<()> {
    let (inbound, outbound) = counts;
    for _ in 0..BURST {
        match from.recv(DONTWAIT) {
            Ok(first) => forward_one(first, from, to, capture, inbound, outbound)?,
            Err(Error::Again) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Moves the message whose first frame is `msg` (its other frames are
/// there: messages arrive whole).
fn forward_one(
    mut msg: crate::Msg,
    from: &Socket,
    to: &Socket,
    capture: Option<&Socket>,
    inbound: &mut Counts,
    outbound: &mut Counts,
) -> Result<()> {
    loop {
        let more = msg.more();
        let flags = if more { SNDMORE } else { 0 };
        let len = msg.len() as u64;
        if let Some(c) = capture {
            c.send(&mut msg.copy(), flags)?;
        }
        to.send(&mut msg, flags)?;
        inbound.bytes_in += len;
        outbound.bytes_out += len;
        if !more {
            inbound.msgs_in += 1;
            outbound.msgs_out += 1;
            return Ok(());
        }
        msg = from.recv(0)?;
    }
}

/// Watches `s` for input.
fn item(s: &Socket) -> PollItem<'_> {
    PollItem {
        target: PollTarget::Socket(s),
        events: POLLIN,
        revents: 0,
    }
}

fn statistics(control: &Socket, front: Counts, back: Counts) -> Result<()> {
    let values = [
        front.msgs_in,
        front.bytes_in,
        front.msgs_out,
        front.bytes_out,
        back.msgs_in,
        back.bytes_in,
        back.msgs_out,
        back.bytes_out,
    ];
    for (i, v) in values.iter().enumerate() {
        let flags = if i + 1 < values.len() { SNDMORE } else { 0 };
        control.send(&mut crate::Msg::from_slice(&v.to_ne_bytes()), flags)?;
    }
    Ok(())
}

/// Runs the proxy. Returns Ok after TERMINATE on `control`, and the error
/// (ETERM when the context is terminated) otherwise.
pub fn proxy(
    frontend: &Socket,
    backend: &Socket,
    capture: Option<&Socket>,
    control: Option<&Socket>,
) -> Result<()> {
    let mut paused = false;
    let (mut front, mut back) = (Counts::default(), Counts::default());
    // Control first, then frontend and backend; a proxy without control
    // starts at the frontend.
    let mut items = [
        item(control.unwrap_or(frontend)),
        item(frontend),
        item(backend),
    ];
    let first = if control.is_some() { 0 } else { 1 };
    loop {
        // A side is read only while the other can take what it reads (as
        // libzmq): a full or peerless destination leaves messages queued
        // where they are, and the proxy waits for room, never blocking in
        // a send, so the control socket is always heard.
        // One socket on both sides (a REP echoing) has room once it has
        // read: it is never held back.
        let same = std::ptr::eq(frontend, backend);
        let front_room = same || frontend.events()? & POLLOUT != 0;
        let back_room = same || backend.events()? & POLLOUT != 0;
        items[1].events = interest(back_room, front_room);
        items[2].events = interest(front_room, back_room);
        let last = if paused { first.max(1) } else { 3 };
        let watched = &mut items[first..last];
        for i in watched.iter_mut() {
            i.revents = 0;
        }
        poll(watched, -1)?;
        let mut ready = watched.iter().map(|i| i.revents & POLLIN != 0);
        if let Some(c) = control {
            if ready.next() == Some(true) {
                let command = c.recv(0)?;
                match command.data() {
                    b"PAUSE" => paused = true,
                    b"RESUME" => paused = false,
                    b"TERMINATE" => return Ok(()),
                    b"STATISTICS" => statistics(c, front, back)?,
                    _ => return Err(Error::Invalid),
                }
                continue;
            }
        }
        if ready.next() == Some(true) && back_room {
            forward(frontend, backend, capture, (&mut front, &mut back))?;
        }
        if ready.next() == Some(true) && front_room {
            forward(backend, frontend, capture, (&mut back, &mut front))?;
        }
    }
}

/// What to watch on one side: input while the other side has room, and
/// room on this side (to be told when it comes) while it has none.
fn interest(other_has_room: bool, has_room: bool) -> i16 {
    let input = if other_has_room { POLLIN } else { 0 };
    let room = if has_room { 0 } else { POLLOUT };
    input | room
}
