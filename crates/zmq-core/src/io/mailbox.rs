//! An I/O thread's mailbox: commands from sockets and pipe activations,
//! with one wake-up of the poll loop when the mailbox turns non-empty.

use super::link::EngineLink;
use crate::pipe::Pipe;
use crate::socket::core::{ConnOptions, SocketCore};
use crate::transport::tcp::TcpEndpoint;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;

/// The pipes a socket pre-creates for a connecting endpoint, so messages can
/// queue before (and between) connections.
#[derive(Clone)]
pub struct EnginePipes {
    pub id: u64,
    /// Frames the engine reads and sends to the peer.
    pub outbound: Arc<Pipe>,
    /// Frames the engine received, for the socket.
    pub inbound: Arc<Pipe>,
    /// Where the socket finds the engine behind these pipes.
    pub link: Arc<EngineLink>,
}

pub enum IoCommand {
    /// Accept connections on a bound listener.
    Listen {
        listener: mio::net::TcpListener,
        socket: Arc<SocketCore>,
        opts: ConnOptions,
        endpoint_id: u64,
    },
    /// Keep a connection to `endpoint` up, reconnecting as needed.
    Connect {
        endpoint: TcpEndpoint,
        socket: Arc<SocketCore>,
        opts: ConnOptions,
        endpoint_id: u64,
        pipes: Option<EnginePipes>,
    },
    /// A pipe of the entry with this token changed state.
    Activate(usize),
    /// zmq_unbind / zmq_disconnect: drop what this endpoint created.
    CloseEndpoint { socket_id: u64, endpoint_id: u64 },
    /// The socket is closed: flush within `linger` (None: no limit), then drop.
    SocketClosed {
        socket_id: u64,
        linger: Option<Duration>,
    },
    /// The context terminates: exit once nothing lingers.
    Stop,
}

pub struct IoMailbox {
    commands: Mutex<Vec<IoCommand>>,
    waker: mio::Waker,
}

impl IoMailbox {
    pub fn new(waker: mio::Waker) -> IoMailbox {
        IoMailbox {
            commands: Mutex::new(Vec::new()),
            waker,
        }
    }

    pub fn send(&self, cmd: IoCommand) {
        let was_empty = {
            let mut q = self.commands.lock();
            q.push(cmd);
            q.len() == 1
        };
        if was_empty {
            let _ = self.waker.wake();
        }
    }

    pub fn activate(&self, token: usize) {
        self.send(IoCommand::Activate(token));
    }

    /// Moves the queued commands into `out` (empty), swapping buffers so
    /// neither side allocates in steady state.
    pub fn take_into(&self, out: &mut Vec<IoCommand>) {
        std::mem::swap(&mut *self.commands.lock(), out);
    }
}
