// Latency: REQ/REP round trips over one connection, in one process (or two). A
// thread echoes with REP; the main thread times each round trip of a SIZE
// byte message and reports the average and the 99th percentile.
//
//   latency [endpoint] [size] [count] [null|curve|curve:KEY] [both|bind|connect]
//   defaults: tcp://127.0.0.1:* 64 10000   (a wildcard port is read back
//   with ZMQ_LAST_ENDPOINT); "curve" secures the connection with CURVE. The
//   last argument splits the run between two processes: "bind" echoes with
//   REP (first printing "ENDPOINT <address> <server key or ->") and reports
//   its cost as "latency-part ..."; "connect" times the round trips with REQ
//
// The first 100 round trips (connection set-up, cold caches) are not timed.
// Prints one line of key=value pairs for c-examples/bench/run.py, with the
// CPU time (user + system, both threads) and the context switches per timed
// round trip.
#include <zmq.h>

#include "bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WARM_UP 100

struct echo {
    void *socket;
    long count;
};

static void *echo_all(void *arg)
{
    struct echo *e = arg;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (long i = 0; i < e->count; i++) {
        if (zmq_msg_recv(&msg, e->socket, 0) == -1 || zmq_msg_send(&msg, e->socket, 0) == -1)
            die("echo");
    }
    zmq_msg_close(&msg);
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

// The REP side of a two-process run: binds, announces where, echoes
// `rounds` requests and reports its own cost.
static int echo_part(const char *endpoint, long count, const char *mechanism)
{
    void *context = zmq_ctx_new();
    void *rep = zmq_socket(context, ZMQ_REP);
    if (rep == NULL)
        die("zmq_socket");
    int timeout = 30000;
    zmq_setsockopt(rep, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    char bound[256], public[41] = "";
    if (is_curve(mechanism))
        secure_server(rep, public);
    bind_endpoint(rep, endpoint, bound, sizeof bound);
    announce(bound, public);
    struct echo e = {rep, count + WARM_UP};
    struct cost start = cost_now();
    echo_all(&e);
    print_part_cost("latency", start, count);
    zmq_close(rep);
    zmq_ctx_term(context);
    return 0;
}

int main(int argc, char **argv)
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://127.0.0.1:*";
    size_t size = argc > 2 ? (size_t) atol(argv[2]) : 64;
    long count = argc > 3 ? atol(argv[3]) : 10000;
    if (count < 1) {
        fprintf(stderr, "error: count must be at least 1\n");
        return 2;
    }
    const char *mechanism = argc > 4 ? argv[4] : NULL;
    enum part part = part_of(argc > 5 ? argv[5] : NULL);
    if (part == BIND)
        return echo_part(endpoint, count, mechanism);

    void *context = zmq_ctx_new();
    void *req = zmq_socket(context, ZMQ_REQ);
    void *rep = part == BOTH ? zmq_socket(context, ZMQ_REP) : NULL;
    if (req == NULL || (part == BOTH && rep == NULL))
        die("zmq_socket");
    int timeout = 30000;
    zmq_setsockopt(req, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    char bound[256];
    struct echo e = {rep, count + WARM_UP};
    pthread_t thread;
    if (part == BOTH) {
        zmq_setsockopt(rep, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
        secure(mechanism, rep, req);
        bind_endpoint(rep, endpoint, bound, sizeof bound);
        endpoint = bound;
    } else if (is_curve(mechanism)) {
        secure_client(req, mechanism + strlen("curve:"));
    }
    if (zmq_connect(req, endpoint) == -1)
        die("zmq_connect");
    if (part == BOTH && pthread_create(&thread, NULL, echo_all, &e) != 0) {
        fprintf(stderr, "error: pthread_create\n");
        return 1;
    }

    char *payload = calloc(size + 1, 1);
    double *rtt = malloc(sizeof(double) * (size_t) count);
    if (payload == NULL || rtt == NULL) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    struct cost start = {0, 0};
    zmq_msg_t reply;
    zmq_msg_init(&reply);
    for (long i = -WARM_UP; i < count; i++) {
        if (i == 0)
            start = cost_now();
        double sent = now();
        if (zmq_send(req, payload, size, 0) == -1)
            die("zmq_send");
        if (zmq_msg_recv(&reply, req, 0) == -1)
            die("zmq_msg_recv");
        double received = now();
        if (zmq_msg_size(&reply) != size) {
            fprintf(stderr, "error: reply of %zu bytes\n", zmq_msg_size(&reply));
            return 1;
        }
        if (i >= 0)
            rtt[i] = (received - sent) * 1e6; // microseconds
    }
    struct cost end = cost_now();
    zmq_msg_close(&reply);
    if (part == BOTH)
        pthread_join(thread, NULL);

    double total = 0;
    for (long i = 0; i < count; i++)
        total += rtt[i];
    qsort(rtt, (size_t) count, sizeof(double), by_value);
    long p99 = (long) ((double) count * 0.99);
    if (p99 >= count)
        p99 = count - 1;
    printf("latency size=%zu count=%ld avg_us=%.2f p50_us=%.2f p99_us=%.2f cpu_us_per_msg=%.3f "
           "csw_per_msg=%.3f\n",
           size, count, total / (double) count, rtt[count / 2], rtt[p99],
           (end.cpu - start.cpu) * 1e6 / (double) count,
           (double) (end.switches - start.switches) / (double) count);

    free(rtt);
    free(payload);
    zmq_close(req);
    if (rep != NULL)
        zmq_close(rep);
    zmq_ctx_term(context);
    return 0;
}
