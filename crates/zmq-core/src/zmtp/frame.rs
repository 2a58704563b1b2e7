//! ZMTP 3.x framing: a flags byte, a 1- or 8-byte size, a body.
//! The decoder never consumes a partial frame and never allocates: a frame
//! stays in the caller's buffer until all of it has arrived, then its body is
//! split off without copying. Sizes are checked against the limit as soon as
//! the header is complete, so a hostile size claim costs nothing.

use bytes::{Buf, BufMut, Bytes, BytesMut};

use super::ProtocolError;

/// More frames of the same message follow.
pub const MORE: u8 = 0x01;
/// The size field is 8 bytes, network order.
pub const LONG: u8 = 0x02;
/// The frame is a command.
pub const COMMAND: u8 = 0x04;
const RESERVED: u8 = !(MORE | LONG | COMMAND);

/// Largest body a short frame can carry.
pub const SHORT_MAX: usize = u8::MAX as usize;

/// A complete frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The flags byte as received (LONG included).
    pub flags: u8,
    /// Body size in bytes, at most `i64::MAX`.
    pub size: u64,
    /// Bytes the header itself takes: 2 or 9.
    pub len: usize,
}

impl Header {
    /// Parses the header at the front of `input`; `Ok(None)` if incomplete.
    /// Flag errors are reported from the first byte on.
    pub fn peek(input: &[u8]) -> Result<Option<Header>, ProtocolError> {
        let Some(&flags) = input.first() else {
            return Ok(None);
        };
        if flags & RESERVED != 0 {
            return Err(ProtocolError::ReservedFlags(flags));
        }
        if flags & COMMAND != 0 && flags & MORE != 0 {
            return Err(ProtocolError::CommandWithMore);
        }
        if flags & LONG == 0 {
            return Ok(input.get(1).map(|&size| Header {
                flags,
                size: u64::from(size),
                len: 2,
            }));
        }
        let Some(raw) = input.get(1..9) else {
            return Ok(None);
        };
        let size = u64::from_be_bytes(raw.try_into().expect("8 bytes"));
        if size > i64::MAX as u64 {
            return Err(ProtocolError::SizeOutOfRange(size));
        }
        Ok(Some(Header {
            flags,
            size,
            len: 9,
        }))
    }

    pub fn is_command(&self) -> bool {
        self.flags & COMMAND != 0
    }

    /// Refuses a body larger than `limit` before any of it is buffered.
    pub fn check_size(&self, limit: u64) -> Result<(), ProtocolError> {
        if self.size > limit {
            return Err(ProtocolError::MessageTooLarge {
                size: self.size,
                max: limit,
            });
        }
        Ok(())
    }
}

/// One decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// MORE and COMMAND bits (LONG is a wire detail and is cleared).
    pub flags: u8,
    pub body: Bytes,
}

impl Frame {
    pub fn more(&self) -> bool {
        self.flags & MORE != 0
    }

    pub fn is_command(&self) -> bool {
        self.flags & COMMAND != 0
    }
}

#[cfg(test)]
/// Takes one complete frame off the front of `input`, or `Ok(None)` (and
/// consumes nothing) if more bytes are needed. Bodies above `limit` are
/// refused as soon as the header is known.
pub fn decode(input: &mut BytesMut, limit: u64) -> Result<Option<Frame>, ProtocolError> {
    let Some(header) = Header::peek(input)? else {
        return Ok(None);
    };
    header.check_size(limit)?;
    Ok(take(input, &header))
}

/// Splits the frame `header` describes off `input` once all of its body is
/// there (zero-copy), or returns `None` and leaves `input` untouched.
/// `header` must come from [`Header::peek`] on this same `input`.
pub fn take(input: &mut BytesMut, header: &Header) -> Option<Frame> {
    let available = input.len().checked_sub(header.len)? as u64;
    if available < header.size {
        return None;
    }
    // `size <= available`, so it fits in usize.
    let mut raw = input.split_to(header.len + header.size as usize);
    raw.advance(header.len);
    Some(Frame {
        flags: header.flags & (MORE | COMMAND),
        body: raw.freeze(),
    })
}

/// Writes a frame header; `flags` holds MORE and/or COMMAND, LONG is added
/// when the body does not fit a short frame.
pub fn encode_header(out: &mut BytesMut, flags: u8, size: usize) {
    debug_assert_eq!(flags & !(MORE | COMMAND), 0);
    if size <= SHORT_MAX {
        out.put_u8(flags);
        out.put_u8(size as u8);
    } else {
        out.put_u8(flags | LONG);
        out.put_u64(size as u64);
    }
}

