// Proxy throughput: PUSH -> zmq_proxy (PULL frontend, PUSH backend) -> PULL,
// all in one process. The proxy runs in its own thread; the main thread
// sends COUNT messages of SIZE bytes in batches of BATCH and receives each
// batch back before sending the next, timing the whole run.
//
//   proxy [endpoint] [size] [count]
//   defaults: tcp://127.0.0.1:* 64 500000   (wildcard ports are read back)
//
// Prints one line of key=value pairs for c-examples/bench/run.py.
#include <zmq.h>

#include "bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 500

struct proxy {
    void *frontend;
    void *backend;
};

static void *run_proxy(void *arg)
{
    struct proxy *p = arg;
    zmq_proxy(p->frontend, p->backend, NULL); // returns on context shutdown
    zmq_close(p->frontend);
    zmq_close(p->backend);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://127.0.0.1:*";
    size_t size = argc > 2 ? (size_t) atol(argv[2]) : 64;
    long count = argc > 3 ? atol(argv[3]) : 500000;
    if (count < BATCH || size < 1) {
        fprintf(stderr, "error: need count >= %d and size >= 1\n", BATCH);
        return 2;
    }

    void *context = zmq_ctx_new();
    struct proxy p = {zmq_socket(context, ZMQ_PULL), zmq_socket(context, ZMQ_PUSH)};
    void *push = zmq_socket(context, ZMQ_PUSH);
    void *pull = zmq_socket(context, ZMQ_PULL);
    if (p.frontend == NULL || p.backend == NULL || push == NULL || pull == NULL)
        die("zmq_socket");
    int timeout = 30000, linger = 0;
    zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(push, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(pull, ZMQ_LINGER, &linger, sizeof linger);
    char front[256], back[256];
    // inproc names must differ for the two sides.
    char back_endpoint[256];
    snprintf(back_endpoint, sizeof back_endpoint, "%s%s", endpoint,
             strncmp(endpoint, "inproc://", 9) == 0 ? "-back" : "");
    bind_endpoint(p.frontend, endpoint, front, sizeof front);
    bind_endpoint(p.backend, back_endpoint, back, sizeof back);
    if (zmq_connect(push, front) == -1 || zmq_connect(pull, back) == -1)
        die("zmq_connect");
    pthread_t thread;
    if (pthread_create(&thread, NULL, run_proxy, &p) != 0) {
        fprintf(stderr, "error: pthread_create\n");
        return 1;
    }

    char *buf = calloc(1, size);
    // One round first, so connections are up before the clock starts.
    if (zmq_send(push, buf, size, 0) == -1 || zmq_recv(pull, buf, size, 0) == -1)
        die("warm-up");
    struct cost start = cost_now();
    double began = now();
    for (long sent = 0; sent < count; sent += BATCH) {
        for (int i = 0; i < BATCH; i++)
            if (zmq_send(push, buf, size, 0) == -1)
                die("zmq_send");
        for (int i = 0; i < BATCH; i++)
            if (zmq_recv(pull, buf, size, 0) != (int) size)
                die("zmq_recv");
    }
    double seconds = now() - began;
    struct cost end = cost_now();
    long done = (count / BATCH) * BATCH;
    printf("proxy size=%zu count=%ld seconds=%.6f msgs_per_s=%.0f cpu_us_per_msg=%.4f "
           "csw_per_msg=%.6f\n",
           size, done, seconds, (double) done / seconds, (end.cpu - start.cpu) * 1e6 / (double) done,
           (double) (end.switches - start.switches) / (double) done);

    free(buf);
    zmq_close(push);
    zmq_close(pull);
    zmq_ctx_shutdown(context);
    pthread_join(thread, NULL);
    zmq_ctx_term(context);
    return 0;
}
