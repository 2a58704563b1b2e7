//! A pipe: a one-way queue of frames between a socket and a connection,
//! with one writer and one reader on (possibly) different threads.
//!
//! The reader only ever sees whole messages: frames become visible when the
//! final frame (no MORE) is published. The high-water mark counts whole
//! messages. The writer wakes the reader only if the reader found the pipe
//! empty, and the reader wakes a writer that found it full once it is down
//! to the low-water mark. Each side keeps its counters on its own cache
//! line and reads the other's only when its cached copy says it must.
//!
//! A conflating pipe (ZMQ_CONFLATE) keeps only the newest whole message
//! and never fills: see `Latest`.

use crate::msg::Msg;
use crate::queue::{Line, Queue};
use parking_lot::Mutex;
use std::cell::Cell;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// The side of a pipe that may sleep (a socket's thread, an engine's
/// I/O thread), told when the pipe changes for it. Defined here and
/// implemented above (socket, io), so the pipe knows no one's type.
pub trait Wake: Send + Sync {
    /// Something changed for this side (messages to read, room to write,
    /// the other side gone): look again.
    fn wake(&self);
    /// As `wake`, for a reader that parked the pipe (left it out of its
    /// active set, see `Pipe::park`) and must be told which pipe it is.
    fn activate(&self) {
        self.wake()
    }
    /// Whether waking may drive an engine (which may use this pipe): the
    /// pipe then calls it with its own lock released.
    fn drives(&self) -> bool {
        false
    }
}

/// Who to wake when a pipe changes state (none by default).
#[derive(Clone, Default)]
pub struct Waker(Option<Arc<dyn Wake>>);

impl Waker {
    pub fn new(side: Arc<dyn Wake>) -> Waker {
        Waker(Some(side))
    }

    /// Wakes no one (a side that has gone away).
    pub fn nobody() -> Waker {
        Waker(None)
    }

    pub fn wake(&self) {
        if let Some(w) = &self.0 {
            w.wake();
        }
    }

    fn activate(&self) {
        if let Some(w) = &self.0 {
            w.activate();
        }
    }

    fn drives(&self) -> bool {
        self.0.as_ref().is_some_and(|w| w.drives())
    }
}

/// Fields only the writer updates (the reader loads `written` now and then).
struct WriterSide {
    /// Whole messages published to the reader, ever.
    written: AtomicUsize,
    /// Whole messages written but not yet published by `flush`.
    unflushed: AtomicUsize,
    /// The reader's `read`, as last loaded.
    read_seen: AtomicUsize,
}

/// Fields only the reader updates (the writer loads `read` now and then).
struct ReaderSide {
    /// Whole messages fully read, ever.
    consumed: AtomicUsize,
    /// `consumed` as last published to the writer (for its high-water
    /// mark): every few messages, whenever the pipe runs empty, and at once
    /// when the writer waits for room.
    read: AtomicUsize,
    /// The writer's `written`, as last loaded.
    written_seen: AtomicUsize,
    /// A message is being read; its remaining frames are queued.
    reading: AtomicBool,
}

/// Rarely written flags both sides look at.
struct Flags {
    /// The reader found the pipe empty: wake it on the next publish.
    reader_waiting: AtomicBool,
    /// The writer found the pipe full: wake it at the low-water mark.
    writer_blocked: AtomicBool,
    /// One side has gone away; the other drains and drops the pipe.
    closed: AtomicBool,
    /// The reading socket parked the pipe: it must be told when to look.
    parked: AtomicBool,
}

/// The one message a conflating pipe holds. Frames collect in `building`
/// until the last one arrives, then replace `newest` whole (so a reader
/// never sees half of one message and half of another); the reader moves
/// `newest` to `reading` and takes frames from there. Buffers are swapped,
/// not reallocated.
#[derive(Default)]
struct Latest {
    building: VecDeque<Msg>,
    newest: VecDeque<Msg>,
    reading: VecDeque<Msg>,
}

impl Latest {
    /// Writer: adds a frame; true if it completed a message.
    fn push(&mut self, msg: Msg) -> bool {
        let last = !msg.more();
        self.building.push_back(msg);
        if last {
            std::mem::swap(&mut self.newest, &mut self.building);
            self.building.clear();
        }
        last
    }

