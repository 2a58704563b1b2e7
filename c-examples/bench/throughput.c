// Throughput: PUSH to PULL over one connection, in one process (or two). The main
// thread sends COUNT messages of SIZE bytes; a receiver thread takes them,
// timing from the first message to the last (as libzmq's local_thr does).
//
//   throughput [endpoint] [size] [count] [null|curve|curve:KEY] [both|bind|connect] [hold]
//   defaults: tcp://127.0.0.1:* 64 1000000   (a wildcard port is read back
//   with ZMQ_LAST_ENDPOINT, so parallel runs never collide); "curve" secures
//   the connection with CURVE. The last argument splits the run between two
//   processes: "bind" (PULL) prints "ENDPOINT <address> <server key or ->",
//   then receives and reports the rate and its own cost; "connect" (PUSH,
//   given that address, and "curve:KEY" for CURVE) sends and reports its
//   cost as "throughput-part ..." (c-examples/bench/run.py adds the two).
//   With "hold" the connecting part keeps its connection, once all is sent,
//   until its standard input closes: the runner closes it when the receiver
//   has everything, because libzmq 4.3's ipc receiver can lose what it has
//   not yet taken in when its sender disconnects (1-2% of runs here).
//
// Prints one line of key=value pairs for c-examples/bench/run.py, including
// the CPU time (user + system, all threads, getrusage) and the context
// switches (voluntary + involuntary, all threads) per message, and the peak
// resident set size of the process in MiB.
#include <zmq.h>

#include "bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct receiver {
    void *socket;
    long count;
    size_t size;
    double seconds; // first message to last
    int failed;
};

static void *receive_all(void *arg)
{
    struct receiver *r = arg;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    double start = 0;
    for (long i = 0; i < r->count; i++) {
        if (zmq_msg_recv(&msg, r->socket, 0) == -1) {
            fprintf(stderr, "error: zmq_msg_recv: %s (after %ld of %ld messages)\n",
                    zmq_strerror(zmq_errno()), i, r->count);
            r->failed = 1;
            break;
        }
        if (zmq_msg_size(&msg) != r->size) {
            fprintf(stderr, "error: message %ld has %zu bytes\n", i, zmq_msg_size(&msg));
            r->failed = 1;
            break;
        }
        if (i == 0)
            start = now();
    }
    r->seconds = now() - start;
    zmq_msg_close(&msg);
    return NULL;
}

static void send_all(void *push, size_t size, long count);

// The result line: the rate over `seconds` (first message to last) and the
// cost since `start`, per message.
static void print_result(size_t size, long count, double seconds, struct cost start)
{
    struct cost end = cost_now();
    double rate = (double) (count - 1) / seconds;
    printf("throughput size=%zu count=%ld seconds=%.6f msgs_per_s=%.0f mb_per_s=%.2f "
           "cpu_us_per_msg=%.4f csw_per_msg=%.6f peak_rss_mib=%.1f\n",
           size, count, seconds, rate, rate * (double) size / 1e6,
           (end.cpu - start.cpu) * 1e6 / (double) count,
           (double) (end.switches - start.switches) / (double) count, peak_rss_mib());
}

// One part of a two-process run: the PULL side binds, announces where,
// receives and reports the rate; the PUSH side connects, sends and reports
// its own cost.
static int run_part(enum part part, const char *endpoint, size_t size, long count,
                    const char *mechanism, int hold)
{
    void *context = zmq_ctx_new();
    void *socket = zmq_socket(context, part == BIND ? ZMQ_PULL : ZMQ_PUSH);
    if (socket == NULL)
        die("zmq_socket");
    int timeout = 30000;
    zmq_setsockopt(socket, part == BIND ? ZMQ_RCVTIMEO : ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    struct cost start = cost_now();
    if (part == BIND) {
        char bound[256], public[41] = "";
        if (is_curve(mechanism))
            secure_server(socket, public);
        bind_endpoint(socket, endpoint, bound, sizeof bound);
        announce(bound, public);
        struct receiver r = {socket, count, size, 0, 0};
        receive_all(&r);
        if (r.failed)
            return 1;
        print_result(size, count, r.seconds, start);
        zmq_close(socket);
        zmq_ctx_term(context);
        return 0;
    }
    if (is_curve(mechanism))
        secure_client(socket, mechanism + strlen("curve:"));
    if (zmq_connect(socket, endpoint) == -1)
        die("zmq_connect");
    send_all(socket, size, count);
    if (hold)
        while (getchar() != EOF)
            ;
    zmq_close(socket);
    zmq_ctx_term(context); // waits until every message is out
    print_part_cost("throughput", start, count);
    return 0;
}

static void send_all(void *push, size_t size, long count)
{
    for (long i = 0; i < count; i++) {
        zmq_msg_t msg;
        if (zmq_msg_init_size(&msg, size) == -1)
            die("zmq_msg_init_size");
        if (size > 0)
            memset(zmq_msg_data(&msg), (int) (i & 0xff), size < 8 ? size : 8);
        if (zmq_msg_send(&msg, push, 0) == -1)
            die("zmq_msg_send");
    }
}

int main(int argc, char **argv)
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://127.0.0.1:*";
    size_t size = argc > 2 ? (size_t) atol(argv[2]) : 64;
    long count = argc > 3 ? atol(argv[3]) : 1000000;
    if (count < 2) {
        fprintf(stderr, "error: count must be at least 2\n");
        return 2;
    }
    const char *mechanism = argc > 4 ? argv[4] : NULL;
    enum part part = part_of(argc > 5 ? argv[5] : NULL);
    int hold = argc > 6 && strcmp(argv[6], "hold") == 0;
    if (argc > 6 && !hold) {
        fprintf(stderr, "error: \"%s\" is not hold\n", argv[6]);
        return 2;
    }
    if (part != BOTH)
        return run_part(part, endpoint, size, count, mechanism, hold);

    void *context = zmq_ctx_new();
    void *pull = zmq_socket(context, ZMQ_PULL);
    void *push = zmq_socket(context, ZMQ_PUSH);
    if (pull == NULL || push == NULL)
        die("zmq_socket");
    int timeout = 30000;
    zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(push, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    char bound[256];
    secure(mechanism, pull, push);
    bind_endpoint(pull, endpoint, bound, sizeof bound);
    if (zmq_connect(push, bound) == -1)
        die("zmq_connect");

    struct receiver r = {pull, count, size, 0, 0};
    pthread_t thread;
    struct cost start = cost_now();
    if (pthread_create(&thread, NULL, receive_all, &r) != 0) {
        fprintf(stderr, "error: pthread_create\n");
        return 1;
    }
    send_all(push, size, count);
    pthread_join(thread, NULL);
    if (r.failed)
        return 1;
    print_result(size, count, r.seconds, start);

    zmq_close(push);
    zmq_close(pull);
    zmq_ctx_term(context);
    return 0;
}
