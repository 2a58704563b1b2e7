//! Who is at either end of an inproc pipe pair, so that the side that
//! goes can tell the other, and the pair's high-water marks follow both
//! sides' options (a pipe holds its writer's SNDHWM plus its reader's
//! RCVHWM, as in libzmq).

use super::{SocketCommand, SocketCore};
use crate::pipe::{Pipe, Waker};
use parking_lot::Mutex;
use std::sync::Arc;

/// Who is at either end of one inproc pipe pair, so the side that closes
/// can tell the other to detach. Slot 0 is the connecter, 1 the binder.
#[derive(Default)]
pub struct Ends {
    cores: Mutex<[Option<Arc<SocketCore>>; 2]>,
    /// A connecter that is no socket (see `connect_client`) is woken
    /// instead when the binder goes.
    client: Mutex<Waker>,
    /// Each side's (SNDHWM, RCVHWM), once known, and the pipe each side
    /// writes: a pipe holds its writer's SNDHWM plus its reader's RCVHWM
    /// (either 0: no limit), or its writer's alone while the reader is
    /// unknown (a connect before the bind), as in libzmq.
    marks: Mutex<Marks>,
}

#[derive(Default)]
struct Marks {
    of: [Option<(usize, usize)>; 2],
    pipes: Option<[Arc<Pipe>; 2]>,
}

impl Ends {
    /// Side `side` has these high-water marks (at connect, at bind, and
    /// whenever it sets ZMQ_SNDHWM or ZMQ_RCVHWM): the limits follow.
    pub fn set_marks(&self, side: usize, sndhwm: usize, rcvhwm: usize) {
        let mut m = self.marks.lock();
        m.of[side] = Some((sndhwm, rcvhwm));
        let Some(pipes) = &m.pipes else {
            return;
        };
        for (writer, pipe) in pipes.iter().enumerate() {
            let limit = match (m.of[writer], m.of[1 - writer]) {
                _ if pipe.is_conflating() => continue,
                (Some((snd, _)), Some((_, rcv))) => hwm(snd, rcv),
                (Some((snd, _)), None) => snd,
                (None, Some((_, rcv))) => rcv,
                (None, None) => continue,
            };
            pipe.set_hwm(limit);
        }
    }

    /// Side `side` is gone: the other side (if any) detaches pipe `id`.
    pub fn close(&self, side: usize, id: u64) {
        let other = {
            let mut cores = self.cores.lock();
            cores[side] = None;
            cores[1 - side].clone()
        };
        match other {
            Some(core) => core.command(SocketCommand::Detach(id)),
            None if side == 1 => std::mem::take(&mut *self.client.lock()).wake(),
            None => {}
        }
    }

    pub fn binder_gone(&self) -> bool {
        self.cores.lock()[1].is_none()
    }

    /// Side `side` is this socket now.
    pub fn set_core(&self, side: usize, core: Arc<SocketCore>) {
        self.cores.lock()[side] = Some(core);
    }

    /// The connecter is no socket: `waker` is woken when the binder goes.
    pub fn set_client(&self, waker: Waker) {
        *self.client.lock() = waker;
    }

    /// The pipes each side writes (the connecter's first).
    pub fn set_pipes(&self, pipes: [Arc<Pipe>; 2]) {
        self.marks.lock().pipes = Some(pipes);
    }
}

/// libzmq's inproc high-water mark: the writer's send mark plus the
/// reader's receive mark, unlimited if either is.
fn hwm(send: usize, recv: usize) -> usize {
    if send == 0 || recv == 0 {
        0
    } else {
        send + recv
    }
}
