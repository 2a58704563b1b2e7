//! An I/O thread's mailbox: commands from sockets and pipe activations,
//! with one wake-up of the poll loop when the mailbox turns non-empty.

use crate::link::EngineLink;
use crate::link::{ConnOptions, MonitorStop, SocketCore};
use crate::pipe::{Reader, Writer};
use crate::transport::target::Target;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

/// The pipes a socket pre-creates for a connecting endpoint, so messages can
/// queue before (and between) connections.
pub struct EnginePipes {
    pub id: u64,
    /// Frames the engine reads and sends to the peer.
    pub outbound: Reader,
    /// Frames the engine received, for the socket.
    pub inbound: Writer,
    /// Where the socket finds the engine behind these pipes.
    pub link: Arc<EngineLink>,
}

pub enum IoCommand {
    /// Accept connections on a bound listener.
    Listen {
        listener: crate::transport::stream::Acceptor,
        socket: Arc<SocketCore>,
        opts: ConnOptions,
        endpoint_id: u64,
    },
    /// Keep a connection to `endpoint` up, reconnecting as needed.
    Connect {
        endpoint: Target,
        socket: Arc<SocketCore>,
        opts: ConnOptions,
        endpoint_id: u64,
        pipes: Option<EnginePipes>,
    },
    /// A pipe of the entry with this token changed state.
    Activate(usize),
    /// zmq_unbind / zmq_disconnect: drop what this endpoint created.
    CloseEndpoint {
        socket_id: u64,
        endpoint_id: u64,
        /// Dropped once the endpoint is closed (see `SocketClosed::done`).
        done: Option<Sender<()>>,
    },
    /// The socket is closed: flush within `linger` (None: no limit), then drop.
    SocketClosed {
        socket_id: u64,
        linger: Option<Duration>,
        /// Dropped once the close is handled.
        stop: Arc<MonitorStop>,
        /// Dropped once the listeners are closed, for a caller that waits
        /// until its ipc socket files are gone (a rebind right after).
        done: Option<Sender<()>>,
    },
    /// The context terminates: exit once nothing lingers.
    Stop,
}

pub struct IoMailbox {
    commands: Mutex<Vec<IoCommand>>,
    waker: mio::Waker,
    /// Commands are queued (set with the queue's lock held).
    queued: AtomicBool,
    /// The I/O thread is (about to be) blocked in its poll: only then is a
    /// wake-up (a syscall) needed.
    sleeping: AtomicBool,
    /// How many connections the I/O thread serves (see `IoLoad`).
    engines: AtomicUsize,
    /// The CPU the last command came from (-1: unknown).
    sender_cpu: AtomicI32,
}

impl crate::link::engine::IoLoad for IoMailbox {
    fn serves_others(&self) -> bool {
        self.engines.load(Ordering::Relaxed) > 1
    }
}

impl IoMailbox {
    pub fn new(waker: mio::Waker) -> IoMailbox {
        IoMailbox {
            commands: Mutex::new(Vec::new()),
            waker,
            queued: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
            engines: AtomicUsize::new(0),
            sender_cpu: AtomicI32::new(-1),
        }
    }

    pub fn send(&self, cmd: IoCommand) {
        {
            let mut q = self.commands.lock();
            q.push(cmd);
            self.queued.store(true, Ordering::SeqCst);
        }
        self.sender_cpu.store(current_cpu(), Ordering::Relaxed);
        if self.sleeping.load(Ordering::SeqCst) {
            let _ = self.waker.wake();
        }
    }

    /// The I/O thread is about to block: returns false (and stays awake)
    /// if commands are already waiting.
    pub fn sleep(&self) -> bool {
        self.sleeping.store(true, Ordering::SeqCst);
        if self.queued.load(Ordering::SeqCst) {
            self.sleeping.store(false, Ordering::Relaxed);
            return false;
        }
        true
    }

    pub fn engine_added(&self) {
        self.engines.fetch_add(1, Ordering::Relaxed);
    }

    pub fn engine_removed(&self) {
        self.engines.fetch_sub(1, Ordering::Relaxed);
    }

    /// Whether the last command came from a thread on the calling
    /// thread's CPU.
    pub fn sender_shares_cpu(&self) -> bool {
        let cpu = self.sender_cpu.load(Ordering::Relaxed);
        cpu >= 0 && cpu == current_cpu()
    }

    pub fn awake(&self) {
        self.sleeping.store(false, Ordering::Relaxed);
    }

    pub fn activate(&self, token: usize) {
        self.send(IoCommand::Activate(token));
    }

    /// Moves the queued commands into `out` (empty), swapping buffers so
    /// neither side allocates in steady state.
    pub fn take_into(&self, out: &mut Vec<IoCommand>) {
        let mut q = self.commands.lock();
        std::mem::swap(&mut *q, out);
        self.queued.store(false, Ordering::SeqCst);
    }
}

/// The CPU the calling thread runs on (-1 if unknown).
fn current_cpu() -> i32 {
    // SAFETY: sched_getcpu takes no arguments and only reads the thread's
    // own state.
    unsafe { libc::sched_getcpu() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins the calling thread to `cpu`.
    fn pin_to(cpu: usize) {
        // SAFETY: cpu_set_t is plain data, set with CPU_SET inside its
        // bounds; 0 names the calling thread.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            assert_eq!(
                libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set),
                0
            );
        }
    }

    /// The CPUs this process may run on.
    fn allowed_cpus() -> Vec<usize> {
        // SAFETY: cpu_set_t is plain data, filled by sched_getaffinity and
        // read with CPU_ISSET inside its bounds.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set);
            (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &set))
                .collect()
        }
    }

    #[test]
    fn a_command_tells_which_cpu_it_came_from() {
        let poll = mio::Poll::new().unwrap();
        let mailbox = Arc::new(IoMailbox::new(
            mio::Waker::new(poll.registry(), mio::Token(0)).unwrap(),
        ));
        let cpus = allowed_cpus();
        let ask_from = |cpu: usize| {
            let mailbox = mailbox.clone();
            std::thread::spawn(move || {
                pin_to(cpu);
                mailbox.sender_shares_cpu()
            })
            .join()
            .unwrap()
        };
        assert!(!ask_from(cpus[0]), "no command yet");
        let sender = mailbox.clone();
        let first = cpus[0];
        std::thread::spawn(move || {
            pin_to(first);
            sender.activate(7);
        })
        .join()
        .unwrap();
        assert!(ask_from(cpus[0]));
        if let Some(&other) = cpus.get(1) {
            assert!(!ask_from(other));
        }
    }
}