    fn has_message(&self) -> bool {
        !self.reading.is_empty() || !self.newest.is_empty()
    }

    fn pop(&mut self) -> Option<Msg> {
        if self.reading.is_empty() {
            std::mem::swap(&mut self.reading, &mut self.newest);
        }
        self.reading.pop_front()
    }
}

pub struct Pipe {
    queue: Queue,
    /// Some for a conflating pipe, which then bypasses `queue`. (Boxed:
    /// the common case checks one pointer.)
    latest: Option<Box<Mutex<Latest>>>,
    w: Line<WriterSide>,
    r: Line<ReaderSide>,
    flags: Line<Flags>,
    /// High-water mark in messages; 0 means no limit. (Set again when an
    /// inproc connect made before its bind learns the binder's marks.) The
    /// writer reads it for every message: on a line no one writes.
    hwm: Line<AtomicUsize>,
    reader: Mutex<Waker>,
    writer: Mutex<Waker>,
}

/// A new pipe: bounded by `hwm` whole messages (0: no limit), or holding
/// only the newest one (`conflate`, ZMQ_CONFLATE). Its two ends are the
/// only way to write and read it.
pub fn pipe(hwm: usize, conflate: bool) -> (Writer, Reader) {
    let pipe = if conflate {
        Pipe::conflating()
    } else {
        Pipe::new(hwm)
    };
    (
        Writer {
            pipe: pipe.clone(),
            one_thread: PhantomData,
        },
        Reader {
            pipe,
            one_thread: PhantomData,
        },
    )
}

/// The writing end of a pipe. There is one per pipe, and it is not Sync:
/// one thread at a time writes, which the queue beneath relies on. (It
/// derefs to the pipe for what either side or a third party may do:
/// close it, look at its state, set its mark.)
pub struct Writer {
    pipe: Arc<Pipe>,
    one_thread: PhantomData<Cell<()>>,
}

/// The reading end of a pipe: one per pipe, not Sync (see `Writer`).
pub struct Reader {
    pipe: Arc<Pipe>,
    one_thread: PhantomData<Cell<()>>,
}

impl Deref for Writer {
    type Target = Pipe;

    fn deref(&self) -> &Pipe {
        &self.pipe
    }
}

impl Deref for Reader {
    type Target = Pipe;

    fn deref(&self) -> &Pipe {
        &self.pipe
    }
}

impl Writer {
    /// The pipe, for a holder that only closes it or sets its mark.
    pub fn shared(&self) -> Arc<Pipe> {
        self.pipe.clone()
    }

    /// Who to wake when there is room again.
    pub fn set_writer(&self, waker: Waker) {
        self.pipe.set_writer(waker)
    }

    /// Whether a message may start (under the high-water mark); if not,
    /// the writer's waker is woken once there is room.
    pub fn check_write(&self) -> bool {
        self.pipe.check_write()
    }

    /// Appends a frame, published at once if it ends a message. Room must
    /// have been checked with `check_write` at the start of the message.
    pub fn write(&self, msg: Msg) {
        self.pipe.write(msg)
    }

    /// Appends a frame that the reader sees only after `flush`.
    pub fn write_deferred(&self, msg: Msg) {
        self.pipe.write_deferred(msg)
    }

    /// Publishes what `write_deferred` queued.
    pub fn flush(&self) {
        self.pipe.flush()
    }
}

impl Reader {
    /// The pipe, for a holder that only closes it or sets its mark.
    pub fn shared(&self) -> Arc<Pipe> {
        self.pipe.clone()
    }

    /// Who to wake when messages arrive.
    pub fn set_reader(&self, waker: Waker) {
        self.pipe.set_reader(waker)
    }

    /// The next frame of a whole message, if any. When there is none,
    /// the next publish wakes the reader.
    pub fn read(&self) -> Option<Msg> {
        self.pipe.read()
    }

