//! A socket's wake-up line: an eventfd that any thread raises and the
//! socket's owner waits on. It is also the `ZMQ_FD` applications poll.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Instant;

pub struct Signaler {
    fd: OwnedFd,
}

impl Signaler {
    pub fn new() -> io::Result<Signaler> {
        // SAFETY: eventfd has no memory-safety preconditions; the result is checked.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Signaler { fd })
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Raises the signal; it stays raised until `drain`.
    pub fn notify(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to our own eventfd.
        unsafe { libc::write(self.fd(), &one as *const u64 as *const libc::c_void, 8) };
    }

    /// Lowers the signal.
    pub fn drain(&self) {
        let mut value: u64 = 0;
        // SAFETY: reads 8 bytes into a live u64 from our own non-blocking eventfd.
        unsafe { libc::read(self.fd(), &mut value as *mut u64 as *mut libc::c_void, 8) };
    }

    /// Waits until the signal is raised or `deadline` passes (None: forever).
    pub fn wait(&self, deadline: Option<Instant>) -> Woken {
        let mut pfd = [libc::pollfd {
            fd: self.fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        match poll_fds(&mut pfd, deadline) {
            Ok(0) => Woken::Timeout,
            Ok(_) => Woken::Signal,
            Err(_) => Woken::Interrupted,
        }
    }
}

/// What ended a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    Signal,
    /// The other descriptor became readable.
    Fd,
    Timeout,
    /// A signal reached this thread: the caller returns EINTR so that the
    /// application's handler acts (libzmq's behaviour).
    Interrupted,
}

impl Signaler {
    /// Waits for the signal or for `fd` to become readable.
    pub fn wait_with(&self, fd: RawFd, deadline: Option<Instant>) -> Woken {
        let mut pfd = [
            libc::pollfd {
                fd: self.fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        match poll_fds(&mut pfd, deadline) {
            Err(_) => return Woken::Interrupted,
            Ok(0) => return Woken::Timeout,
            Ok(_) => {}
        }
        if pfd[0].revents != 0 {
            Woken::Signal
        } else {
            Woken::Fd
        }
    }
}

/// poll(2) until something is ready or `deadline` passes: the number of
/// descriptors ready. A signal ends the wait early with EINTR.
pub fn poll_fds(fds: &mut [libc::pollfd], deadline: Option<Instant>) -> io::Result<usize> {
    let timeout = match deadline {
        None => -1,
        Some(d) => {
            let now = Instant::now();
            if d <= now {
                0
            } else {
                // Round up so we never wake just before the deadline.
                let ms = (d - now).as_micros().div_ceil(1000);
                ms.min(i32::MAX as u128) as i32
            }
        }
    };
    // SAFETY: `fds` is a valid, exclusively borrowed slice of pollfd.
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(rc as usize)
}
