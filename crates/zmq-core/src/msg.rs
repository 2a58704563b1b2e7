//! A message frame: small bodies live inline, large ones are reference
//! counted so copies and fan-out share one buffer. A frame received from a
//! connection also points to the connection's properties (zmq_msg_gets).
//! A `Msg` fits in 56 of the 64 bytes of the C `zmq_msg_t`.

use crate::block::{self, Block};
use crate::error::{Error, Result};
use crate::pool::Buf;
pub use crate::properties::{Properties, PropertiesRef};
use crate::slab::{SlabRef, SlabWriter};
use bytes::{Bytes, BytesMut};

/// Bodies up to this size are stored inline, with no heap allocation
/// (libzmq's own limit is 33). Sized so that a `Msg` leaves the last 8
/// bytes of a C `zmq_msg_t` free for the C API's validity tag.
pub const INLINE_MAX: usize = 38;

/// The frame continues: more frames of the same message follow.
pub const MORE: u8 = 1;
/// The frame is a ZMTP command, not application data.
pub const COMMAND: u8 = 2;
/// The body may be shared with a copy (ZMQ_SHARED).
const SHARED: u8 = 4;
/// The frame's properties are the ones its body's slab holds (see
/// `slab`), not a reference of its own.
const SLAB_PROPERTIES: u8 = 8;

enum Body {
    Inline {
        len: u8,
        buf: [u8; INLINE_MAX],
    },
    Shared(Bytes),
    Owned(BytesMut),
    /// A large body from the buffer pool (see `pool`).
    Pooled(Buf),
    /// A small body in a recycled block (see `block`).
    Block(Block),
    /// A small received body, packed with its neighbours (see `slab`).
    Slab(SlabRef),
}

impl Clone for Body {
    fn clone(&self) -> Body {
        match self {
            Body::Inline { len, buf } => Body::Inline {
                len: *len,
                buf: *buf,
            },
            Body::Shared(b) => Body::Shared(b.clone()),
            Body::Owned(b) => Body::Owned(b.clone()),
            Body::Pooled(b) => Body::Pooled(b.clone()),
            Body::Block(b) => Body::Block(b.clone()),
            // A copy of its own (as a block's): the bytes stay the
            // original's alone.
            Body::Slab(s) => Body::Block(Block::copy_of(s.as_slice())),
        }
    }
}

/// One frame of a (possibly multipart) message.
pub struct Msg {
    body: Body,
    flags: u8,
    routing_id: u32,
    /// The properties of the connection the frame came from, unless its
    /// slab holds them (`SLAB_PROPERTIES`).
    properties: Option<PropertiesRef>,
}

impl Clone for Msg {
    /// A slab body is copied out (see `Body::clone`), so the copy holds
    /// its properties itself.
    fn clone(&self) -> Msg {
        Msg {
            body: self.body.clone(),
            flags: self.flags & !SLAB_PROPERTIES,
            routing_id: self.routing_id,
            properties: self.shared_properties(),
        }
    }
}

impl Default for Msg {
    fn default() -> Self {
        Msg::new()
    }
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Msg")
            .field("data", &self.data())
            .field("flags", &self.flags)
            .finish()
    }
}

impl Msg {
    /// An empty frame.
    pub const fn new() -> Msg {
        Msg {
            body: Body::Inline {
                len: 0,
                buf: [0; INLINE_MAX],
            },
            flags: 0,
            routing_id: 0,
            properties: None,
        }
    }

    /// A frame of `size` bytes, writable through `data_mut`. Small bodies
    /// are zeroed; large ones come from the buffer pool with unspecified
    /// (initialised) content, as libzmq's zmq_msg_init_size. Aborts when
    /// the system has no memory for it (see `try_with_size`).
    pub fn with_size(size: usize) -> Msg {
        Msg::try_with_size(size).unwrap_or_else(|_| {
            let layout = std::alloc::Layout::array::<u8>(size);
            std::alloc::handle_alloc_error(layout.unwrap_or(std::alloc::Layout::new::<u8>()))
        })
    }