    /// As `read`, for a reader that will look again before it sleeps: an
    /// empty pipe is not told to wake it. (A reader spinning on a pipe its
    /// writer keeps filling would otherwise ask for a wake-up each time it
    /// caught up, and the writer answer each: both sides' flags would
    /// cross between cores with every message.)
    pub fn read_spinning(&self) -> Option<Msg> {
        self.pipe.read_armed(false)
    }

    /// `read` into `out`, which is left untouched when there is nothing;
    /// `spinning` as for `read_spinning`. Returns whether a frame came.
    pub fn read_into(&self, out: &mut Msg, spinning: bool) -> bool {
        self.pipe.read_armed_into(!spinning, out)
    }

    /// Whether a whole message (or the rest of one) is there to read.
    pub fn has_message(&self) -> bool {
        self.pipe.has_message()
    }

    /// Leaves the reader's active set until the writer publishes again.
    pub fn park(&self) {
        self.pipe.park()
    }
}

impl Pipe {
    fn new(hwm: usize) -> Arc<Pipe> {
        Self::build(hwm, None)
    }

    /// A pipe that holds only the newest message (ZMQ_CONFLATE).
    fn conflating() -> Arc<Pipe> {
        Self::build(0, Some(Box::default()))
    }

    fn build(hwm: usize, latest: Option<Box<Mutex<Latest>>>) -> Arc<Pipe> {
        Arc::new(Pipe {
            queue: Queue::new(),
            latest,
            w: Line(WriterSide {
                written: AtomicUsize::new(0),
                unflushed: AtomicUsize::new(0),
                read_seen: AtomicUsize::new(0),
            }),
            r: Line(ReaderSide {
                consumed: AtomicUsize::new(0),
                read: AtomicUsize::new(0),
                written_seen: AtomicUsize::new(0),
                reading: AtomicBool::new(false),
            }),
            flags: Line(Flags {
                reader_waiting: AtomicBool::new(false),
                writer_blocked: AtomicBool::new(false),
                closed: AtomicBool::new(false),
                parked: AtomicBool::new(true),
            }),
            hwm: Line(AtomicUsize::new(hwm)),
            reader: Mutex::new(Waker::nobody()),
            writer: Mutex::new(Waker::nobody()),
        })
    }

    fn set_reader(&self, waker: Waker) {
        *self.reader.lock() = waker;
    }

    fn set_writer(&self, waker: Waker) {
        *self.writer.lock() = waker;
    }

    /// Writer: whole messages queued, counting unpublished ones, given the
    /// reader's progress `read`.
    fn queued_for_writer(&self, read: usize) -> usize {
        let w = &self.w.0;
        w.written.load(Ordering::Relaxed) + w.unflushed.load(Ordering::Relaxed) - read
    }

    /// Writer: is there room for a new message? If not, the reader will
    /// wake the writer once there is.
    fn check_write(&self) -> bool {
        let hwm = self.hwm();
        if hwm == 0 {
            return true;
        }
        let w = &self.w.0;
        if self.queued_for_writer(w.read_seen.load(Ordering::Relaxed)) < hwm {
            return true;
        }
        let read = self.r.0.read.load(Ordering::Acquire);
        w.read_seen.store(read, Ordering::Relaxed);
        if self.queued_for_writer(read) < hwm {
            return true;
        }
        self.flags.0.writer_blocked.store(true, Ordering::SeqCst);
        // Re-check: the reader may have made room before seeing the flag.
        let read = self.r.0.read.load(Ordering::SeqCst);
        w.read_seen.store(read, Ordering::Relaxed);
        if self.queued_for_writer(read) < hwm {
            self.flags.0.writer_blocked.store(false, Ordering::SeqCst);
            return true;
        }
        false
    }

    /// Writer: appends a frame, published at once if it ends a message.
    /// Room must have been checked with `check_write` at the start of the
    /// message.
    fn write(&self, msg: Msg) {
        if let Some(latest) = &self.latest {
            return self.write_latest(latest, msg);
        }
        let last = !msg.more();
        // SAFETY: the pipe's contract: one writer at a time.
        unsafe { self.queue.push(msg) };
        if last {
            self.publish(1);
        }
    }

