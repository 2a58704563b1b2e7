//! Security mechanisms: the command exchange between the greeting and
//! traffic. Each is a pure state machine fed one handshake command at a
//! time; it writes its replies to the output buffer it is given and ends by
//! handing the session the peer's validated metadata.

pub mod null;

pub use null::Null;

use bytes::Bytes;

use super::command::{Metadata, IDENTITY, SOCKET_TYPE};
use super::ProtocolError;
use crate::SocketType;

/// Outcome of one handshake command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The handshake needs more commands from the peer.
    Continue,
    /// The handshake is over; traffic may flow.
    Done(PeerMetadata),
}

/// The peer's metadata, validated against our socket type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerMetadata {
    pub socket_type: SocketType,
    pub metadata: Metadata,
}

/// The metadata we announce: our Socket-Type, and our Identity for the
/// types a ROUTER may address by it (what libzmq sends, even when empty).
pub fn our_metadata(socket_type: SocketType, routing_id: &Bytes) -> Metadata {
    let mut meta = Metadata::default();
    meta.push(SOCKET_TYPE, socket_type.name());
    if matches!(
        socket_type,
        SocketType::Req | SocketType::Dealer | SocketType::Router
    ) {
        meta.push(IDENTITY, routing_id.clone());
    }
    meta
}

/// Checks the peer's Socket-Type: present, known, and allowed to talk to us.
pub fn validate_peer(ours: SocketType, metadata: Metadata) -> Result<PeerMetadata, ProtocolError> {
    let name = metadata
        .get(SOCKET_TYPE)
        .ok_or(ProtocolError::MissingSocketType)?;
    let peer = SocketType::from_name(name)
        .ok_or_else(|| ProtocolError::UnknownSocketType(String::from_utf8_lossy(name).into()))?;
    if !ours.is_compatible(peer) {
        return Err(ProtocolError::IncompatibleSocketType { ours, peer });
    }
    Ok(PeerMetadata {
        socket_type: peer,
        metadata,
    })
}
