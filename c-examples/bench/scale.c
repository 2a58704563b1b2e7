// Scale, between processes (c-examples/bench/run.py starts them and passes
// the word "GO" on a part's standard input when the others are ready):
//
//   scale router ENDPOINT CONNECTIONS
//       a ROUTER binds and prints "ENDPOINT <address> -"; once its monitor
//       has seen CONNECTIONS handshakes it prints "CONNECTED at=<seconds>"
//       (the monotonic clock, which all processes of the machine share),
//       then echoes one request per connection and prints its peak RSS,
//       per connection too, and its CPU time per request
//   scale dealers ENDPOINT DEALERS
//       makes and connects DEALERS DEALER sockets, prints "STARTED
//       at=<seconds>", waits for GO, sends one request from each and times
//       the round until every reply is back
//   scale pub ENDPOINT SIZE COUNT
//       a PUB (SNDHWM 0) binds, prints "ENDPOINT <address> -", sends a
//       one-byte hello every millisecond until GO, then COUNT messages of
//       SIZE bytes and an end marker
//   scale subs ENDPOINT COUNT SUBSCRIBERS
//       SUBSCRIBERS SUB sockets (RCVHWM 0) in one thread print "JOINED" once
//       each has had a hello, then each takes COUNT messages and the end
//       marker; the rate is all messages received over the time from the
//       first data message to the last end marker
//
// Each part prints one line of key=value pairs last.
#include <zmq.h>

#include "bench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TIMEOUT_MS 60000
#define HELLO 'H'
#define END 'E'

// Blocks until the runner writes a line on standard input.
static void wait_for_go(void)
{
    char line[16];
    if (fgets(line, sizeof line, stdin) == NULL || strncmp(line, "GO", 2) != 0) {
        fprintf(stderr, "error: no GO on standard input\n");
        exit(1);
    }
}

// Whether the runner has written its line yet (without waiting).
static int go_given(void)
{
    zmq_pollitem_t item = {NULL, STDIN_FILENO, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, 0) == -1)
        die("zmq_poll(stdin)");
    if (!(item.revents & ZMQ_POLLIN))
        return 0;
    wait_for_go();
    return 1;
}

static int router(const char *endpoint, int connections)
{
    raise_fd_limit(connections);
    void *context = zmq_ctx_new();
    void *router = zmq_socket(context, ZMQ_ROUTER);
    if (router == NULL)
        die("zmq_socket(ROUTER)");
    int timeout = TIMEOUT_MS, backlog = 4096;
    zmq_setsockopt(router, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(router, ZMQ_BACKLOG, &backlog, sizeof backlog);
    if (zmq_socket_monitor(router, "inproc://router-events", ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == -1)
        die("zmq_socket_monitor");
    void *events = zmq_socket(context, ZMQ_PAIR);
    zmq_setsockopt(events, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    // A monitor drops events its reader has no room for (as libzmq's): with
    // no limit here, a thread descheduled while 10,000 handshakes finish
    // cannot lose the ones it counts.
    int unlimited = 0;
    zmq_setsockopt(events, ZMQ_RCVHWM, &unlimited, sizeof unlimited);
    if (zmq_connect(events, "inproc://router-events") == -1)
        die("zmq_connect(monitor)");
    char bound[256];
    bind_endpoint(router, endpoint, bound, sizeof bound);
    announce(bound, "");
    struct cost start = cost_now();
    for (int seen = 0; seen < connections;) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, events, 0) == -1) {
            fprintf(stderr, "error: monitor event, after %d of %d handshakes: %s\n", seen,
                    connections, zmq_strerror(zmq_errno()));
            exit(1);
        }
        seen += !zmq_msg_more(&frame); // the endpoint frame ends an event
        zmq_msg_close(&frame);
    }
    printf("CONNECTED at=%.6f\n", now());
    fflush(stdout);
    for (int i = 0; i < connections; i++) {
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, router, 0) == -1 || zmq_msg_recv(&body, router, 0) == -1)
            die("zmq_msg_recv(ROUTER)");
        if (zmq_msg_send(&id, router, ZMQ_SNDMORE) == -1 || zmq_msg_send(&body, router, 0) == -1)
            die("zmq_msg_send(ROUTER)");
    }
    struct cost end = cost_now();
    double peak = peak_rss_mib();
    printf("scale-router connections=%d peak_rss_mib=%.1f rss_per_conn_kib=%.2f "
           "cpu_us_per_msg=%.3f csw_per_msg=%.4f\n",
           connections, peak, peak * 1024.0 / connections,
           (end.cpu - start.cpu) * 1e6 / connections,
           (double) (end.switches - start.switches) / connections);
    int linger = 1000;
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_socket_monitor(router, NULL, 0);
    zmq_close(events);
    zmq_close(router);
    zmq_ctx_term(context);
    return 0;
}

