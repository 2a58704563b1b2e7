//! The context options that shape I/O threads: name prefix, CPU affinity
//! and scheduling policy, seen from /proc as any tool would see them.

use zmq_core::{ctx, Context, SocketType};

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