/// Writes a whole frame.
pub fn encode(out: &mut BytesMut, flags: u8, body: &[u8]) {
    out.reserve(9 + body.len());
    encode_header(out, flags, body.len());
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf(bytes: &[u8]) -> BytesMut {
        BytesMut::from(bytes)
    }

    #[test]
    fn short_frames_round_trip() {
        let mut out = BytesMut::new();
        encode(&mut out, MORE, b"abc");
        encode(&mut out, 0, b"");
        encode(&mut out, COMMAND, &[7; 255]);
        assert_eq!(&out[..5], &[0x01, 3, b'a', b'b', b'c']);
        assert_eq!(&out[5..7], &[0x00, 0]);
        assert_eq!(&out[7..9], &[0x04, 255]);

        let a = decode(&mut out, u64::MAX).unwrap().unwrap();
        assert_eq!((a.flags, &a.body[..]), (MORE, &b"abc"[..]));
        assert!(a.more() && !a.is_command());
        let b = decode(&mut out, u64::MAX).unwrap().unwrap();
        assert_eq!((b.flags, b.body.len()), (0, 0));
        let c = decode(&mut out, u64::MAX).unwrap().unwrap();
        assert!(c.is_command() && !c.more());
        assert_eq!(c.body.len(), 255);
        assert!(out.is_empty());
        assert_eq!(decode(&mut out, u64::MAX), Ok(None));
    }

    #[test]
    fn long_form_from_256_bytes() {
        let mut out = BytesMut::new();
        encode(&mut out, MORE, &[1; 256]);
        assert_eq!(&out[..9], &[0x03, 0, 0, 0, 0, 0, 0, 1, 0]);
        encode(&mut out, COMMAND, &[2; 300]);
        assert_eq!(&out[265..274], &[0x06, 0, 0, 0, 0, 0, 0, 1, 44]);
        let a = decode(&mut out, u64::MAX).unwrap().unwrap();
        assert_eq!((a.flags, a.body.len()), (MORE, 256));
        let b = decode(&mut out, u64::MAX).unwrap().unwrap();
        assert_eq!((b.flags, &b.body[..]), (COMMAND, &[2; 300][..]));
    }

    #[test]
    fn long_form_for_small_bodies_is_accepted() {
        let mut input = buf(&[0x02, 0, 0, 0, 0, 0, 0, 0, 2, b'h', b'i']);
        let f = decode(&mut input, u64::MAX).unwrap().unwrap();
        assert_eq!((f.flags, &f.body[..]), (0, &b"hi"[..]));
    }

    #[test]
    fn partial_frames_consume_nothing() {
        let mut full = BytesMut::new();
        encode(&mut full, 0, &[9; 1000]);
        for cut in 0..full.len() {
            let mut input = buf(&full[..cut]);
            assert_eq!(decode(&mut input, u64::MAX), Ok(None), "cut at {cut}");
            assert_eq!(input.len(), cut);
        }
    }

    #[test]
    fn reserved_bits_and_more_on_commands_are_refused_from_the_first_byte() {
        for flags in [0x08, 0x10, 0x80, 0xFF] {
            assert_eq!(
                decode(&mut buf(&[flags]), u64::MAX),
                Err(ProtocolError::ReservedFlags(flags))
            );
        }
        assert_eq!(
            decode(&mut buf(&[0x05]), u64::MAX),
            Err(ProtocolError::CommandWithMore)
        );
        assert_eq!(
            decode(&mut buf(&[0x07]), u64::MAX),
            Err(ProtocolError::CommandWithMore)
        );
    }

    #[test]
    fn oversize_is_refused_before_the_body_arrives() {
        assert_eq!(
            decode(&mut buf(&[0x00, 11]), 10),
            Err(ProtocolError::MessageTooLarge { size: 11, max: 10 })
        );
        assert!(decode(&mut buf(&[0x00, 10]), 10).unwrap().is_none());
        let huge = buf(&[0x02, 0x40, 0, 0, 0, 0, 0, 0, 0]); // 2^62
        assert_eq!(
            decode(&mut huge.clone(), 1 << 20),
            Err(ProtocolError::MessageTooLarge {
                size: 1 << 62,
                max: 1 << 20
            })
        );
        // Unlimited: it waits, holding no more memory than it was given.
        let mut waiting = huge.clone();
        let capacity = waiting.capacity();
        assert_eq!(decode(&mut waiting, u64::MAX), Ok(None));
        assert_eq!((waiting.len(), waiting.capacity()), (9, capacity));
    }

    #[test]
    fn sizes_above_i64_max_are_refused() {
        let mut input = buf(&[0x02, 0x80, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            decode(&mut input, u64::MAX),
            Err(ProtocolError::SizeOutOfRange(1 << 63))
        );
        let mut input = buf(&[0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(
            decode(&mut input, u64::MAX),
            Err(ProtocolError::SizeOutOfRange(u64::MAX))
        );
    }

    #[test]
    fn big_bodies_are_not_copied() {
        let mut input = BytesMut::new();
        encode(&mut input, 0, &vec![5; 70 * 1024]);
        let start = input.as_ptr() as usize;
        let end = start + input.len();
        let f = decode(&mut input, u64::MAX).unwrap().unwrap();
        let p = f.body.as_ptr() as usize;
        assert_eq!(f.body.len(), 70 * 1024);
        assert!(p >= start && p + f.body.len() <= end);
    }
}
