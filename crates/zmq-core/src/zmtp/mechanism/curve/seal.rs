//! CURVE traffic (RFC 26 MESSAGE): each frame, with a flags byte in front,
//! boxed between the two short-term keys under a nonce that counts up per
//! direction. Written as libzmq 4.3 writes it: a data frame whose body is
//! the MESSAGE command, flags 0x01 MORE and 0x02 COMMAND inside the box.

use bytes::{Buf, BufMut, BytesMut};

use super::Role;
use crate::crypto::{PrefixKey, SharedKey, MAC_LEN};
use crate::zmtp::frame;
use crate::zmtp::mechanism::Seal;
use crate::zmtp::Malformed;
use crate::zmtp::ProtocolError;

/// "\x07MESSAGE": the command's name with its length.
const NAME: &[u8; 8] = b"\x07MESSAGE";
/// Name, short nonce, tag and flags: what a MESSAGE adds to a frame.
const OVERHEAD: usize = NAME.len() + 8 + MAC_LEN + 1;

/// One connection's traffic keys and nonces. Each direction's nonces share
/// their first 16 bytes, so each has a `PrefixKey` of its own.
#[derive(Debug)]
pub struct CurveSeal {
    sends: PrefixKey,
    receives: PrefixKey,
    /// Our next short nonce.
    next: u64,
    /// The last short nonce the peer used; the next must be larger.
    peer_last: u64,
}

impl CurveSeal {
    pub fn new(key: SharedKey, next: u64, peer_last: u64, role: Role) -> CurveSeal {
        CurveSeal {
            sends: PrefixKey::new(&key, role.sends()),
            receives: PrefixKey::new(&key, role.receives()),
            next,
            peer_last,
        }
    }
}

impl Seal for CurveSeal {
    fn seal(&mut self, flags: u8, body: &[u8], out: &mut BytesMut) {
        let short = self.next;
        self.next += 1;
        let size = OVERHEAD + body.len();
        out.reserve(9 + size);
        frame::encode_header(out, 0, size);
        out.extend_from_slice(NAME);
        out.put_u64(short);
        let mac_at = out.len();
        out.extend_from_slice(&[0; MAC_LEN]);
        let text_at = out.len();
        out.put_u8(flags);
        out.extend_from_slice(body);
        let mac = self
            .sends
            .seal_in_place(&short.to_be_bytes(), &mut out[text_at..]);
        out[mac_at..text_at].copy_from_slice(&mac);
    }

    fn open_into(&mut self, data: &[u8], body: &mut BytesMut) -> Result<u8, ProtocolError> {
        if data.len() < OVERHEAD - NAME.len() {
            return Err(ProtocolError::Malformed(Malformed::Message));
        }
        let (tail, boxed) = data.split_at(8);
        let tail: &[u8; 8] = tail.try_into().expect("8 bytes");
        let short = u64::from_be_bytes(*tail);
        if short <= self.peer_last {
            return Err(ProtocolError::InvalidSequence);
        }
        body.clear();
        body.resize(boxed.len() - MAC_LEN, 0);
        self.receives
            .open_into(tail, boxed, body)
            .map_err(|_| ProtocolError::Cryptographic)?;
        self.peer_last = short;
        let flags = body[0];
        body.advance(1);
        Ok(flags)
    }

    fn overhead(&self) -> usize {
        OVERHEAD
    }
}
