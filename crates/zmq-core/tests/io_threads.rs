//! The context options that shape I/O threads: name prefix, CPU affinity
//! and scheduling policy, seen from /proc as any tool would see them.

mod common;

use zmq_core::{ctx, Context, Msg, SocketType};

/// The task id and /proc directory of this process's thread named `name`.
fn thread_named(name: &str) -> Option<std::path::PathBuf> {
    std::fs::read_dir("/proc/self/task").ok()?.find_map(|t| {
        let dir = t.ok()?.path();
        let comm = std::fs::read_to_string(dir.join("comm")).ok()?;
        (comm.trim_end() == name).then_some(dir)
    })
}

#[test]
fn io_threads_are_named_pinned_and_scheduled_as_asked() {
    let context = Context::new();
    context.set(ctx::THREAD_NAME_PREFIX, 4242).unwrap();
    context.set(ctx::THREAD_AFFINITY_CPU_ADD, 0).unwrap();
    context
        .set(ctx::THREAD_SCHED_POLICY, libc::SCHED_BATCH)
        .unwrap();
    assert_eq!(context.get(ctx::THREAD_NAME_PREFIX), Ok(4242));
    assert_eq!(context.get(ctx::THREAD_SCHED_POLICY), Ok(libc::SCHED_BATCH));
    // The I/O thread starts with the first tcp endpoint.
    let s = context.socket(SocketType::Pull).unwrap();
    s.bind("tcp://127.0.0.1:*").unwrap();

    // The thread names itself and applies its settings as it starts: give
    // it a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let seen = thread_named("4242/ZMQbg/IO/0").map(|dir| {
            let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
            let tid: i32 = dir.file_name().unwrap().to_str().unwrap().parse().unwrap();
            // SAFETY: sched_getscheduler only reads the policy of a task.
            let policy = unsafe { libc::sched_getscheduler(tid) };
            (status.contains("Cpus_allowed_list:\t0\n"), policy)
        });
        if seen == Some((true, libc::SCHED_BATCH)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "want a thread 4242/ZMQbg/IO/0 on CPU 0 under SCHED_BATCH: {seen:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn affinity_removes_only_what_was_added() {
    let context = Context::new();
    context.set(ctx::THREAD_AFFINITY_CPU_ADD, 1).unwrap();
    context.set(ctx::THREAD_AFFINITY_CPU_REMOVE, 1).unwrap();
    assert!(context.set(ctx::THREAD_AFFINITY_CPU_REMOVE, 1).is_err());
    assert!(context.set(ctx::THREAD_AFFINITY_CPU_ADD, -1).is_err());
    assert!(context.set(ctx::THREAD_PRIORITY, -1).is_err());
}

/// Pins the calling thread to `cpu`; threads it spawns inherit the mask.
fn pin_to(cpu: usize) {
    // SAFETY: cpu_set_t is plain data, set with CPU_SET inside its bounds;
    // 0 names the calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        assert_eq!(
            libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set),
            0
        );
    }
}

/// Every thread on one CPU (the application's and both I/O threads), as
/// a producer and consumer sharing a core: an I/O thread that hands the
/// CPU back to its streaming writer instead of sleeping (see the I/O loop)
/// must still deliver everything, and answer at once when the stream
/// turns into request and reply.
#[test]
fn streams_and_answers_with_every_thread_on_one_cpu() {
    use zmq_core::socket::options::{RCVTIMEO, SNDTIMEO};
    std::thread::spawn(|| {
        // SAFETY: sched_getcpu only reads the calling thread's state.
        let cpu = unsafe { libc::sched_getcpu() };
        let cpu = usize::try_from(cpu).unwrap_or(0);
        pin_to(cpu);
        let sender_ctx = Context::new();
        let receiver_ctx = Context::new();
        for c in [&sender_ctx, &receiver_ctx] {
            c.set(ctx::THREAD_AFFINITY_CPU_ADD, cpu as i32).unwrap();
        }
        let pull = receiver_ctx.socket(SocketType::Pull).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let endpoint = common::last_endpoint(&pull);
        let push = sender_ctx.socket(SocketType::Push).unwrap();
        push.connect(&endpoint).unwrap();
        for s in [&pull, &push] {
            common::set_int(s, RCVTIMEO, 10_000);
            common::set_int(s, SNDTIMEO, 10_000);
        }
        const COUNT: u32 = 200_000;
        let producer = std::thread::spawn(move || {
            for i in 0..COUNT {
                let mut body = [0u8; 64];
                body[..4].copy_from_slice(&i.to_le_bytes());
                push.send(&mut Msg::from_slice(&body), 0).unwrap();
            }
            push
        });
        for i in 0..COUNT {
            let m = pull.recv(0).expect("every message of the stream arrives");
            assert_eq!(m.data()[..4], i.to_le_bytes(), "in order");
        }
        producer.join().unwrap();

        let rep = receiver_ctx.socket(SocketType::Rep).unwrap();
        rep.bind("tcp://127.0.0.1:*").unwrap();
        let req = sender_ctx.socket(SocketType::Req).unwrap();
        req.connect(&common::last_endpoint(&rep)).unwrap();
        for s in [&rep, &req] {
            common::set_int(s, RCVTIMEO, 10_000);
        }
        for i in 0..200u32 {
            req.send(&mut Msg::from_slice(&i.to_le_bytes()), 0).unwrap();
            let asked = rep.recv(0).expect("the request arrives");
            rep.send(&mut Msg::from_slice(asked.data()), 0).unwrap();
            let answer = req.recv(0).expect("the reply arrives");
            assert_eq!(answer.data(), i.to_le_bytes());
        }
    })
    .join()
    .unwrap();
}
