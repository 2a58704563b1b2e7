//! zmq_poll: waits on sockets and plain file descriptors together. A
//! socket is polled through its signaler, then asked for its real events.

use crate::error::{Error, Result};
use crate::signal::poll_fds;
use crate::socket::{Socket, POLLIN, POLLOUT};
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

/// ZMQ_POLLERR, numbered as in zmq.h.
pub const POLLERR: i16 = 4;
/// ZMQ_POLLPRI, numbered as in zmq.h.
pub const POLLPRI: i16 = 8;

/// What a poll item watches.
pub enum PollTarget<'a> {
    /// One of our sockets (its messages, not its descriptor).
    Socket(&'a Socket),
    /// A plain file descriptor.
    Fd(RawFd),
}

/// One entry of a `poll` call, as zmq_pollitem_t.
pub struct PollItem<'a> {
    /// What is watched.
    pub target: PollTarget<'a>,
    /// The events asked for (`POLLIN`, `POLLOUT`, `POLLERR`).
    pub events: i16,
    /// The events that happened, filled in by `poll`.
    pub revents: i16,
}

fn to_sys(events: i16) -> i16 {
    let mut e = 0;
    if events & POLLIN != 0 {
        e |= libc::POLLIN;
    }
    if events & POLLOUT != 0 {
        e |= libc::POLLOUT;
    }
    if events & POLLPRI != 0 {
        e |= libc::POLLPRI;
    }
    e
}

fn from_sys(revents: i16) -> i16 {
    let mut e = 0;
    if revents & libc::POLLIN != 0 {
        e |= POLLIN;
    }
    if revents & libc::POLLOUT != 0 {
        e |= POLLOUT;
    }
    if revents & libc::POLLPRI != 0 {
        e |= POLLPRI;
    }
    if revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0 {
        e |= POLLERR;
    }
    e
}

/// Items polled without a heap allocation, at most.
const INLINE_ITEMS: usize = 16;

const NO_FD: libc::pollfd = libc::pollfd {
    fd: -1,
    events: 0,
    revents: 0,
};

/// Marks the polled sockets as possibly sleeping (so their pipes raise the
/// signal we wait on), or clears the mark.
fn set_sleeping(items: &[PollItem], sleeping: bool) {
    for item in items {
        if let PollTarget::Socket(s) = item.target {
            s.set_sleeping(sleeping);
        }
    }
}

/// Polls `items` for up to `timeout_ms` (-1: forever, 0: no wait);
/// returns how many items have events.
pub fn poll(items: &mut [PollItem], timeout_ms: i64) -> Result<usize> {
    let deadline =
        (timeout_ms >= 0).then(|| Instant::now() + Duration::from_millis(timeout_ms as u64));
    let mut inline = [NO_FD; INLINE_ITEMS];
    let mut heap = Vec::new();
    let fds = if items.len() <= INLINE_ITEMS {
        &mut inline[..items.len()]
    } else {
        heap.resize(items.len(), NO_FD);
        &mut heap[..]
    };
    for (pfd, item) in fds.iter_mut().zip(items.iter()) {
        *pfd = match item.target {
            PollTarget::Socket(s) => libc::pollfd {
                fd: s.signal_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            PollTarget::Fd(fd) => libc::pollfd {
                fd,
                events: to_sys(item.events),
                revents: 0,
            },
        };
    }
    // The sockets count as sleeping for the whole call.
    set_sleeping(items, true);
    let result = wait(items, fds, deadline);
    set_sleeping(items, false);
    result
}

fn wait(
    items: &mut [PollItem],
    fds: &mut [libc::pollfd],
    deadline: Option<Instant>,
) -> Result<usize> {
    loop {
        // Plain fds first (no wait), then the sockets' own state.
        poll_fds(fds, Some(Instant::now())).map_err(|e| Error::from_io(&e))?;
        let mut count = 0;
        for (item, pfd) in items.iter_mut().zip(fds.iter()) {
            item.revents = match item.target {
                PollTarget::Socket(s) => {
                    if pfd.revents != 0 {
                        s.lower_signal();
                    }
                    s.events()? & item.events
                }
                PollTarget::Fd(_) => from_sys(pfd.revents) & (item.events | POLLERR),
            };
            if item.revents != 0 {
                count += 1;
            }
        }
        if count > 0 || deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(count);
        }
        if items.is_empty() {
            std::thread::sleep(deadline.map_or(Duration::from_millis(100), |d| {
                d.saturating_duration_since(Instant::now())
            }));
            continue;
        }
        poll_fds(fds, deadline).map_err(|e| Error::from_io(&e))?;
    }
}