static int dealers(const char *endpoint, int count)
{
    raise_fd_limit(count);
    void *context = zmq_ctx_new();
    zmq_ctx_set(context, ZMQ_MAX_SOCKETS, count + 16);
    void **sockets = calloc((size_t) count, sizeof *sockets);
    zmq_pollitem_t *items = calloc((size_t) count, sizeof *items);
    if (sockets == NULL || items == NULL) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    printf("STARTED at=%.6f\n", now());
    fflush(stdout);
    struct cost start = cost_now();
    for (int i = 0; i < count; i++) {
        sockets[i] = zmq_socket(context, ZMQ_DEALER);
        if (sockets[i] == NULL)
            die("zmq_socket(DEALER)");
        int linger = 0;
        zmq_setsockopt(sockets[i], ZMQ_LINGER, &linger, sizeof linger);
        if (zmq_connect(sockets[i], endpoint) == -1)
            die("zmq_connect");
        items[i] = (zmq_pollitem_t){sockets[i], 0, ZMQ_POLLIN, 0};
    }
    wait_for_go();
    double go = now();
    for (int i = 0; i < count; i++)
        if (zmq_send(sockets[i], &i, sizeof i, 0) == -1)
            die("zmq_send(DEALER)");
    int replies = 0;
    double give_up = go + TIMEOUT_MS / 1000.0;
    while (replies < count) {
        if (zmq_poll(items, count, 1000) == -1)
            die("zmq_poll");
        for (int i = 0; i < count; i++) {
            if (!(items[i].revents & ZMQ_POLLIN))
                continue;
            int got = -1;
            while (zmq_recv(sockets[i], &got, sizeof got, ZMQ_DONTWAIT) == sizeof got) {
                if (got != i) {
                    fprintf(stderr, "error: DEALER %d got the reply for %d\n", i, got);
                    return 1;
                }
                replies++;
            }
        }
        if (now() > give_up) {
            fprintf(stderr, "error: %d of %d replies\n", replies, count);
            return 1;
        }
    }
    double done = now();
    struct cost end = cost_now();
    printf("scale-dealers dealers=%d round_s=%.6f cpu_us_per_msg=%.3f csw_per_msg=%.4f "
           "peak_rss_mib=%.1f\n",
           count, done - go, (end.cpu - start.cpu) * 1e6 / count,
           (double) (end.switches - start.switches) / count, peak_rss_mib());
    for (int i = 0; i < count; i++)
        zmq_close(sockets[i]);
    zmq_ctx_term(context);
    free(items);
    free(sockets);
    return 0;
}

