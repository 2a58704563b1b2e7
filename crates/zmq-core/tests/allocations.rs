//! Steady-state traffic must not allocate per message: a counting global
//! allocator watches every thread (ours and the I/O thread) while small
//! messages flow over tcp.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use zmq_core::socket::options;
use zmq_core::{Context, Msg, Socket, SocketType};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn pair(ctx: &Context, a: SocketType, b: SocketType) -> (Socket, Socket) {
    let x = ctx.socket(a).unwrap();
    x.set_option(options::RCVTIMEO, &5000i32.to_ne_bytes())
        .unwrap();
    x.bind("tcp://127.0.0.1:*").unwrap();
    let mut buf = [0u8; 64];
    let n = x.get_option(options::LAST_ENDPOINT, &mut buf).unwrap();
    let ep = std::str::from_utf8(&buf[..n - 1]).unwrap().to_string();
    let y = ctx.socket(b).unwrap();
    y.set_option(options::RCVTIMEO, &5000i32.to_ne_bytes())
        .unwrap();
    y.connect(&ep).unwrap();
    (x, y)
}

/// Sends and receives `n` messages of `size` bytes in batches; returns the
/// allocations made meanwhile.
fn traffic(tx: &Socket, rx: &Socket, n: usize, size: usize) -> usize {
    let payload = vec![7u8; size];
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..n / 100 {
        for _ in 0..100 {
            tx.send(&mut Msg::from_slice(&payload), 0).unwrap();
        }
        for _ in 0..100 {
            assert_eq!(rx.recv(0).unwrap().len(), size);
        }
    }
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

#[test]
fn small_messages_over_tcp_allocate_nothing_per_message() {
    let ctx = Context::new();
    let (pull, push) = pair(&ctx, SocketType::Pull, SocketType::Push);
    for size in [1, 54, 64, 256] {
        let n = 200_000;
        // Warm up: blocks settle into each thread's cache as the reading
        // moves between the I/O thread and ours.
        traffic(&push, &pull, n, size);
        let allocations = traffic(&push, &pull, n, size);
        eprintln!("{size} B: {allocations} allocations for {n} messages");
        // Chunks of storage are allocated now and then; never one per message.
        assert!(
            allocations * 10_000 <= n,
            "{allocations} allocations for {n} messages of {size} bytes"
        );
    }
}
