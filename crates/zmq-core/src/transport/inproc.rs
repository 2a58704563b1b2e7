//! inproc://: sockets of one context joined directly by a pipe pair, with
//! no engine and no I/O thread. Bind and connect work in either order: a
//! connect to a name not yet bound queues its pipes, and the bind later
//! hands the binder its ends.

use crate::error::{Error, Result};
use crate::io::link::EngineLink;
use crate::pipe::{Pipe, Waker};
use crate::socket::core::{next_pipe_id, ConnOptions, PipeEnd, SocketCommand, SocketCore};
use crate::SocketType;
use bytes::Bytes;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

/// One side of an inproc connection: its socket and its options at the
/// time of bind or connect.
#[derive(Clone)]
pub struct Peer {
    pub core: Arc<SocketCore>,
    pub opts: ConnOptions,
}

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

    fn binder_gone(&self) -> bool {
        self.cores.lock()[1].is_none()
    }
}

/// A non-socket client's end of an inproc pipe pair (see
/// `Registry::connect_client`); dropping it detaches the bound socket's end.
pub struct ClientEnd {
    id: u64,
    /// We write requests here.
    pub tx: Arc<Pipe>,
    /// The bound socket's replies arrive here.
    pub rx: Arc<Pipe>,
    ends: Arc<Ends>,
}

impl ClientEnd {
    /// Whether the bound socket has closed.
    pub fn peer_gone(&self) -> bool {
        self.ends.binder_gone()
    }
}

impl Drop for ClientEnd {
    fn drop(&mut self) {
        // We are gone: nobody to wake.
        self.rx.set_reader(Waker::nobody());
        *self.ends.client.lock() = Waker::nobody();
        self.tx.close();
        self.rx.close();
        self.ends.close(0, self.id);
    }
}

struct Pending {
    /// The binder's ends, made at connect time.
    end: PipeEnd,
    ends: Arc<Ends>,
    connecter: Peer,
}

#[derive(Default)]
pub struct Registry {
    bound: HashMap<String, Peer>,
    pending: HashMap<String, Vec<Pending>>,
}