    /// As `with_size`, but a body the system has no memory for is
    /// `Error::NoMemory` (ENOMEM), not an abort.
    pub fn try_with_size(size: usize) -> Result<Msg> {
        let body = if size <= INLINE_MAX {
            Body::Inline {
                len: size as u8,
                buf: [0; INLINE_MAX],
            }
        } else if size <= block::MAX {
            let mut b = Block::take(size);
            b.as_mut_slice().fill(0);
            Body::Block(b)
        } else {
            Body::Pooled(Buf::try_take(size).ok_or(Error::NoMemory)?)
        };
        Ok(Msg {
            body,
            flags: 0,
            routing_id: 0,
            properties: None,
        })
    }

    /// A frame holding a copy of `data`.
    pub fn from_slice(data: &[u8]) -> Msg {
        if data.len() <= INLINE_MAX {
            let mut buf = [0; INLINE_MAX];
            buf[..data.len()].copy_from_slice(data);
            Msg {
                body: Body::Inline {
                    len: data.len() as u8,
                    buf,
                },
                flags: 0,
                routing_id: 0,
                properties: None,
            }
        } else if data.len() <= block::MAX {
            Msg {
                body: Body::Block(Block::copy_of(data)),
                flags: 0,
                routing_id: 0,
                properties: None,
            }
        } else {
            Msg {
                body: Body::Pooled(Buf::copy_of(data)),
                flags: 0,
                routing_id: 0,
                properties: None,
            }
        }
    }

    /// A frame holding a copy of `data`, a body received from the wire: up
    /// to `slab::MAX` bytes go into the slab `slabs` is filling, next to
    /// the bodies before it.
    /// The frame is tied to the properties `slabs` gives its slabs, if it
    /// went into one.
    pub(crate) fn received(data: &[u8], slabs: &mut SlabWriter) -> Msg {
        if !Msg::slab_sized(data.len()) {
            return Msg::from_slice(data);
        }
        let flags = if slabs.properties().is_some() {
            SLAB_PROPERTIES
        } else {
            0
        };
        Msg {
            body: Body::Slab(slabs.copy(data)),
            flags,
            routing_id: 0,
            properties: None,
        }
    }

    /// Whether a body of `len` bytes goes into a slab: too big to live
    /// inline, small enough not to waste one.
    pub(crate) fn slab_sized(len: usize) -> bool {
        len > INLINE_MAX && len <= crate::slab::MAX
    }

    /// This frame with its body replaced by a shared copy (a message
    /// fanned out to several peers, see `SlabWriter::copy_shared`).
    pub(crate) fn with_shared_body(&self, body: SlabRef) -> Msg {
        Msg {
            body: Body::Slab(body),
            flags: self.flags & !SLAB_PROPERTIES,
            routing_id: self.routing_id,
            properties: None,
        }
    }

    /// A frame owning a pooled buffer (returned to its pool on drop).
    pub fn from_buf(buf: Buf) -> Msg {
        Msg {
            body: Body::Pooled(buf),
            flags: 0,
            routing_id: 0,
            properties: None,
        }
    }

    /// A frame sharing `data` without copying (small bodies are inlined).
    pub fn from_bytes(data: Bytes) -> Msg {
        if data.len() <= INLINE_MAX {
            return Msg::from_slice(&data);
        }
        Msg {
            body: Body::Shared(data),
            flags: 0,
            routing_id: 0,
            properties: None,
        }
    }

    /// A frame over `data` exactly, never inlined: zmq_msg_init_data
    /// promises the caller's own buffer back from zmq_msg_data.
    pub fn wrap(data: Bytes) -> Msg {
        Msg {
            body: Body::Shared(data),
            flags: 0,
            routing_id: 0,
            properties: None,
        }
    }

