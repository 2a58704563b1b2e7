//! inproc://: sockets of one context joined directly by a pipe pair, with
//! no engine and no I/O thread. Bind and connect work in either order: a
//! connect to a name not yet bound queues its pipes, and the bind later
//! hands the binder its ends.

use crate::error::{Error, Result};
use crate::link::{
    next_pipe_id, ConnOptions, Ends, EngineLink, PipeEnd, SocketCommand, SocketCore,
};
use crate::pipe::{pipe, Reader, Waker, Writer};
use crate::SocketType;
use bytes::Bytes;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, Weak};

/// One side of an inproc connection: its socket and its options at the
/// time of bind or connect.
#[derive(Clone)]
pub struct Peer {
    pub core: Arc<SocketCore>,
    pub opts: ConnOptions,
}

/// A non-socket client's end of an inproc pipe pair (see
/// `Registry::connect_client`); dropping it detaches the bound socket's end.
pub struct ClientEnd {
    id: u64,
    /// We write requests here.
    pub tx: Writer,
    /// The bound socket's replies arrive here.
    pub rx: Reader,
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
        self.ends.set_client(Waker::nobody());
        self.tx.close();
        self.rx.close();
        self.ends.close(0, self.id);
    }
}

/// Where a connection finds its context's ZAP handler: the context's
/// inproc names (the context may be gone by the time a handshake asks:
/// then there is no handler).
#[derive(Clone, Default)]
pub struct ZapHandle(pub Weak<Mutex<Registry>>);

impl std::fmt::Debug for ZapHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ZapHandle")
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

/// A pipe pair between `c` (connecter) and `b` (binder): the connecter's
/// end and the binder's end.
fn pair(c: &Peer, b: Option<&Peer>, ends: &Arc<Ends>) -> (PipeEnd, PipeEnd) {
    let id = next_pipe_id();
    // (A binder not known yet conflates nothing and has no routing id.)
    let (b_in, b_out) = b.map_or((false, false), |b| {
        (b.opts.conflate_in, b.opts.conflate_out)
    });
    let (c_tx, b_rx) = pipe(0, c.opts.conflate_out || b_in);
    let (b_tx, c_rx) = pipe(0, b_out || c.opts.conflate_in);
    ends.set_pipes([c_tx.shared(), b_tx.shared()]);
    ends.set_marks(0, c.opts.sndhwm, c.opts.rcvhwm);
    if let Some(b) = b {
        ends.set_marks(1, b.opts.sndhwm, b.opts.rcvhwm);
    }
    c.core.plug(id, &c_tx, &c_rx);
    if let Some(b) = b {
        b.core.plug(id, &b_tx, &b_rx);
    }
    let c_end = PipeEnd {
        id,
        tx: c_tx,
        rx: c_rx,
        routing_id: b.map(|b| b.opts.routing_id.clone()).unwrap_or_default(),
        link: EngineLink::new(),
        inproc: Some((ends.clone(), 0)),
    };
    let b_end = PipeEnd {
        id,
        tx: b_tx,
        rx: b_rx,
        routing_id: c.opts.routing_id.clone(),
        link: EngineLink::new(),
        inproc: Some((ends.clone(), 1)),
    };
    (c_end, b_end)
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
            binder.core.plug(p.end.id, &p.end.tx, &p.end.rx);
            p.ends.set_core(1, binder.core.clone());
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
        ends.set_core(0, connecter.core.clone());
        match self.bound.get(name) {
            Some(binder) => {
                let (c_end, b_end) = pair(&connecter, Some(binder), &ends);
                ends.set_core(1, binder.core.clone());
                binder.core.command(SocketCommand::Attach(b_end));
                Ok(c_end)
            }
            None => {
                // The binder is not known yet.
                let (c_end, b_end) = pair(&connecter, None, &ends);
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
        let (tx, b_rx) = pipe(0, false);
        let (b_tx, rx) = pipe(0, false);
        rx.set_reader(reader.clone());
        binder.core.plug(id, &b_tx, &b_rx);
        let ends = Arc::new(Ends::default());
        ends.set_core(1, binder.core.clone());
        ends.set_client(reader.clone());
        binder.core.command(SocketCommand::Attach(PipeEnd {
            id,
            tx: b_tx,
            rx: b_rx,
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