fn check_name(name: &str) -> Result<()> {
    // Any length goes, as in libzmq; only the empty name is refused.
    if name.is_empty() {
        return Err(Error::Invalid);
    }
    Ok(())
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

/// A pipe pair between `c` (connecter) and `b` (binder): the connecter's
/// end and the binder's end.
fn pair(
    c: &Peer,
    b_opts: &ConnOptions,
    b_core: Option<&Arc<SocketCore>>,
    ends: &Arc<Ends>,
) -> (PipeEnd, PipeEnd) {
    let id = next_pipe_id();
    let c2b = Pipe::with_limit(0, c.opts.conflate_out || b_opts.conflate_in);
    let b2c = Pipe::with_limit(0, b_opts.conflate_out || c.opts.conflate_in);
    ends.marks.lock().pipes = Some([c2b.clone(), b2c.clone()]);
    ends.set_marks(0, c.opts.sndhwm, c.opts.rcvhwm);
    if b_core.is_some() {
        ends.set_marks(1, b_opts.sndhwm, b_opts.rcvhwm);
    }
    c.core.plug(id, &c2b, &b2c);
    if let Some(b) = b_core {
        plug_binder(&c2b, &b2c, b, id);
    }
    let c_end = PipeEnd {
        id,
        tx: c2b.clone(),
        rx: b2c.clone(),
        routing_id: b_opts.routing_id.clone(),
        link: EngineLink::new(),
        inproc: Some((ends.clone(), 0)),
    };
    let b_end = PipeEnd {
        id,
        tx: b2c,
        rx: c2b,
        routing_id: c.opts.routing_id.clone(),
        link: EngineLink::new(),
        inproc: Some((ends.clone(), 1)),
    };
    (c_end, b_end)
}

fn plug_binder(c2b: &Arc<Pipe>, b2c: &Arc<Pipe>, b: &Arc<SocketCore>, id: u64) {
    b.plug(id, b2c, c2b);
}

impl Registry {
    /// Binds `name`; connects made earlier are handed to the binder now.
    pub fn bind(&mut self, name: &str, binder: Peer) -> Result<()> {
        check_name(name)?;
        if self.bound.contains_key(name) {
            return Err(Error::AddrInUse);
        }
        // As in libzmq, inproc peers are not checked for compatible types
        // (only the ZMTP handshake does that).
        for p in self.pending.remove(name).unwrap_or_default() {
            // The pipes had the connecter's marks only; as libzmq does at
            // bind time, ours are added now.
            p.ends.set_marks(1, binder.opts.sndhwm, binder.opts.rcvhwm);
            // And the connecter learns who we are.
            if !binder.opts.routing_id.is_empty() {
                p.connecter.core.command(SocketCommand::PeerRoutingId(
                    p.end.id,
                    binder.opts.routing_id.clone(),
                ));
            }
            plug_binder(&p.end.rx, &p.end.tx, &binder.core, p.end.id);
            p.ends.cores.lock()[1] = Some(binder.core.clone());
            binder.core.command(SocketCommand::Attach(p.end));
        }
        self.bound.insert(name.to_string(), binder);
        Ok(())
    }

    /// Connects to `name`, returning the connecter's end to attach. An
    /// unknown name is connected once it is bound.
    pub fn connect(&mut self, name: &str, connecter: Peer) -> Result<PipeEnd> {
        check_name(name)?;
        let ends = Arc::new(Ends::default());
        ends.cores.lock()[0] = Some(connecter.core.clone());
        match self.bound.get(name) {
            Some(binder) => {
                let (c_end, b_end) = pair(&connecter, &binder.opts, Some(&binder.core), &ends);
                ends.cores.lock()[1] = Some(binder.core.clone());
                binder.core.command(SocketCommand::Attach(b_end));
                Ok(c_end)
            }
            None => {
                // The binder's options are not known yet.
                let unknown = ConnOptions::new(connecter.opts.socket_type);
                let (c_end, b_end) = pair(&connecter, &unknown, None, &ends);
                self.pending
                    .entry(name.to_string())
                    .or_default()
                    .push(Pending {
                        end: b_end,
                        ends,
                        connecter,
                    });
                Ok(c_end)
            }
        }
    }

    /// Joins a pipe pair to the socket bound at `name`, for a client that
    /// is not a socket (a connection asking its ZAP handler): only if the
    /// name is bound now, by a socket of one of the `accepted` types.
    /// `reader` is woken when the bound socket answers. Returns our end.
    pub fn connect_client(
        &self,
        name: &str,
        accepted: &[SocketType],
        reader: Waker,
    ) -> Option<ClientEnd> {
        let binder = self.bound.get(name)?;
        if !accepted.contains(&binder.opts.socket_type) {
            return None;
        }
        let id = next_pipe_id();
        let tx = Pipe::new(0);
        let rx = Pipe::new(0);
        rx.set_reader(reader.clone());
        plug_binder(&tx, &rx, &binder.core, id);
        let ends = Arc::new(Ends::default());
        ends.cores.lock()[1] = Some(binder.core.clone());
        *ends.client.lock() = reader.clone();
        binder.core.command(SocketCommand::Attach(PipeEnd {
            id,
            tx: rx.clone(),
            rx: tx.clone(),
            routing_id: Bytes::new(),
            link: EngineLink::new(),
            inproc: Some((ends.clone(), 1)),
        }));
        Some(ClientEnd { id, tx, rx, ends })
    }

    /// Removes `name` if `socket_id` bound it.
    pub fn unbind(&mut self, name: &str, socket_id: u64) -> Result<()> {
        match self.bound.get(name) {
            Some(p) if p.core.id == socket_id => {
                self.bound.remove(name);
                Ok(())
            }
            _ => Err(Error::NotFound),
        }
    }

    /// Forgets every name a closing socket bound, and its pending connects.
    pub fn forget(&mut self, socket_id: u64) {
        self.bound.retain(|_, p| p.core.id != socket_id);
        for list in self.pending.values_mut() {
            list.retain(|p| p.connecter.core.id != socket_id || p.end.rx.has_message());
        }
        self.pending.retain(|_, list| !list.is_empty());
    }

    pub fn clear(&mut self) {
        self.bound.clear();
        self.pending.clear();
    }
}