    /// Writer: appends a frame that the reader sees only after `flush`, so
    /// a batch costs at most one wake-up.
    fn write_deferred(&self, msg: Msg) {
        if let Some(latest) = &self.latest {
            return self.write_latest(latest, msg);
        }
        let last = !msg.more();
        // SAFETY: the pipe's contract: one writer at a time.
        unsafe { self.queue.push(msg) };
        if last {
            let w = &self.w.0;
            w.unflushed
                .store(w.unflushed.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        }
    }

    /// Writer: publishes what `write_deferred` queued.
    fn flush(&self) {
        let n = self.w.0.unflushed.swap(0, Ordering::Relaxed);
        if n > 0 {
            self.publish(n);
        }
    }

    /// Writer, conflating: replaces the held message once a new one is
    /// whole, and wakes a waiting reader.
    #[cold]
    fn write_latest(&self, latest: &Mutex<Latest>, msg: Msg) {
        if latest.lock().push(msg) {
            self.wake_if_waiting();
        }
    }

    fn publish(&self, n: usize) {
        let w = &self.w.0;
        w.written
            .store(w.written.load(Ordering::Relaxed) + n, Ordering::SeqCst);
        self.wake_if_waiting();
    }

    fn wake_if_waiting(&self) {
        let f = &self.flags.0;
        if f.reader_waiting.load(Ordering::SeqCst) && f.reader_waiting.swap(false, Ordering::SeqCst)
        {
            self.wake_reader();
        }
    }

    /// Wakes the reader, telling it which pipe has messages if it parked
    /// this one. A waker that drives an engine is cloned out of the lock
    /// first (the engine may come back to this pipe); others are called
    /// under it, which spares two reference-count updates per wake-up.
    fn wake_reader(&self) {
        let waker = self.reader.lock();
        // (Parked was set before the reader said it waits, so this load
        // sees it; an engine never parks.)
        let parked = &self.flags.0.parked;
        let activate = parked.load(Ordering::SeqCst) && parked.swap(false, Ordering::SeqCst);
        let call = |w: &Waker| if activate { w.activate() } else { w.wake() };
        if waker.drives() {
            let w = waker.clone();
            drop(waker);
            call(&w);
        } else {
            call(&waker);
        }
    }

    /// Reader: the pipe leaves the reader's active set until the writer
    /// publishes again (see `wake_reader`).
    fn park(&self) {
        self.flags.0.parked.store(true, Ordering::SeqCst);
    }

    /// Reader: whole messages published and not yet read.
    fn available(&self, order: Ordering) -> bool {
        let r = &self.r.0;
        let read = r.consumed.load(Ordering::Relaxed);
        if r.written_seen.load(Ordering::Relaxed) > read {
            return true;
        }
        let written = self.w.0.written.load(order);
        r.written_seen.store(written, Ordering::Relaxed);
        written > read
    }

    /// Reader: is a whole message (or the rest of one) ready? When not,
    /// the next publish wakes the reader.
    fn has_message(&self) -> bool {
        match &self.latest {
            Some(latest) => self.has_latest(latest),
            None => self.has_queued(true),
        }
    }

    /// Reader, conflating: `has_message`.
    #[cold]
    fn has_latest(&self, latest: &Mutex<Latest>) -> bool {
        if latest.lock().has_message() {
            return true;
        }
        self.flags.0.reader_waiting.store(true, Ordering::SeqCst);
        latest.lock().has_message()
    }

    /// Reader, queueing: `has_message`; with `arm`, an empty pipe wakes
    /// the reader at the next publish.
    fn has_queued(&self, arm: bool) -> bool {
        if self.r.0.reading.load(Ordering::Relaxed) || self.available(Ordering::Acquire) {
            return true;
        }
        if !arm {
            return false;
        }
        // Caught up: tell the writer everything is read before sleeping.
        self.publish_read();
        self.flags.0.reader_waiting.store(true, Ordering::SeqCst);
        // Re-check: the writer may have published before seeing the flag.
        self.available(Ordering::SeqCst)
    }

    /// Reader: the next frame of a whole message, if any.
    fn read(&self) -> Option<Msg> {
        self.read_armed(true)
    }

    /// `read`, arming or not (see `has_queued`; a conflating pipe always
    /// arms).
    fn read_armed(&self, arm: bool) -> Option<Msg> {
        let mut msg = Msg::new();
        self.read_armed_into(arm, &mut msg).then_some(msg)
    }

    /// `read_armed` into `out` (untouched when there is nothing): the frame
    /// is moved from its slot straight to where the caller keeps it.
    fn read_armed_into(&self, arm: bool, out: &mut Msg) -> bool {
        if let Some(latest) = &self.latest {
            return match self.read_latest(latest) {
                Some(msg) => {
                    *out = msg;
                    true
                }
                None => false,
            };
        }
        if !self.has_queued(arm) {
            return false;
        }
        // SAFETY: the pipe's contract: one reader at a time; and a whole
        // message is published (Acquire in `has_queued`), or we are
        // inside one, so the frame is there.
        *out = unsafe { self.queue.pop() };
        let r = &self.r.0;
        if out.more() {
            r.reading.store(true, Ordering::Relaxed);
            return true;
        }
        r.reading.store(false, Ordering::Relaxed);
        let consumed = r.consumed.load(Ordering::Relaxed) + 1;
        r.consumed.store(consumed, Ordering::Relaxed);
        let hwm = self.hwm();
        if hwm == 0 {
            return true;
        }
        if consumed - r.read.load(Ordering::Relaxed) >= publish_every(hwm) {
            self.publish_read();
        }
        let f = &self.flags.0;
        if f.writer_blocked.load(Ordering::SeqCst) {
            let read = self.publish_read();
            // Counted from what is written now, not from what this reader
            // last saw: a writer woken before refilled the pipe since, and
            // a stale count would wake it again for every message read.
            let written = self.w.0.written.load(Ordering::Acquire);
            r.written_seen.store(written, Ordering::Relaxed);
            let queued = written.saturating_sub(read);
            if queued <= low_water_mark(hwm) && f.writer_blocked.swap(false, Ordering::SeqCst) {
                let waker = self.writer.lock().clone();
                waker.wake();
            }
        }
        true
    }

    /// Reader, conflating: `read`.
    #[cold]
    fn read_latest(&self, latest: &Mutex<Latest>) -> Option<Msg> {
        loop {
            if let Some(msg) = latest.lock().pop() {
                return Some(msg);
            }
            // Empty: ask to be woken, unless a message just came.
            if !self.has_latest(latest) {
                return None;
            }
        }
    }

    fn hwm(&self) -> usize {
        self.hwm.0.load(Ordering::Relaxed)
    }

    /// Whether the pipe keeps only the newest message (ZMQ_CONFLATE).
    pub fn is_conflating(&self) -> bool {
        self.latest.is_some()
    }

    /// Changes the high-water mark (0: no limit), as when ZMQ_SNDHWM or
    /// ZMQ_RCVHWM is set after the connection. A
    /// writer held at the old limit is woken to look again; messages
    /// already queued above a lowered limit stay.
    pub fn set_hwm(&self, hwm: usize) {
        self.hwm.0.store(hwm, Ordering::SeqCst);
        if self.flags.0.writer_blocked.swap(false, Ordering::SeqCst) {
            let waker = self.writer.lock().clone();
            waker.wake();
        }
    }

    /// Reader: publishes how many messages are read; returns the count.
    fn publish_read(&self) -> usize {
        let r = &self.r.0;
        let consumed = r.consumed.load(Ordering::Relaxed);
        r.read.store(consumed, Ordering::SeqCst);
        consumed
    }

    /// Marks the pipe as abandoned by one side and wakes both. (Wakers are
    /// cloned out of their lock first: a wake may drive an engine.)
    pub fn close(&self) {
        self.flags.0.closed.store(true, Ordering::SeqCst);
        self.wake_reader();
        let writer = self.writer.lock().clone();
        writer.wake();
    }

    /// Reader: about to fill the pipe itself (driving its engine), so a
    /// publish need not wake it.
    pub fn reader_awake(&self) {
        self.flags.0.reader_waiting.store(false, Ordering::SeqCst);
    }

    pub fn is_closed(&self) -> bool {
        self.flags.0.closed.load(Ordering::SeqCst)
    }
}

/// Where a full pipe's writer is woken again: half way down for small
/// marks, 1024 below the mark for large ones (as libzmq).
/// Reader: how many messages may be read before the count is published;
/// small marks need every message counted.
fn publish_every(hwm: usize) -> usize {
    (hwm / 64).clamp(1, 32)
}

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
    use crate::signal::Signaler;

