//! A bound listener (tcp or ipc): every accepted stream becomes an engine.

use crate::link::{ConnOptions, SocketCore};
use std::sync::Arc;

pub struct Listener {
    pub listener: crate::transport::stream::Acceptor,
    pub socket: Arc<SocketCore>,
    pub opts: ConnOptions,
    pub endpoint_id: u64,
}
