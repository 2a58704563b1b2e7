//! The messaging pattern behind a socket type: how frames are routed to
//! and collected from the attached pipes. Called only by the socket's owner.

use super::pipes::PipeSet;
use crate::error::{Error, Result};
use crate::link::PipeEnd;
use crate::msg::Msg;
use bytes::Bytes;

pub trait Pattern: Send {
    /// The pipes attached (and those detached but not yet drained): the
    /// socket's one list of them.
    fn pipes(&self) -> &PipeSet;
    fn attach(&mut self, pipe: PipeEnd);
    /// A pipe made at connect, before the peer's routing id is known; it
    /// arrives later with `peer_routing_id`.
    fn attach_unnamed(&mut self, pipe: PipeEnd) {
        self.attach(pipe)
    }
    /// The peer behind this pipe is gone.
    fn detach(&mut self, id: u64);
    /// A pre-created pipe was reconnected: resend per-connection state.
    fn hiccup(&mut self, _id: u64) {}
    /// A pipe found empty earlier has messages again.
    fn activated(&mut self, _id: u64) {}
    /// The peer behind a pipe has this routing id after all (a handshake
    /// on a pipe made at connect, or an inproc connect made before the bind).
    fn peer_routing_id(&mut self, _id: u64, _routing_id: Bytes) {}
    /// Sends one frame (MORE flag set for all but the last). On success the
    /// frame is taken; on Err(Again) it is left untouched.
    fn send(&mut self, msg: &mut Msg) -> Result<()>;
    /// Receives one frame into `msg` (written there once, not returned by
    /// value through every layer); Err(Again) when nothing is ready (a SUB
    /// may have dropped unwanted frames through `msg` first: the socket
    /// empties it then), other errors leave `msg` untouched.
    fn recv(&mut self, msg: &mut Msg) -> Result<()>;
    fn has_in(&mut self) -> bool;
    fn has_out(&mut self) -> bool;
    /// Type-specific options; Err(NotFound) when not one of ours.
    fn set_option(&mut self, _option: i32, _value: &[u8]) -> Result<()> {
        Err(Error::NotFound)
    }
    fn get_option(&self, _option: i32, _buf: &mut [u8]) -> Result<usize> {
        Err(Error::NotFound)
    }
}