    /// Whether the signal is raised now (looked at, not lowered).
    fn raised(s: &Signaler) -> bool {
        crate::signal::tests::readable(s)
    }

    /// A side that raises this signal on every wake.
    struct Raise(Arc<Signaler>);

    impl Wake for Raise {
        fn wake(&self) {
            self.0.notify()
        }
    }

    fn watched(s: &Arc<Signaler>) -> Waker {
        Waker::new(Arc::new(Raise(s.clone())))
    }

    fn frame(data: &[u8], more: bool) -> Msg {
        let mut m = Msg::from_slice(data);
        m.set_more(more);
        m
    }

    #[test]
    fn conflating_pipe_keeps_only_the_newest_whole_message() {
        let p = Pipe::conflating();
        assert!(p.check_write());
        for i in 0..5000u32 {
            assert!(p.check_write(), "a conflating pipe never fills");
            p.write(frame(&i.to_be_bytes(), false));
        }
        p.write(frame(b"head", true));
        p.write(frame(b"tail", false));
        p.write(frame(b"half", true));
        assert_eq!(p.read().unwrap().data(), b"head");
        assert_eq!(p.read().unwrap().data(), b"tail");
        assert!(p.read().is_none(), "an unfinished message stays invisible");
        p.write(frame(b"done", false));
        assert_eq!(p.read().unwrap().data(), b"half");
        assert_eq!(p.read().unwrap().data(), b"done");
        assert!(!p.has_message());
    }