static int publisher(const char *endpoint, size_t size, long count)
{
    void *context = zmq_ctx_new();
    void *pub = zmq_socket(context, ZMQ_PUB);
    if (pub == NULL)
        die("zmq_socket(PUB)");
    int unlimited = 0, timeout = TIMEOUT_MS, linger = 5000;
    zmq_setsockopt(pub, ZMQ_SNDHWM, &unlimited, sizeof unlimited);
    zmq_setsockopt(pub, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    char bound[256];
    bind_endpoint(pub, endpoint, bound, sizeof bound);
    announce(bound, "");
    char hello = HELLO, end = END;
    while (!go_given()) {
        if (zmq_send(pub, &hello, 1, 0) == -1)
            die("zmq_send(hello)");
        sleep_ms(1);
    }
    struct cost start = cost_now();
    char *body = calloc(size, 1);
    for (long i = 0; i < count; i++)
        if (zmq_send(pub, body, size, 0) == -1)
            die("zmq_send(PUB)");
    if (zmq_send(pub, &end, 1, 0) == -1)
        die("zmq_send(end)");
    zmq_close(pub);
    zmq_ctx_term(context); // every message out
    print_part_cost("scale-pub", start, count);
    free(body);
    return 0;
}

static int subscribers(const char *endpoint, long count, int subs)
{
    raise_fd_limit(subs);
    void *context = zmq_ctx_new();
    void **sockets = calloc((size_t) subs, sizeof *sockets);
    zmq_pollitem_t *items = calloc((size_t) subs, sizeof *items);
    long *received = calloc((size_t) subs, sizeof *received);
    char *state = calloc((size_t) subs, 1); // 0 waiting, 1 joined, 2 ended
    if (!sockets || !items || !received || !state) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    for (int i = 0; i < subs; i++) {
        sockets[i] = zmq_socket(context, ZMQ_SUB);
        int unlimited = 0;
        zmq_setsockopt(sockets[i], ZMQ_RCVHWM, &unlimited, sizeof unlimited);
        zmq_setsockopt(sockets[i], ZMQ_SUBSCRIBE, "", 0);
        if (zmq_connect(sockets[i], endpoint) == -1)
            die("zmq_connect(SUB)");
        items[i] = (zmq_pollitem_t){sockets[i], 0, ZMQ_POLLIN, 0};
    }
    int joined = 0, ended = 0;
    double first = 0, last = 0, give_up = now() + TIMEOUT_MS / 1000.0;
    struct cost start = cost_now();
    char buffer[65536];
    while (ended < subs) {
        if (zmq_poll(items, subs, 1000) == -1)
            die("zmq_poll");
        for (int i = 0; i < subs; i++) {
            if (!(items[i].revents & ZMQ_POLLIN))
                continue;
            int n;
            while ((n = zmq_recv(sockets[i], buffer, sizeof buffer, ZMQ_DONTWAIT)) >= 0) {
                if (n == 1 && buffer[0] == HELLO) {
                    if (state[i] == 0) {
                        state[i] = 1;
                        if (++joined == subs) {
                            printf("JOINED\n");
                            fflush(stdout);
                        }
                    }
                } else if (n == 1 && buffer[0] == END) {
                    state[i] = 2;
                    ended++;
                    last = now();
                } else {
                    if (first == 0) {
                        first = now();
                        start = cost_now();
                    }
                    received[i]++;
                }
            }
        }
        if (now() > give_up) {
            fprintf(stderr, "error: %d of %d subscribers done\n", ended, subs);
            return 1;
        }
    }
    struct cost end = cost_now();
    long total = 0;
    for (int i = 0; i < subs; i++) {
        if (received[i] != count) {
            fprintf(stderr, "error: subscriber %d received %ld of %ld\n", i, received[i], count);
            return 1;
        }
        total += received[i];
    }
    printf("scale-subs subscribers=%d count=%ld seconds=%.6f msgs_per_s=%.0f cpu_us_per_msg=%.4f "
           "csw_per_msg=%.6f peak_rss_mib=%.1f\n",
           subs, count, last - first, (double) total / (last - first),
           (end.cpu - start.cpu) * 1e6 / (double) total,
           (double) (end.switches - start.switches) / (double) total, peak_rss_mib());
    for (int i = 0; i < subs; i++)
        zmq_close(sockets[i]);
    zmq_ctx_term(context);
    return 0;
}

int main(int argc, char **argv)
{
    const char *role = argc > 1 ? argv[1] : "";
    const char *endpoint = argc > 2 ? argv[2] : "tcp://127.0.0.1:*";
    if (strcmp(role, "router") == 0 && argc > 3)
        return router(endpoint, atoi(argv[3]));
    if (strcmp(role, "dealers") == 0 && argc > 3)
        return dealers(endpoint, atoi(argv[3]));
    if (strcmp(role, "pub") == 0 && argc > 4)
        return publisher(endpoint, (size_t) atol(argv[3]), atol(argv[4]));
    if (strcmp(role, "subs") == 0 && argc > 4)
        return subscribers(endpoint, atol(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: see the top of scale.c\n");
    return 2;
}