    /// Whether another copy may share this frame's body (ZMQ_SHARED): set
    /// on both sides by `copy`, and kept, as libzmq does.
    pub fn is_shared(&self) -> bool {
        self.flags & SHARED != 0
    }

    /// Marks the body as shared from the start: zmq_msg_init_data without
    /// a free function hands over constant data the caller keeps (libzmq's
    /// "constant message", which reports ZMQ_SHARED at once).
    pub fn set_shared(&mut self) {
        self.flags |= SHARED;
    }

    /// A copy sharing this frame's body (zmq_msg_copy).
    pub fn copy(&mut self) -> Msg {
        self.share();
        if matches!(self.body, Body::Shared(_)) {
            self.flags |= SHARED;
        }
        self.clone()
    }

    /// The frame's body.
    pub fn data(&self) -> &[u8] {
        match &self.body {
            Body::Inline { len, buf } => &buf[..*len as usize],
            Body::Shared(b) => b,
            Body::Owned(b) => b,
            Body::Pooled(b) => b.as_ref(),
            Body::Block(b) => b.as_slice(),
            Body::Slab(b) => b.as_slice(),
        }
    }

    /// Mutable access; a shared body is copied first if others hold it.
    pub fn data_mut(&mut self) -> &mut [u8] {
        if matches!(&self.body, Body::Slab(b) if b.is_shared()) {
            self.untie_from_slab();
            self.body = Body::Block(Block::copy_of(self.data()));
        }
        if let Body::Shared(b) = &mut self.body {
            let bytes = std::mem::take(b);
            let owned = bytes
                .try_into_mut()
                .unwrap_or_else(|b| BytesMut::from(&b[..]));
            self.body = Body::Owned(owned);
        }
        match &mut self.body {
            Body::Inline { len, buf } => &mut buf[..*len as usize],
            Body::Owned(b) => b,
            Body::Pooled(b) => b.as_mut_slice(),
            Body::Block(b) => b.as_mut_slice(),
            Body::Slab(b) => b.as_mut_slice(),
            Body::Shared(_) => unreachable!("converted above"),
        }
    }