    #[test]
    fn a_pipe_has_one_writer_and_one_reader_each_on_one_thread_at_a_time() {
        fn send<T: Send>() {}
        send::<Writer>();
        send::<Reader>();
        crate::assert_not_impl!(Writer: Sync);
        crate::assert_not_impl!(Reader: Sync);
        crate::assert_not_impl!(Writer: Clone);
        crate::assert_not_impl!(Reader: Clone);
    }

    #[test]
    fn conflating_pipe_wakes_a_waiting_reader() {
        let s = Arc::new(Signaler::new().unwrap());
        let p = Pipe::conflating();
        p.set_reader(watched(&s));
        assert!(p.read().is_none());
        p.write(frame(b"x", false));
        assert!(raised(&s), "the reader was woken");
        assert_eq!(p.read().unwrap().data(), b"x");
    }

    #[test]
    fn a_spinning_reader_is_not_woken_and_an_armed_one_is() {
        let s = Arc::new(Signaler::new().unwrap());
        let (tx, rx) = pipe(0, false);
        rx.set_reader(watched(&s));
        assert!(rx.read_spinning().is_none());
        tx.write(frame(b"1", false));
        assert!(!raised(&s), "a spinning look asked for no wake-up");
        assert_eq!(rx.read_spinning().unwrap().data(), b"1");
        assert!(rx.read().is_none());
        tx.write(frame(b"2", false));
        assert!(raised(&s), "the last look before sleeping did");
        assert_eq!(rx.read_spinning().unwrap().data(), b"2");
    }

    #[test]
    fn read_into_fills_the_message_or_leaves_it_untouched() {
        for conflate in [false, true] {
            let (tx, rx) = pipe(0, conflate);
            let mut m = Msg::from_slice(b"kept");
            assert!(!rx.read_into(&mut m, false));
            assert_eq!(m.data(), b"kept", "nothing to read: untouched");
            tx.write(frame(b"new", true));
            tx.write(frame(b"last", false));
            assert!(rx.read_into(&mut m, true));
            assert_eq!((m.data(), m.more()), (&b"new"[..], true));
            assert!(rx.read_into(&mut m, false));
            assert_eq!((m.data(), m.more()), (&b"last"[..], false));
            assert!(!rx.read_into(&mut m, false));
            assert_eq!(m.data(), b"last");
        }
    }

