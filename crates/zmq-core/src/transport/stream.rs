//! The byte streams an engine runs over (tcp and ipc), and the listeners
//! that accept them, behind one type each so the engine is transport-blind.

use super::filter::AcceptFilters;
use super::tcp::{self, TcpSettings};
use mio::event::Source;
use mio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use mio::{Interest, Registry, Token};
use std::io::{self, IoSlice, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::path::PathBuf;

/// The credentials of the process at the other end of a Unix socket.
fn peer_credentials(fd: RawFd) -> Option<libc::ucred> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes and `len` holds the size
    // of `cred`, as SO_PEERCRED requires; the kernel writes at most `len` bytes.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    (rc == 0).then_some(cred)
}

pub enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Stream {
    /// Whether the listener's accept filters let this peer in.
    pub fn admitted_by(&self, filters: &AcceptFilters) -> bool {
        match self {
            // The peer is asked for only when a filter is set.
            Stream::Tcp(s) => filters.admits_tcp(|| s.peer_addr().ok().map(|a| a.ip())),
            Stream::Unix(s) => filters.admits_ipc(|| peer_credentials(s.as_raw_fd())),
        }
    }

    /// Per-connection socket options: Nagle off for tcp (as libzmq), and
    /// the application's ZMQ_SNDBUF ... ZMQ_BINDTODEVICE. A setting the
    /// kernel refuses is skipped; the connection still works.
    pub fn configure(&self, settings: &TcpSettings) {
        match self {
            Stream::Tcp(s) => {
                let _ = s.set_nodelay(true);
                let _ = tcp::apply(socket2::SockRef::from(s), settings);
            }
            Stream::Unix(s) => {
                let sock = socket2::SockRef::from(s);
                if settings.sndbuf >= 0 {
                    let _ = sock.set_send_buffer_size(settings.sndbuf as usize);
                }
                if settings.rcvbuf >= 0 {
                    let _ = sock.set_recv_buffer_size(settings.rcvbuf as usize);
                }
            }
        }
    }

    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        match self {
            Stream::Tcp(s) => s.take_error(),
            Stream::Unix(s) => s.take_error(),
        }
    }

    /// The peer's address as a ZAP request carries it, as libzmq writes
    /// it: the IP address for tcp; for ipc `localhost:UID:GID:PID`, the
    /// peer process's credentials (empty if the kernel will not say).
    pub fn peer_address(&self) -> String {
        match self {
            Stream::Tcp(s) => s
                .peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default(),
            Stream::Unix(s) => peer_credentials(s.as_raw_fd())
                .map(|c| format!("localhost:{}:{}:{}", c.uid, c.gid, c.pid))
                .unwrap_or_default(),
        }
    }

    /// Whether a non-blocking connect has completed.
    pub fn is_connected(&self) -> bool {
        match self {
            Stream::Tcp(s) => s.peer_addr().is_ok(),
            Stream::Unix(s) => s.peer_addr().is_ok(),
        }
    }
}

/// Linux's limit on buffers per call (sendmsg fails with more).
const IOV_MAX: usize = 1024;

/// The most bytes one tcp write carries: what one segment holds on
/// loopback (MSS 65,483) and one offload packet elsewhere (64 KiB with its
/// headers). A longer write leaves a second, partial segment behind each
/// full one; between two processes on loopback, 64 KiB frames written
/// whole (65,545 bytes with their header) went at a third of the rate of
/// the same frames cut to this size (measured 17-22 k against 51-68 k
/// msg/s), and any limit above one segment was as slow.
const TCP_WRITE_MAX: usize = 64 * 1024 - 1024;

/// Buffers in a write cut to `TCP_WRITE_MAX` (the rest goes next time).
const CUT_SLICES: usize = 64;

/// Writes with MSG_NOSIGNAL: a peer that resets the connection must give
/// the engine EPIPE, never raise SIGPIPE in the host process (a C program
/// has not ignored it as Rust's own `main` does). write(2) and writev(2)
/// cannot say that, so every write goes through sendmsg(2).
fn send_vectored(fd: RawFd, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    // SAFETY: all-zero is a valid msghdr (no name, no control data).
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    // IoSlice is documented to be ABI-compatible with iovec on Unix; the
    // kernel only reads the buffers, which outlive the call.
    msg.msg_iov = bufs.as_ptr() as *mut libc::iovec;
    msg.msg_iovlen = bufs.len().min(IOV_MAX) as _;
    loop {
        // SAFETY: `msg` points at `msg_iovlen` valid iovecs and nothing else.
        let n = unsafe { libc::sendmsg(fd, &msg, libc::MSG_NOSIGNAL) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        send_vectored(self.as_raw_fd(), &[IoSlice::new(buf)])
    }

    /// A tcp write carries at most `TCP_WRITE_MAX` bytes (see there).
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let fd = self.as_raw_fd();
        if matches!(self, Stream::Tcp(_)) {
            let mut total = 0;
            for (i, b) in bufs.iter().enumerate() {
                if total + b.len() > TCP_WRITE_MAX {
                    let mut cut = [IoSlice::new(&[]); CUT_SLICES];
                    let whole = i.min(CUT_SLICES - 1);
                    cut[..whole].copy_from_slice(&bufs[..whole]);
                    if whole < i {
                        return send_vectored(fd, &cut[..whole]);
                    }
                    cut[whole] = IoSlice::new(&b[..TCP_WRITE_MAX - total]);
                    return send_vectored(fd, &cut[..=whole]);
                }
                total += b.len();
            }
        }
        send_vectored(fd, bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A stream written without the tcp limit: for a thread writing one
/// message and then waiting for its answer, one write beats two (nothing
/// follows it to be held up by the partial segment the limit avoids).
pub struct Whole<'a>(pub &'a mut Stream);

impl Write for Whole<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        send_vectored(self.0.as_raw_fd(), &[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        send_vectored(self.0.as_raw_fd(), bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Unix(s) => s.as_raw_fd(),
        }
    }
}

impl Source for Stream {
    fn register(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.register(r, t, i),
            Stream::Unix(s) => s.register(r, t, i),
        }
    }

    fn reregister(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.reregister(r, t, i),
            Stream::Unix(s) => s.reregister(r, t, i),
        }
    }

    fn deregister(&mut self, r: &Registry) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.deregister(r),
            Stream::Unix(s) => s.deregister(r),
        }
    }
}