    /// Pointer to the body for C callers, who may write through it as they
    /// may with libzmq (shared bodies stay shared, as in libzmq).
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        match &mut self.body {
            Body::Inline { buf, .. } => buf.as_mut_ptr(),
            Body::Shared(b) => b.as_ptr() as *mut u8,
            Body::Owned(b) => b.as_mut_ptr(),
            Body::Pooled(b) => b.as_mut_slice().as_mut_ptr(),
            Body::Block(b) => b.as_mut_slice().as_mut_ptr(),
            Body::Slab(b) => b.as_ptr(),
        }
    }

    /// The body's size in bytes.
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Inline { len, .. } => *len as usize,
            Body::Shared(b) => b.len(),
            Body::Owned(b) => b.len(),
            Body::Pooled(b) => b.as_ref().len(),
            Body::Block(b) => b.as_slice().len(),
            Body::Slab(b) => b.as_slice().len(),
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The body as `Bytes` (copies inline bodies; shares large ones).
    pub fn to_bytes(&self) -> Bytes {
        match &self.body {
            Body::Inline { len, buf } => Bytes::copy_from_slice(&buf[..*len as usize]),
            Body::Shared(b) => b.clone(),
            Body::Owned(b) => Bytes::copy_from_slice(b),
            Body::Pooled(b) => Bytes::copy_from_slice(b.as_ref()),
            Body::Block(b) => Bytes::copy_from_slice(b.as_slice()),
            Body::Slab(b) => Bytes::copy_from_slice(b.as_slice()),
        }
    }

    /// Makes the body shareable, so `clone` shares instead of copying.
    pub fn share(&mut self) {
        self.untie_from_slab();
        if matches!(self.body, Body::Pooled(_) | Body::Block(_) | Body::Slab(_)) {
            // The storage goes back to its pool when the last copy drops.
            self.body = match std::mem::replace(&mut self.body, Body::Shared(Bytes::new())) {
                Body::Pooled(buf) => Body::Shared(Bytes::from_owner(buf)),
                Body::Block(block) => Body::Shared(Bytes::from_owner(block)),
                Body::Slab(slab) => Body::Shared(Bytes::from_owner(slab)),
                _ => unreachable!("matched above"),
            };
            return;
        }
        if let Body::Owned(b) = &mut self.body {
            let owned = std::mem::take(b);
            self.body = Body::Shared(owned.freeze());
        }
    }

    /// The frame's flags (`MORE`, `COMMAND`).
    pub fn flags(&self) -> u8 {
        self.flags & !SLAB_PROPERTIES
    }

    /// Whether more frames of the same message follow.
    pub fn more(&self) -> bool {
        self.flags & MORE != 0
    }

    /// Marks the frame as followed by more of its message, or not.
    pub fn set_more(&mut self, more: bool) {
        if more {
            self.flags |= MORE;
        } else {
            self.flags &= !MORE;
        }
    }

    /// Whether the frame is a ZMTP command rather than message data.
    pub fn is_command(&self) -> bool {
        self.flags & COMMAND != 0
    }

    /// Marks the frame as a command, or not.
    pub fn set_command(&mut self, command: bool) {
        if command {
            self.flags |= COMMAND;
        } else {
            self.flags &= !COMMAND;
        }
    }

    /// The draft API's 32-bit routing id (SERVER/CLIENT sockets).
    pub fn routing_id(&self) -> u32 {
        self.routing_id
    }

    /// Sets the routing id (zmq_msg_set_routing_id).
    pub fn set_routing_id(&mut self, id: u32) {
        self.routing_id = id;
    }

    /// The properties of the connection this frame came from, if any.
    pub fn properties(&self) -> Option<&Properties> {
        self.properties_ref().map(|p| &**p)
    }

    fn properties_ref(&self) -> Option<&PropertiesRef> {
        match &self.body {
            Body::Slab(b) if self.flags & SLAB_PROPERTIES != 0 => b.properties(),
            _ => self.properties.as_ref(),
        }
    }

    /// The properties, for tying another frame to the same connection.
    pub fn shared_properties(&self) -> Option<PropertiesRef> {
        self.properties_ref().cloned()
    }

    /// Ties the frame to its connection's properties (None: unties it).
    pub fn set_properties(&mut self, properties: Option<PropertiesRef>) {
        self.flags &= !SLAB_PROPERTIES;
        self.properties = properties;
    }

    /// Whether the frame is tied to a connection's properties already.
    pub(crate) fn has_properties(&self) -> bool {
        self.flags & SLAB_PROPERTIES != 0 || self.properties.is_some()
    }

    /// Gives the frame its slab's properties as a reference of its own,
    /// before its body leaves the slab.
    fn untie_from_slab(&mut self) {
        if self.flags & SLAB_PROPERTIES != 0 {
            self.properties = self.shared_properties();
            self.flags &= !SLAB_PROPERTIES;
        }
    }
}