    #[test]
    fn each_sides_hot_fields_sit_on_cache_lines_of_their_own() {
        use std::mem::offset_of;
        let line = |at: usize| at / 64;
        // Where each field starts and ends, in lines of the pipe.
        let span = |at: usize, size: usize| (line(at), line(at + size - 1));
        let w = span(offset_of!(Pipe, w), size_of::<Line<WriterSide>>());
        let r = span(offset_of!(Pipe, r), size_of::<Line<ReaderSide>>());
        let f = span(offset_of!(Pipe, flags), size_of::<Line<Flags>>());
        let h = span(offset_of!(Pipe, hwm), size_of::<Line<AtomicUsize>>());
        // (The queue keeps its own two ends apart: see its tests.)
        let q = span(offset_of!(Pipe, queue), size_of::<Queue>());
        let all = [w, r, f, h, q];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(a.1 < b.0 || b.1 < a.0, "{a:?} and {b:?} share a line");
            }
        }
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
        p.set_reader(watched(&s));
        assert!(!p.has_message());
        for i in 0..3u8 {
            assert!(p.check_write());
            p.write_deferred(frame(&[i], false));
        }
        assert!(!p.check_write(), "unflushed messages count against the HWM");
        assert!(!p.has_message());
        assert!(!raised(&s));
        p.flush();
        assert!(raised(&s));
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
        p.set_writer(watched(&s));
        for _ in 0..10 {
            assert!(p.check_write());
            p.write(frame(b"x", false));
        }
        assert!(!p.check_write());
        for _ in 0..4 {
            p.read();
            assert!(!raised(&s), "woken above the low-water mark");
        }
        p.read();
        assert!(raised(&s), "woken at 5 of 10");
        assert_eq!(low_water_mark(5000), 3976);
        assert_eq!(low_water_mark(1), 1);
    }

    #[test]
    fn a_refilled_pipe_wakes_its_writer_again_only_at_the_low_water_mark() {
        let s = Arc::new(Signaler::new().unwrap());
        let p = Pipe::new(10);
        p.set_writer(watched(&s));
        let fill = |p: &Pipe| {
            while p.check_write() {
                p.write(frame(b"x", false));
            }
        };
        fill(&p);
        // The reader sees all ten at once, and reads down to the mark.
        for _ in 0..5 {
            p.read();
        }
        assert!(raised(&s), "woken at 5 of 10");
        s.drain();
        // The woken writer fills the pipe again while the reader is still
        // on the messages it saw first.
        fill(&p);
        for left in (6..10).rev() {
            p.read();
            assert!(!raised(&s), "woken with {left} of 10 still queued");
        }
        p.read();
        assert!(raised(&s), "woken at 5 of 10 again");
    }

    #[test]
    fn reader_wakes_blocked_writer() {
        let s = Arc::new(Signaler::new().unwrap());
        let p = Pipe::new(1);
        p.set_writer(watched(&s));
        p.write(frame(b"x", false));
        assert!(!p.check_write());
        assert!(!raised(&s));
        p.read();
        assert!(raised(&s));
    }

    #[test]
    fn writer_wakes_reader_only_after_it_found_the_pipe_empty() {
        let s = Arc::new(Signaler::new().unwrap());
        let p = Pipe::new(0);
        p.set_reader(watched(&s));
        assert!(p.read().is_none());
        p.write(frame(b"1", false));
        assert!(raised(&s));
        s.drain();
        p.write(frame(b"2", false));
        assert!(!raised(&s), "the reader has not looked since");
        assert_eq!(p.read().unwrap().data(), b"1");
        assert_eq!(p.read().unwrap().data(), b"2");
        p.write(frame(b"3", false));
        assert!(!raised(&s), "the reader has not found it empty");
        assert_eq!(p.read().unwrap().data(), b"3");
        assert!(!p.has_message());
        p.write(frame(b"4", false));
        assert!(raised(&s));
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
