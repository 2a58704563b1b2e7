//! A socket's wake-up line: an eventfd that any thread raises and the
//! socket's owner waits on. It is also the `ZMQ_FD` applications poll.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub struct Signaler {
    fd: OwnedFd,
    /// Set after each write to the eventfd, cleared before each read: a
    /// drain with nothing raised skips the read syscall (a DEALER's
    /// zmq_recv misses and zmq_poll rounds made ~8 of them per message in
    /// the 10,000-connection scale round). The flag is set only after the
    /// write and cleared only before the read, so the eventfd is raised
    /// with the flag clear only while a notifier is between the two; a
    /// poller that sees it readable then reads it anyway (`lower`).
    raised: AtomicBool,
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
        Ok(Signaler {
            fd,
            raised: AtomicBool::new(false),
        })
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Raises the signal; it stays raised until `drain`.
    pub fn notify(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to our own eventfd.
        unsafe { libc::write(self.fd(), &one as *const u64 as *const libc::c_void, 8) };
        self.raised.store(true, Ordering::SeqCst);
    }

    /// Lowers the signal, if it was raised.
    pub fn drain(&self) {
        if self.raised.load(Ordering::SeqCst) {
            self.lower();
        }
    }

    /// Lowers the signal unconditionally: for a poller that saw the eventfd
    /// readable, which may happen while a notifier sits between its write
    /// and its flag (a `drain` then would leave the poller spinning).
    pub fn lower(&self) {
        self.raised.store(false, Ordering::SeqCst);
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
            Ok(_) => {
                self.lower();
                Woken::Signal
            }
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
            self.lower();
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Whether the eventfd polls readable now (without lowering it).
    pub(crate) fn readable(s: &Signaler) -> bool {
        let mut pfd = [libc::pollfd {
            fd: s.fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        poll_fds(&mut pfd, Some(Instant::now())).unwrap() == 1
    }

    #[test]
    fn drain_lowers_what_notify_raised() {
        let s = Signaler::new().unwrap();
        s.drain();
        assert!(!readable(&s));
        s.notify();
        s.notify();
        assert!(readable(&s));
        s.drain();
        assert!(!readable(&s), "one drain lowers any number of raises");
        assert_eq!(s.wait(Some(Instant::now())), Woken::Timeout);
    }

    #[test]
    fn a_wait_lowers_a_raise_whose_flag_is_not_yet_set() {
        let s = Signaler::new().unwrap();
        // A notifier preempted between its write and its flag.
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to the test's own eventfd.
        unsafe { libc::write(s.fd(), &one as *const u64 as *const libc::c_void, 8) };
        s.drain();
        assert!(readable(&s), "drain trusts the flag");
        assert_eq!(s.wait(None), Woken::Signal);
        assert!(!readable(&s), "the woken waiter lowered it");
        // The late flag costs one read that finds nothing, then nothing.
        s.raised.store(true, Ordering::SeqCst);
        s.drain();
        assert!(!readable(&s));
        assert!(!s.raised.load(Ordering::SeqCst));
    }

    #[test]
    fn wait_with_reports_and_lowers_the_signal_first() {
        let s = Signaler::new().unwrap();
        let other = Signaler::new().unwrap();
        other.notify();
        assert_eq!(s.wait_with(other.fd(), None), Woken::Fd);
        assert!(readable(&other), "the other descriptor is the caller's");
        s.notify();
        assert_eq!(s.wait_with(other.fd(), None), Woken::Signal);
        assert!(!readable(&s));
    }
}
