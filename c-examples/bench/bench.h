// Helpers shared by the benchmark programs (throughput, latency, fanout,
// connections, churn): one copy of the clock, the CPU and memory accounting and the
// error exit, so every program measures the same way. Header only, so each
// program still builds with one plain line, `gcc -Wall NAME.c -o NAME -lzmq
// -lpthread`. The functions are static inline: a program that does not use
// one of them gets no unused-function warning.
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <zmq.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

// A memory figure of this process in MiB from /proc/self/status ("VmHWM",
// "VmRSS"), or -1 where there is no /proc.
static inline double status_mib(const char *field)
{
    FILE *status = fopen("/proc/self/status", "r");
    if (status == NULL)
        return -1;
    char line[256];
    size_t len = strlen(field);
    long kib = -1;
    while (kib < 0 && fgets(line, sizeof line, status) != NULL)
        if (strncmp(line, field, len) != 0 || line[len] != ':' ||
            sscanf(line + len + 1, " %ld kB", &kib) != 1)
            kib = -1;
    fclose(status);
    return kib >= 0 ? (double) kib / 1024.0 : -1;
}

// The peak resident set size of this process in MiB: VmHWM, which starts
// afresh at exec. (getrusage's ru_maxrss keeps the peak of the process
// image before exec, so a program started by a big parent such as Python
// reports at least the parent's size; it is the fallback where there is no
// /proc.)
static inline double peak_rss_mib(void)
{
    double mib = status_mib("VmHWM");
    if (mib >= 0)
        return mib;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double) usage.ru_maxrss / 1024.0; // KiB on Linux
}

// Three descriptors or so per connection (both ends, a wake-up signal) and
// spare ones: raises the soft limit, never past the hard one.
static inline void raise_fd_limit(int connections)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == -1) {
        perror("error: getrlimit");
        exit(1);
    }
    rlim_t wanted = (rlim_t) connections * 4 + 256;
    if (wanted < 4096)
        wanted = 4096;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        limit.rlim_cur = limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= wanted
                             ? wanted
                             : limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) == -1) {
            perror("error: setrlimit");
            exit(1);
        }
    }
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

// The optional security argument of the benchmarks: "null" (or none), or
// "curve" for a CURVE connection. A process that runs only the binding side
// (a part, below) makes the server's key pair and announces its public key;
// the runner hands it to the connecting process as "curve:KEY".
static inline int is_curve(const char *mechanism)
{
    return mechanism != NULL && strncmp(mechanism, "curve", 5) == 0;
}

// Makes `server` a CURVE server with a fresh key pair; its public key goes
// to `public` (41 bytes).
static inline void secure_server(void *server, char *public)
{
    char secret[41];
    if (zmq_curve_keypair(public, secret) == -1)
        die("zmq_curve_keypair");
    int one = 1;
    if (zmq_setsockopt(server, ZMQ_CURVE_SERVER, &one, sizeof one) == -1 ||
        zmq_setsockopt(server, ZMQ_CURVE_SECRETKEY, secret, 40) == -1)
        die("set the server's CURVE keys");
}

// Makes `client` a CURVE client of the server whose public key is given,
// with a fresh key pair of its own.
static inline void secure_client(void *client, const char *server_public)
{
    char public[41], secret[41];
    if (zmq_curve_keypair(public, secret) == -1)
        die("zmq_curve_keypair");
    if (zmq_setsockopt(client, ZMQ_CURVE_SERVERKEY, server_public, 40) == -1 ||
        zmq_setsockopt(client, ZMQ_CURVE_PUBLICKEY, public, 40) == -1 ||
        zmq_setsockopt(client, ZMQ_CURVE_SECRETKEY, secret, 40) == -1)
        die("set the client's CURVE keys");
}

// Both ends in one process: `server` and `client` secured as `mechanism`
// asks.
static inline void secure(const char *mechanism, void *server, void *client)
{
    if (!is_curve(mechanism))
        return;
    char public[41];
    secure_server(server, public);
    secure_client(client, public);
}

// Which side of the connection this process runs: both (threads of one
// process), or one part of two processes, the binding one started first.
enum part { BOTH, BIND, CONNECT };

static inline enum part part_of(const char *arg)
{
    if (arg == NULL || strcmp(arg, "both") == 0)
        return BOTH;
    if (strcmp(arg, "bind") == 0)
        return BIND;
    if (strcmp(arg, "connect") == 0)
        return CONNECT;
    fprintf(stderr, "error: part \"%s\" is not both, bind or connect\n", arg);
    exit(2);
}

// The binding part tells the runner where to connect (and, for CURVE, the
// server's public key) in its first line.
static inline void announce(const char *bound, const char *public)
{
    printf("ENDPOINT %s %s\n", bound, public[0] ? public : "-");
    fflush(stdout);
}

// The cost line of a part that measures nothing else: this process's CPU
// and context switches per message, and its peak RSS.
static inline void print_part_cost(const char *name, struct cost start, long count)
{
    struct cost end = cost_now();
    printf("%s-part cpu_us_per_msg=%.4f csw_per_msg=%.6f peak_rss_mib=%.1f\n", name,
           (end.cpu - start.cpu) * 1e6 / (double) count,
           (double) (end.switches - start.switches) / (double) count, peak_rss_mib());
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
