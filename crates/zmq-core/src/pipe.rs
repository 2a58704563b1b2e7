//! A pipe: a one-way queue of frames between a socket and a connection,
//! with one writer and one reader on (possibly) different threads.
//!
//! The reader only ever sees whole messages: frames become visible when the
//! final frame (no MORE) is written. The high-water mark counts whole
//! messages. The writer wakes the reader only when the queue turns from
//! empty to non-empty, and the reader wakes a writer that found it full.

use crate::io::mailbox::IoMailbox;
use crate::msg::Msg;
use crate::signal::Signaler;
use crossbeam_queue::SegQueue;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Who to wake when a pipe changes state.
#[derive(Clone, Default)]
pub enum Waker {
    #[default]
    Nobody,
    /// An application socket, through its signaler.
    Socket(Arc<Signaler>),
    /// A connection on an I/O thread, by its token. `scheduled` is set
    /// while an activation is on its way, so a busy engine is told once.
    Io {
        mailbox: Arc<IoMailbox>,
        token: usize,
        scheduled: Arc<AtomicBool>,
    },
}

impl Waker {
    pub fn wake(&self) {
        match self {
            Waker::Nobody => {}
            Waker::Socket(s) => s.notify(),
            Waker::Io {
                mailbox,
                token,
                scheduled,
            } => {
                if !scheduled.swap(true, Ordering::AcqRel) {
                    mailbox.activate(*token);
                }
            }
        }
    }
}

pub struct Pipe {
    queue: SegQueue<Msg>,
    /// Whole messages written and not yet fully read.
    msgs: AtomicUsize,
    /// Writer-only: whole messages written but not yet published by `flush`.
    unflushed: AtomicUsize,
    /// High-water mark in messages; 0 means no limit.
    hwm: usize,
    /// Reader-only: a message is being read, its remaining frames are queued.
    reading: AtomicBool,
    /// The writer found the pipe full and waits for room.
    writer_blocked: AtomicBool,
    /// One side has gone away; the other drains and drops the pipe.
    closed: AtomicBool,
    reader: Mutex<Waker>,
    writer: Mutex<Waker>,
}

impl Pipe {
    pub fn new(hwm: usize) -> Arc<Pipe> {
        Arc::new(Pipe {
            queue: SegQueue::new(),
            msgs: AtomicUsize::new(0),
            unflushed: AtomicUsize::new(0),
            hwm,
            reading: AtomicBool::new(false),
            writer_blocked: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            reader: Mutex::new(Waker::Nobody),
            writer: Mutex::new(Waker::Nobody),
        })
    }

    pub fn set_reader(&self, waker: Waker) {
        *self.reader.lock() = waker;
    }

    pub fn set_writer(&self, waker: Waker) {
        *self.writer.lock() = waker;
    }

    /// Writer: is there room for a new message? If not, the reader will
    /// wake the writer once there is.
    pub fn check_write(&self) -> bool {
        let unflushed = self.unflushed.load(Ordering::Relaxed);
        if self.hwm == 0 || self.msgs.load(Ordering::Acquire) + unflushed < self.hwm {
            return true;
        }
        self.writer_blocked.store(true, Ordering::SeqCst);
        // Re-check: the reader may have made room before seeing the flag.
        if self.msgs.load(Ordering::SeqCst) + unflushed < self.hwm {
            self.writer_blocked.store(false, Ordering::SeqCst);
            return true;
        }
        false
    }

    /// Writer: appends a frame. Room must have been checked with
    /// `check_write` at the start of the message.
    pub fn write(&self, msg: Msg) {
        let last = !msg.more();
        self.queue.push(msg);
        if last && self.msgs.fetch_add(1, Ordering::AcqRel) == 0 {
            self.reader.lock().wake();
        }
    }

