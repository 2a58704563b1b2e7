//! How a context's I/O threads are named and scheduled: the context
//! options ZMQ_THREAD_NAME_PREFIX, ZMQ_THREAD_PRIORITY,
//! ZMQ_THREAD_SCHED_POLICY and ZMQ_THREAD_AFFINITY_CPU_ADD/REMOVE.

/// Settings every I/O thread of a context starts with.
#[derive(Clone, Debug, Default)]
pub struct ThreadSettings {
    /// Put before "/ZMQbg/IO/<n>" in the thread's name (empty: none).
    pub name_prefix: String,
    /// Scheduling priority and policy (None: the OS default).
    pub priority: Option<i32>,
    pub policy: Option<i32>,
    /// CPUs the threads may run on (empty: any).
    pub cpus: Vec<i32>,
}

impl ThreadSettings {
    /// The name of I/O thread `i`, as libzmq names its own (Linux keeps 15
    /// bytes of it).
    pub fn name(&self, i: i32) -> String {
        let mut name = if self.name_prefix.is_empty() {
            format!("ZMQbg/IO/{i}")
        } else {
            format!("{}/ZMQbg/IO/{i}", self.name_prefix)
        };
        name.truncate(15);
        name
    }

    /// Applies the scheduling settings to the calling thread. Failures
    /// (say, a real-time policy without the privilege) leave the thread as
    /// it was: libzmq aborts there, we carry on.
    pub fn apply(&self) {
        block_signals();
        if self.priority.is_some() || self.policy.is_some() {
            // SAFETY: sched_param is plain data and pthread_self() is the
            // calling thread, alive for both calls.
            unsafe {
                let mut policy = 0;
                let mut param: libc::sched_param = std::mem::zeroed();
                if libc::pthread_getschedparam(libc::pthread_self(), &mut policy, &mut param) == 0 {
                    if let Some(p) = self.priority {
                        param.sched_priority = p;
                    }
                    libc::pthread_setschedparam(
                        libc::pthread_self(),
                        self.policy.unwrap_or(policy),
                        &param,
                    );
                }
            }
        }
        if !self.cpus.is_empty() {
            // SAFETY: cpu_set_t is plain data, filled with CPU_SET inside
            // its bounds; 0 names the calling thread.
            unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                for &cpu in &self.cpus {
                    if (cpu as usize) < libc::CPU_SETSIZE as usize {
                        libc::CPU_SET(cpu as usize, &mut set);
                    }
                }
                libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
            }
        }
    }
}

/// Blocks every signal on the calling thread, as libzmq does on its own
/// threads: a signal meant for the application (SIGALRM, SIGINT) reaches
/// one of its threads, where a blocking call returns EINTR and the
/// handler runs, instead of vanishing into an I/O thread.
fn block_signals() {
    // SAFETY: sigset_t is plain data, filled by sigfillset before use; the
    // mask changed is the calling thread's own.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
    }
}
