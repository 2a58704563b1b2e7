//! A bound tcp listener: every accepted stream becomes an engine.

use crate::socket::core::{ConnOptions, SocketCore};
use std::sync::Arc;

pub struct Listener {
    pub listener: mio::net::TcpListener,
    pub socket: Arc<SocketCore>,
    pub opts: ConnOptions,
    pub endpoint_id: u64,
}
