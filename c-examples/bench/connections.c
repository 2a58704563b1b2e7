// Connections: DEALERS DEALER sockets connected over tcp to one ROUTER, in
// one process. The main thread binds the ROUTER and echoes every request to
// the routing id it came from; ONE client thread owns all the DEALERs.
//
//   connections [endpoint] [dealers] [requests]
//   connections [endpoint] [dealers] idle
//   defaults: tcp://127.0.0.1:* 1000 100   (a wildcard port is read back
//   with ZMQ_LAST_ENDPOINT)
//
// Busy (the default): the client creates and connects every DEALER, then
// makes REQUESTS passes, each sending one request from every DEALER in turn
// and taking whatever replies have arrived (zmq_poll over all the DEALERs);
// then it polls until every reply is in. Each reply must come back to the
// DEALER that sent it, in order. The time runs from creating the first
// DEALER to the last reply; CPU time (user + system, all threads) and
// context switches are per request.
//
// idle: every DEALER sends one hello; once the ROUTER has had a hello from
// every one of them, the process stays idle for 200 ms with all the
// connections open. The time is from creating the first DEALER to the last
// hello.
//
// Both print one line of key=value pairs for c-examples/bench/run.py, with
// the peak resident set size of the process (VmHWM, see peak_rss_mib in
// bench.h) in MiB.
#include <zmq.h>

#include "bench.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define TIMEOUT_MS 30000
#define IDLE_MS 200

struct request {
    uint32_t dealer;
    uint32_t sequence;
};

struct client {
    void *context;
    const char *endpoint;
    int dealers;
    long requests; // 0: idle mode
    atomic_int release; // idle mode: set by the main thread when done
    double started; // now() before the first DEALER
    double finished; // now() at the last reply (busy mode)
    int failed;
};

// Reads every reply waiting on dealer i; returns how many, or -1 on error.
static long drain(void *dealer, uint32_t i, uint32_t *expected)
{
    long got = 0;
    for (;;) {
        struct request reply;
        int size = zmq_recv(dealer, &reply, sizeof reply, ZMQ_DONTWAIT);
        if (size == -1) {
            if (zmq_errno() == EAGAIN)
                return got;
            fprintf(stderr, "error: zmq_recv: %s\n", zmq_strerror(zmq_errno()));
            return -1;
        }
        if (size != (int) sizeof reply || reply.dealer != i || reply.sequence != expected[i]) {
            fprintf(stderr, "error: dealer %u: reply of %d bytes for dealer %u sequence %u, "
                            "wanted sequence %u\n",
                    i, size, reply.dealer, reply.sequence, expected[i]);
            return -1;
        }
        expected[i]++;
        got++;
    }
}