/// A bound listener. An ipc listener removes its socket file (and the
/// directory it made for `ipc://*`) when dropped.
pub enum Acceptor {
    Tcp(TcpListener),
    Unix {
        listener: UnixListener,
        file: Option<PathBuf>,
        dir: Option<PathBuf>,
    },
}

impl Acceptor {
    pub fn accept(&self) -> io::Result<Stream> {
        match self {
            Acceptor::Tcp(l) => l.accept().map(|(s, _)| Stream::Tcp(s)),
            Acceptor::Unix { listener, .. } => listener.accept().map(|(s, _)| Stream::Unix(s)),
        }
    }
}

impl AsRawFd for Acceptor {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Acceptor::Tcp(l) => l.as_raw_fd(),
            Acceptor::Unix { listener, .. } => listener.as_raw_fd(),
        }
    }
}

impl Acceptor {
    /// Removes the socket file (and the directory made for `ipc://*`).
    /// Like libzmq, only a failure to clean up after `ipc://*` is reported
    /// (the monitor's CLOSE_FAILED); the directory goes even then.
    pub fn remove_files(&mut self) -> io::Result<()> {
        let Acceptor::Unix { file, dir, .. } = self else {
            return Ok(());
        };
        let removed = file.take().map_or(Ok(()), std::fs::remove_file);
        let Some(d) = dir.take() else {
            return Ok(());
        };
        let dir_removed = std::fs::remove_dir(d);
        removed.and(dir_removed)
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        let _ = self.remove_files();
    }
}

impl Source for Acceptor {
    fn register(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        match self {
            Acceptor::Tcp(l) => l.register(r, t, i),
            Acceptor::Unix { listener, .. } => listener.register(r, t, i),
        }
    }

    fn reregister(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        match self {
            Acceptor::Tcp(l) => l.reregister(r, t, i),
            Acceptor::Unix { listener, .. } => listener.reregister(r, t, i),
        }
    }

    fn deregister(&mut self, r: &Registry) -> io::Result<()> {
        match self {
            Acceptor::Tcp(l) => l.deregister(r),
            Acceptor::Unix { listener, .. } => listener.deregister(r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connected tcp pair on loopback, the writing end with room for far
    /// more than one write's limit.
    fn tcp_pair() -> (Stream, std::net::TcpStream) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        socket2::SockRef::from(&client)
            .set_send_buffer_size(8 << 20)
            .unwrap();
        (Stream::Tcp(TcpStream::from_std(client)), server)
    }

    #[test]
    fn a_tcp_write_carries_at_most_one_segment() {
        let (mut stream, mut peer) = tcp_pair();
        let head = [1u8; 9];
        let body: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let n = stream
            .write_vectored(&[IoSlice::new(&head), IoSlice::new(&body)])
            .unwrap();
        assert_eq!(n, TCP_WRITE_MAX);
        // Many small buffers: cut at the limit too, in order.
        let small: Vec<[u8; 1000]> = (0..100u8).map(|i| [i; 1000]).collect();
        let slices: Vec<IoSlice> = small.iter().map(|b| IoSlice::new(b)).collect();
        let m = stream.write_vectored(&slices).unwrap();
        assert!(m > 0 && m <= TCP_WRITE_MAX, "{m}");
        let mut got = vec![0u8; n + m];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got[..9], &head);
        assert_eq!(&got[9..n], &body[..n - 9]);
        let sent: Vec<u8> = small.iter().flatten().copied().take(m).collect();
        assert_eq!(&got[n..], &sent[..]);
        // Unless the message is the writer's last before it waits.
        let whole = Whole(&mut stream).write_vectored(&[IoSlice::new(&body)]);
        assert_eq!(whole.unwrap(), body.len());
        let mut got = vec![0u8; body.len()];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(got, body);
    }
}