    /// Writer: appends a frame that the reader sees only after `flush`, so
    /// a batch costs at most one wake-up.
    pub fn write_deferred(&self, msg: Msg) {
        let last = !msg.more();
        self.queue.push(msg);
        if last {
            self.unflushed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Writer: publishes what `write_deferred` queued.
    pub fn flush(&self) {
        let n = self.unflushed.swap(0, Ordering::Relaxed);
        if n > 0 && self.msgs.fetch_add(n, Ordering::AcqRel) == 0 {
            self.reader.lock().wake();
        }
    }

    /// Reader: is a whole message (or the rest of one) ready?
    pub fn has_message(&self) -> bool {
        self.reading.load(Ordering::Relaxed) || self.msgs.load(Ordering::Acquire) > 0
    }

    /// Reader: the next frame of a whole message, if any.
    pub fn read(&self) -> Option<Msg> {
        if !self.has_message() {
            return None;
        }
        let msg = self.queue.pop()?;
        if msg.more() {
            self.reading.store(true, Ordering::Relaxed);
        } else {
            self.reading.store(false, Ordering::Relaxed);
            let before = self.msgs.fetch_sub(1, Ordering::SeqCst);
            // A blocked writer is woken once the queue is down to the
            // low-water mark, not for every message read.
            if self.hwm != 0
                && before - 1 <= low_water_mark(self.hwm)
                && self.writer_blocked.load(Ordering::SeqCst)
                && self.writer_blocked.swap(false, Ordering::SeqCst)
            {
                self.writer.lock().wake();
            }
        }
        Some(msg)
    }

    /// Reader: drops every queued frame (used when the reader goes away).
    pub fn clear(&self) {
        while self.queue.pop().is_some() {}
        self.msgs.store(0, Ordering::SeqCst);
        self.reading.store(false, Ordering::Relaxed);
    }

    /// Marks the pipe as abandoned by one side and wakes both.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.reader.lock().wake();
        self.writer.lock().wake();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Whole messages waiting to be read.
    pub fn queued(&self) -> usize {
        self.msgs.load(Ordering::Acquire)
    }
}

/// Where a full pipe's writer is woken again: half way down for small
/// marks, 1024 below the mark for large ones (as libzmq).
fn low_water_mark(hwm: usize) -> usize {
    const MAX_DELTA: usize = 1024;
    if hwm > 2 * MAX_DELTA {
        hwm - MAX_DELTA
    } else {
        hwm.div_ceil(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(data: &[u8], more: bool) -> Msg {
        let mut m = Msg::from_slice(data);
        m.set_more(more);
        m
    }

    #[test]
    fn partial_messages_are_invisible_until_complete() {
        let p = Pipe::new(0);
        p.write(frame(b"a", true));
        assert!(!p.has_message());
        assert!(p.read().is_none());
        p.write(frame(b"b", false));
        assert_eq!(p.read().unwrap().data(), b"a");
        assert_eq!(p.read().unwrap().data(), b"b");
        assert!(p.read().is_none());
    }

    #[test]
    fn deferred_writes_appear_on_flush_with_one_wake_up() {
        let s = Arc::new(Signaler::new().unwrap());
        let p = Pipe::new(3);
        p.set_reader(Waker::Socket(s.clone()));
        for i in 0..3u8 {
            assert!(p.check_write());
            p.write_deferred(frame(&[i], false));
        }
        assert!(!p.check_write(), "unflushed messages count against the HWM");
        assert!(!p.has_message());
        assert!(!s.wait(Some(std::time::Instant::now())));
        p.flush();
        assert!(s.wait(Some(std::time::Instant::now())));
        for i in 0..3u8 {
            assert_eq!(p.read().unwrap().data(), [i]);
        }
    }

    #[test]
    fn hwm_counts_whole_messages() {
        let p = Pipe::new(2);
        for _ in 0..2 {
            assert!(p.check_write());
            p.write(frame(b"x", true));
            p.write(frame(b"y", false));
        }
        assert!(!p.check_write());
        p.read();
        assert!(!p.check_write(), "half-read message still counts");
        p.read();
        assert!(p.check_write());
    }

    #[test]
    fn blocked_writer_is_woken_at_the_low_water_mark() {
        let s = Arc::new(Signaler::new().unwrap());
        let p = Pipe::new(10);
        p.set_writer(Waker::Socket(s.clone()));
        for _ in 0..10 {
            assert!(p.check_write());
            p.write(frame(b"x", false));
        }
        assert!(!p.check_write());
        let now = || Some(std::time::Instant::now());
        for _ in 0..4 {
            p.read();
            assert!(!s.wait(now()), "woken above the low-water mark");
        }
        p.read();
        assert!(s.wait(now()), "woken at 5 of 10");
        assert_eq!(low_water_mark(5000), 3976);
        assert_eq!(low_water_mark(1), 1);
    }

    #[test]
    fn reader_wakes_blocked_writer() {
        let s = Arc::new(Signaler::new().unwrap());
        let p = Pipe::new(1);
        p.set_writer(Waker::Socket(s.clone()));
        p.write(frame(b"x", false));
        assert!(!p.check_write());
        assert!(!s.wait(Some(std::time::Instant::now())));
        p.read();
        assert!(s.wait(Some(std::time::Instant::now())));
    }

    #[test]
    fn writer_wakes_reader_on_empty_to_non_empty_only() {
        let s = Arc::new(Signaler::new().unwrap());
        let p = Pipe::new(0);
        p.set_reader(Waker::Socket(s.clone()));
        p.write(frame(b"1", false));
        assert!(s.wait(Some(std::time::Instant::now())));
        s.drain();
        p.write(frame(b"2", false));
        assert!(!s.wait(Some(std::time::Instant::now())));
    }

    #[test]
    fn threads_see_every_message_in_order() {
        let p = Pipe::new(16);
        let q = p.clone();
        let writer = std::thread::spawn(move || {
            for i in 0u32..10_000 {
                while !q.check_write() {
                    std::thread::yield_now();
                }
                q.write(frame(&i.to_be_bytes(), true));
                q.write(frame(b"end", false));
            }
        });
        let mut next = 0u32;
        while next < 10_000 {
            if let Some(m) = p.read() {
                assert_eq!(m.data(), next.to_be_bytes());
                let end = loop {
                    if let Some(e) = p.read() {
                        break e;
                    }
                };
                assert_eq!(end.data(), b"end");
                next += 1;
            }
        }
        writer.join().unwrap();
    }
}
