//! Where bytes from the wire land, sans-IO: the driver reads into the space
//! this gives and says how many bytes came. Small frames arrive in one
//! growing input buffer, decoded from its front; the body of a large data
//! frame is read straight into a recycled buffer of its own size, handed
//! out whole without a copy (see `pool`).

use crate::pool::Buf;
use bytes::BytesMut;
use std::mem::MaybeUninit;
use std::ops::RangeInclusive;

/// How much the input buffer takes per read, at least.
pub const READ_CHUNK: usize = 64 * 1024;
/// Below this much free space the input buffer is grown or replaced.
const MIN_READ: usize = 8 * 1024;
/// The most we reserve ahead for one large incoming frame.
const MAX_RESERVE: u64 = 8 * 1024 * 1024;

/// Incoming bodies of these sizes, when a read ends inside them, are read
/// straight into a recycled buffer of their own (see `pool`): a fresh input
/// buffer per large frame would cost an allocation the size of the frame,
/// and a page fault and a page clearing per 4 KiB of it (from 32 KiB this
/// made 64 KiB streams 10-25% faster over tcp and ipc than cutting them
/// from the input buffer). Larger claims keep to the input buffer, grown
/// as bytes arrive, so a hostile size claim cannot make us allocate.
pub const OWN_BUFFER: RangeInclusive<u64> = 32 * 1024..=MAX_RESERVE;

/// The system has no memory for a frame's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoMemory;

pub struct Input {
    /// Bytes not decoded yet.
    pub buf: BytesMut,
    /// A large frame's body being read: its buffer, how much of it is
    /// filled, and its MORE flag.
    large: Option<(Buf, usize, bool)>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input")
            .field("buffered", &self.buf.len())
            .field(
                "large",
                &self.large.as_ref().map(|(b, n, _)| (*n, b.as_ref().len())),
            )
            .finish()
    }
}

impl Default for Input {
    fn default() -> Input {
        Input {
            buf: BytesMut::with_capacity(READ_CHUNK),
            large: None,
        }
    }
}

impl Input {
    /// Whether a large frame's body is being read.
    pub fn in_large(&self) -> bool {
        self.large.is_some()
    }

    /// The header of a large data frame of `size` bytes was just taken off
    /// the front of `buf` and its body has begun: what follows it in `buf`
    /// (all of it is body) moves into the frame's own buffer.
    pub fn start_large(&mut self, size: usize, more: bool) -> Result<(), NoMemory> {
        let mut body = Buf::for_receiving(size).ok_or(NoMemory)?;
        let have = self.buf.len();
        body.as_mut_slice()[..have].copy_from_slice(&self.buf);
        self.buf.clear();
        self.large = Some((body, have, more));
        Ok(())
    }

    /// Room for the next read: the rest of a large frame's buffer, or the
    /// input buffer's spare capacity, grown when short and (bounded) ahead
    /// of a frame known to need `missing` more bytes, so that its body
    /// stays contiguous.
    pub fn space(&mut self, missing: Option<u64>) -> &mut [MaybeUninit<u8>] {
        if let Some((body, filled, _)) = &mut self.large {
            let rest = &mut body.as_mut_slice()[*filled..];
            // SAFETY: initialised bytes viewed as possibly uninitialised
            // ones: the reader only writes through them.
            return unsafe { &mut *(rest as *mut [u8] as *mut [MaybeUninit<u8>]) };
        }
        let want = missing.map_or(READ_CHUNK, |m| READ_CHUNK.max(m.min(MAX_RESERVE) as usize));
        // Keep filling the current buffer until it is nearly full, so it
        // is replaced (or reclaimed in place) once per many reads.
        let spare = self.buf.capacity() - self.buf.len();
        if spare < MIN_READ || spare < want && want > READ_CHUNK {
            self.buf.reserve(want);
        }
        self.buf.spare_capacity_mut()
    }

    /// `n` bytes were written into the space `space` gave. Returns a large
    /// frame's body and MORE flag once complete.
    ///
    /// # Safety
    /// Those `n` bytes were initialised (written by the kernel or copied).
    pub unsafe fn filled(&mut self, n: usize) -> Option<(Buf, bool)> {
        match &mut self.large {
            Some((body, filled, _)) => {
                *filled += n;
                if *filled < body.as_ref().len() {
                    return None;
                }
                let (body, _, more) = self.large.take().expect("matched above");
                Some((body, more))
            }
            None => {
                // SAFETY: as the caller promises, the next `n` bytes of
                // spare capacity are initialised.
                unsafe { self.buf.set_len(self.buf.len() + n) };
                None
            }
        }
    }
}