const _: () = assert!(std::mem::size_of::<Msg>() <= 56);
const _: () = assert!(INLINE_MAX >= 38, "inline capacity shrank");
const _: () = assert!(std::mem::align_of::<Msg>() <= 8);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fanned_out_body_is_copied_before_one_copy_is_changed() {
        let mut slabs = SlabWriter::default();
        let mut frame = Msg::from_slice(&[1; 64]);
        frame.set_more(true);
        let mut copies = slabs.copy_shared(frame.data(), 2);
        let mut a = frame.with_shared_body(copies.next().unwrap());
        let b = frame.with_shared_body(copies.next().unwrap());
        assert!(a.more() && b.more());
        a.data_mut()[0] = 9;
        assert_eq!(a.data()[..2], [9, 1]);
        assert_eq!(b.data(), &[1; 64][..], "the other copy is untouched");
    }

    fn connection(socket_type: &[u8]) -> PropertiesRef {
        let mut p = Properties::default();
        p.insert("Socket-Type", socket_type);
        crate::properties::Source::new(p).take()
    }

    fn socket_type(m: &Msg) -> Option<&[u8]> {
        m.properties().and_then(|p| p.get("Socket-Type"))
    }

    #[test]
    fn a_slab_body_keeps_its_connections_properties_through_copies() {
        let mut slabs = SlabWriter::default();
        slabs.set_properties(Some(connection(b"PUSH")));
        let mut received = Msg::received(&[3; 64], &mut slabs);
        assert!(received.has_properties());
        assert_eq!(socket_type(&received), Some(&b"PUSH\0"[..]));
        // A new connection's properties go to new slabs only.
        slabs.set_properties(Some(connection(b"DEALER")));
        let next = Msg::received(&[4; 64], &mut slabs);
        assert_eq!(socket_type(&next), Some(&b"DEALER\0"[..]));
        assert_eq!(socket_type(&received), Some(&b"PUSH\0"[..]));
        let cloned = received.clone();
        let copied = received.copy();
        drop(slabs);
        drop(next);
        for m in [&received, &cloned, &copied] {
            assert_eq!(m.data(), &[3; 64][..]);
            assert_eq!(socket_type(m), Some(&b"PUSH\0"[..]));
        }
        assert_eq!(
            cloned.shared_properties().unwrap().get("Socket-Type"),
            Some(&b"PUSH\0"[..])
        );
        // Sent on, a frame says nothing of where it came from.
        let mut sent = Msg::received(&[5; 64], &mut SlabWriter::default());
        assert!(
            !sent.has_properties(),
            "a writer without properties ties none"
        );
        received.set_properties(None);
        sent.set_properties(None);
        assert!(received.properties().is_none() && !received.has_properties());
        assert_eq!(received.flags(), SHARED, "no internal flag shows");
    }

    #[test]
    fn small_bodies_are_inline_and_round_trip() {
        let m = Msg::from_slice(b"hello");
        assert_eq!(m.data(), b"hello");
        assert_eq!(m.len(), 5);
        assert!(!m.more());
    }

    #[test]
    fn large_copies_share_one_buffer() {
        let a = Msg::from_bytes(Bytes::from(vec![7u8; 1000]));
        let b = a.clone();
        assert_eq!(a.data().as_ptr(), b.data().as_ptr());
    }

    #[test]
    fn data_mut_on_shared_body_does_not_touch_the_other_copy() {
        let a = Msg::from_bytes(Bytes::from(vec![1u8; 100]));
        let mut b = a.clone();
        b.data_mut()[0] = 9;
        assert_eq!(a.data()[0], 1);
        assert_eq!(b.data()[0], 9);
    }

    #[test]
    fn a_body_beyond_memory_is_an_error_not_an_abort() {
        // 128 TiB: more than a 64-bit Linux process can map (pooled
        // classes and the heap both answer for their sizes).
        assert_eq!(Msg::try_with_size(1 << 47).err(), Some(Error::NoMemory));
        assert_eq!(Msg::try_with_size(1 << 26).unwrap().len(), 1 << 26);
    }

    #[test]
    fn with_size_is_writable_and_small_bodies_zeroed() {
        for size in [0, 10, 40, 41, 5000] {
            let mut m = Msg::with_size(size);
            assert_eq!(m.len(), size);
            if size <= block::MAX {
                assert!(m.data().iter().all(|&b| b == 0));
            }
            if size > 0 {
                m.data_mut()[size - 1] = 3;
                assert_eq!(m.data()[size - 1], 3);
            }
        }
    }

    #[test]
    fn flags() {
        let mut m = Msg::new();
        m.set_more(true);
        m.set_command(true);
        assert!(m.more() && m.is_command());
        m.set_more(false);
        assert!(!m.more() && m.is_command());
    }
}
