// Helpers shared by the benchmark programs (throughput, latency, fanout,
// connections): one copy of the clock, the CPU and memory accounting and the
// error exit, so every program measures the same way. Header only, so each
// program still builds with one plain line, `gcc -Wall NAME.c -o NAME -lzmq
// -lpthread`. The functions are static inline: a program that does not use
// one of them gets no unused-function warning.
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <zmq.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

// Seconds on the monotonic clock (times are differences of two calls).
static inline double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

// CPU seconds and context switches of the whole process so far.
struct cost {
    double cpu;
    long switches;
};

static inline struct cost cost_now(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    struct cost c = {(double) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                         (double) (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
                     usage.ru_nvcsw + usage.ru_nivcsw};
    return c;
}

// The peak resident set size of this process in MiB: VmHWM from
// /proc/self/status, which starts afresh at exec. (getrusage's ru_maxrss
// keeps the peak of the process image before exec, so a program started by
// a big parent such as Python reports at least the parent's size; it is the
// fallback where there is no /proc.)
static inline double peak_rss_mib(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    if (status != NULL) {
        char line[256];
        long kib = -1;
        while (kib < 0 && fgets(line, sizeof line, status) != NULL)
            if (sscanf(line, "VmHWM: %ld kB", &kib) != 1)
                kib = -1;
        fclose(status);
        if (kib >= 0)
            return (double) kib / 1024.0;
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double) usage.ru_maxrss / 1024.0; // KiB on Linux
}

// Exit on a failed libzmq call, naming it and libzmq's error.
static inline void die(const char *what)
{
    fprintf(stderr, "error: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

static inline void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

// Binds `socket` to `endpoint` and writes the endpoint it resolved to (a
// wildcard port filled in) into `bound`, for the peers to connect to.
static inline void bind_endpoint(void *socket, const char *endpoint, char *bound, size_t size)
{
    if (zmq_bind(socket, endpoint) == -1)
        die("zmq_bind");
    if (zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, bound, &size) == -1)
        die("ZMQ_LAST_ENDPOINT");
}

#endif
