// Churn: ROUNDS rounds, each of DEALERS DEALER sockets that connect over tcp
// to one ROUTER in the same process, send one request, get its echo and
// close. What the closed connections leave behind shows in the resident set
// after the last round (VmRSS), beside the peak (VmHWM).
//
//   churn [endpoint] [dealers] [rounds]
//   defaults: tcp://127.0.0.1:* 1000 10   (a wildcard port is read back
//   with ZMQ_LAST_ENDPOINT)
//
// One thread does it all: the requests queue in the ROUTER until it echoes
// them, then each DEALER reads its reply. The resident set is read 200 ms
// after the last close, when the closes are done. Prints one line of
// key=value pairs for c-examples/bench/run.py.
#include <zmq.h>

#include "bench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 30000
#define SETTLE_MS 200

static void round_trip(void *context, void *router, const char *endpoint, void **dealers, int n)
{
    int timeout = TIMEOUT_MS, linger = 0;
    for (int i = 0; i < n; i++) {
        dealers[i] = zmq_socket(context, ZMQ_DEALER);
        if (dealers[i] == NULL)
            die("zmq_socket(DEALER)");
        if (zmq_setsockopt(dealers[i], ZMQ_RCVTIMEO, &timeout, sizeof timeout) == -1 ||
            zmq_setsockopt(dealers[i], ZMQ_LINGER, &linger, sizeof linger) == -1)
            die("zmq_setsockopt(DEALER)");
        if (zmq_connect(dealers[i], endpoint) == -1)
            die("zmq_connect");
        uint32_t which = (uint32_t) i;
        if (zmq_send(dealers[i], &which, sizeof which, 0) != (int) sizeof which)
            die("zmq_send(request)");
    }
    zmq_msg_t id, body;
    zmq_msg_init(&id);
    zmq_msg_init(&body);
    for (int i = 0; i < n; i++) {
        if (zmq_msg_recv(&id, router, 0) == -1 || zmq_msg_recv(&body, router, 0) == -1)
            die("zmq_msg_recv(ROUTER)");
        if (zmq_msg_send(&id, router, ZMQ_SNDMORE) == -1 || zmq_msg_send(&body, router, 0) == -1)
            die("zmq_msg_send(reply)");
    }
    zmq_msg_close(&body);
    zmq_msg_close(&id);
    for (int i = 0; i < n; i++) {
        uint32_t which;
        if (zmq_recv(dealers[i], &which, sizeof which, 0) != (int) sizeof which ||
            which != (uint32_t) i) {
            fprintf(stderr, "error: DEALER %d: no echo of its request\n", i);
            exit(1);
        }
        zmq_close(dealers[i]);
    }
}

int main(int argc, char **argv)
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://127.0.0.1:*";
    int dealers = argc > 2 ? atoi(argv[2]) : 1000;
    int rounds = argc > 3 ? atoi(argv[3]) : 10;
    if (dealers < 1 || rounds < 1) {
        fprintf(stderr, "error: need dealers >= 1 and rounds >= 1\n");
        return 2;
    }
    // libzmq frees a closed socket later, on its reaper thread: room for
    // the next round's while the last round's go.
    raise_fd_limit(2 * dealers);
    void *context = zmq_ctx_new();
    if (context == NULL)
        die("zmq_ctx_new");
    if (zmq_ctx_set(context, ZMQ_MAX_SOCKETS, 2 * dealers + 64) == -1)
        die("zmq_ctx_set(ZMQ_MAX_SOCKETS)");
    void *router = zmq_socket(context, ZMQ_ROUTER);
    if (router == NULL)
        die("zmq_socket(ROUTER)");
    int timeout = TIMEOUT_MS, linger = 0, backlog = dealers < 100 ? 100 : dealers;
    if (zmq_setsockopt(router, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == -1 ||
        zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger) == -1 ||
        zmq_setsockopt(router, ZMQ_BACKLOG, &backlog, sizeof backlog) == -1)
        die("zmq_setsockopt(ROUTER)");
    char bound[256];
    bind_endpoint(router, endpoint, bound, sizeof bound);
    void **sockets = calloc((size_t) dealers, sizeof *sockets);
    if (sockets == NULL) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    double started = now();
    for (int r = 0; r < rounds; r++)
        round_trip(context, router, bound, sockets, dealers);
    double seconds = now() - started;
    sleep_ms(SETTLE_MS);
    printf("churn dealers=%d rounds=%d seconds=%.6f rss_mib=%.1f peak_rss_mib=%.1f\n", dealers,
           rounds, seconds, status_mib("VmRSS"), peak_rss_mib());
    free(sockets);
    zmq_close(router);
    zmq_ctx_term(context);
    return 0;
}