static void *run_client(void *arg)
{
    struct client *c = arg;
    void **dealers = calloc((size_t) c->dealers, sizeof *dealers);
    zmq_pollitem_t *items = calloc((size_t) c->dealers, sizeof *items);
    uint32_t *expected = calloc((size_t) c->dealers, sizeof *expected);
    if (dealers == NULL || items == NULL || expected == NULL) {
        fprintf(stderr, "error: out of memory\n");
        exit(1);
    }

    int timeout = TIMEOUT_MS, linger = 0;
    c->started = now();
    for (int i = 0; i < c->dealers; i++) {
        dealers[i] = zmq_socket(c->context, ZMQ_DEALER);
        if (dealers[i] == NULL)
            die("zmq_socket(DEALER)");
        if (zmq_setsockopt(dealers[i], ZMQ_SNDTIMEO, &timeout, sizeof timeout) == -1 ||
            zmq_setsockopt(dealers[i], ZMQ_LINGER, &linger, sizeof linger) == -1)
            die("zmq_setsockopt(DEALER)");
        if (zmq_connect(dealers[i], c->endpoint) == -1)
            die("zmq_connect");
        items[i] = (zmq_pollitem_t){dealers[i], 0, ZMQ_POLLIN, 0};
    }

    if (c->requests == 0) {
        for (int i = 0; i < c->dealers; i++) {
            struct request hello = {(uint32_t) i, 0};
            if (zmq_send(dealers[i], &hello, sizeof hello, 0) == -1)
                die("zmq_send(hello)");
        }
        double give_up = now() + 2 * TIMEOUT_MS / 1000.0;
        while (!atomic_load(&c->release)) {
            if (now() > give_up) {
                fprintf(stderr, "error: the ROUTER never had every hello\n");
                exit(1);
            }
            sleep_ms(1);
        }
    } else {
        long total = (long) c->dealers * c->requests, received = 0;
        for (long pass = 0; pass < c->requests; pass++) {
            for (int i = 0; i < c->dealers; i++) {
                struct request request = {(uint32_t) i, (uint32_t) pass};
                if (zmq_send(dealers[i], &request, sizeof request, 0) == -1)
                    die("zmq_send(request)");
            }
            // Take what has come back so far, without waiting.
            int ready = zmq_poll(items, c->dealers, 0);
            if (ready == -1)
                die("zmq_poll");
            for (int i = 0; ready > 0 && i < c->dealers; i++) {
                if (items[i].revents & ZMQ_POLLIN) {
                    long got = drain(dealers[i], (uint32_t) i, expected);
                    if (got == -1)
                        exit(1);
                    received += got;
                }
            }
        }
        while (received < total) {
            int ready = zmq_poll(items, c->dealers, TIMEOUT_MS);
            if (ready == -1)
                die("zmq_poll");
            if (ready == 0) {
                fprintf(stderr, "error: %ld of %ld replies after %d ms of silence\n", received,
                        total, TIMEOUT_MS);
                exit(1);
            }
            for (int i = 0; i < c->dealers; i++) {
                if (items[i].revents & ZMQ_POLLIN) {
                    long got = drain(dealers[i], (uint32_t) i, expected);
                    if (got == -1)
                        exit(1);
                    received += got;
                }
            }
        }
        c->finished = now();
        for (int i = 0; i < c->dealers; i++) {
            if (expected[i] != (uint32_t) c->requests) {
                fprintf(stderr, "error: dealer %d had %u replies\n", i, expected[i]);
                exit(1);
            }
        }
    }

    for (int i = 0; i < c->dealers; i++)
        zmq_close(dealers[i]);
    free(expected);
    free(items);
    free(dealers);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://127.0.0.1:*";
    int dealers = argc > 2 ? atoi(argv[2]) : 1000;
    int idle = argc > 3 && strcmp(argv[3], "idle") == 0;
    long requests = idle ? 0 : argc > 3 ? atol(argv[3]) : 100;
    if (dealers < 1 || (!idle && requests < 1)) {
        fprintf(stderr, "error: need dealers >= 1 and requests >= 1 (or idle)\n");
        return 2;
    }
    raise_fd_limit(dealers);

    void *context = zmq_ctx_new();
    if (context == NULL)
        die("zmq_ctx_new");
    if (zmq_ctx_set(context, ZMQ_MAX_SOCKETS, dealers + 64) == -1)
        die("zmq_ctx_set(ZMQ_MAX_SOCKETS)");
    void *router = zmq_socket(context, ZMQ_ROUTER);
    if (router == NULL)
        die("zmq_socket(ROUTER)");
    int timeout = TIMEOUT_MS, linger = 0, mandatory = 1;
    if (zmq_setsockopt(router, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == -1 ||
        zmq_setsockopt(router, ZMQ_SNDTIMEO, &timeout, sizeof timeout) == -1 ||
        zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger) == -1 ||
        zmq_setsockopt(router, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof mandatory) == -1)
        die("zmq_setsockopt(ROUTER)");
    // The DEALERs connect all at once: with libzmq's default listen backlog
    // (100) the kernel drops most of the burst and the connections trickle in
    // on SYN retries, 1 s, 3 s, 7 s later. A library without ZMQ_BACKLOG
    // (EINVAL) runs with its own default, reported as backlog=0.
    int backlog = dealers < 100 ? 100 : dealers;
    if (zmq_setsockopt(router, ZMQ_BACKLOG, &backlog, sizeof backlog) == -1) {
        if (zmq_errno() != EINVAL)
            die("zmq_setsockopt(ZMQ_BACKLOG)");
        fprintf(stderr, "note: no ZMQ_BACKLOG, the library's default listen backlog applies\n");
        backlog = 0;
    }
    char bound[256];
    bind_endpoint(router, endpoint, bound, sizeof bound);

    struct client client = {context, bound, dealers, requests, 0, 0, 0, 0};
    pthread_t thread;
    struct cost start = cost_now();
    if (pthread_create(&thread, NULL, run_client, &client) != 0) {
        fprintf(stderr, "error: pthread_create\n");
        return 1;
    }

    // Echo every request (idle: count the hellos, one from each DEALER).
    long expected = idle ? dealers : (long) dealers * requests;
    char *seen = calloc((size_t) dealers, 1);
    if (seen == NULL) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    zmq_msg_t id, body;
    zmq_msg_init(&id);
    zmq_msg_init(&body);
    for (long n = 0; n < expected; n++) {
        if (zmq_msg_recv(&id, router, 0) == -1) {
            fprintf(stderr, "error: ROUTER: %ld of %ld %s, then: %s\n", n, expected,
                    idle ? "hellos" : "requests", zmq_strerror(zmq_errno()));
            return 1;
        }
        if (!zmq_msg_more(&id)) {
            fprintf(stderr, "error: a message without a routing id\n");
            return 1;
        }
        if (zmq_msg_recv(&body, router, 0) == -1)
            die("zmq_msg_recv(body)");
        if (zmq_msg_more(&body) || zmq_msg_size(&body) != sizeof(struct request)) {
            fprintf(stderr, "error: a request of %zu bytes%s\n", zmq_msg_size(&body),
                    zmq_msg_more(&body) ? " and more frames" : "");
            return 1;
        }
        if (idle) {
            struct request hello;
            memcpy(&hello, zmq_msg_data(&body), sizeof hello);
            if (hello.dealer >= (uint32_t) dealers || seen[hello.dealer]) {
                fprintf(stderr, "error: unexpected hello from dealer %u\n", hello.dealer);
                return 1;
            }
            seen[hello.dealer] = 1;
            continue;
        }
        if (zmq_msg_send(&id, router, ZMQ_SNDMORE) == -1 || zmq_msg_send(&body, router, 0) == -1)
            die("zmq_msg_send(reply)");
    }
    double last_hello = now();
    if (idle) {
        sleep_ms(IDLE_MS);
        double rss = peak_rss_mib();
        atomic_store(&client.release, 1);
        pthread_join(thread, NULL);
        printf("connections mode=idle dealers=%d backlog=%d seconds=%.6f peak_rss_mib=%.1f\n",
               dealers, backlog, last_hello - client.started, rss);
    } else {
        pthread_join(thread, NULL);
        struct cost end = cost_now();
        double seconds = client.finished - client.started;
        printf("connections mode=busy dealers=%d backlog=%d requests=%ld seconds=%.6f "
               "requests_per_s=%.0f "
               "cpu_us_per_msg=%.4f csw_per_msg=%.6f peak_rss_mib=%.1f\n",
               dealers, backlog, requests, seconds, (double) expected / seconds,
               (end.cpu - start.cpu) * 1e6 / (double) expected,
               (double) (end.switches - start.switches) / (double) expected, peak_rss_mib());
    }

    zmq_msg_close(&body);
    zmq_msg_close(&id);
    free(seen);
    zmq_close(router);
    zmq_ctx_term(context);
    return 0;
}
