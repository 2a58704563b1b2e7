// Fan-out: one PUB to SUBSCRIBERS SUB sockets over tcp, in one process. The
// main thread binds the PUB; each subscriber is a thread with its own SUB
// socket, subscribed to everything. The main thread publishes COUNT messages
// of SIZE bytes and an end marker; every subscriber must receive all COUNT,
// in order.
//
//   fanout [endpoint] [size] [count] [subscribers]
//   defaults: tcp://127.0.0.1:* 64 100000 10   (a wildcard port is read back
//   with ZMQ_LAST_ENDPOINT)
//
// The slow joiner is handled before the clock starts: the publisher sends a
// one-byte hello every millisecond until every subscriber has seen one (a
// shared atomic counter, all are threads of this process). SNDHWM and RCVHWM
// are 0 (no limit) on both sides, so PUB drops nothing and the counts are
// exact. The rate is the sum of the messages received by all subscribers
// divided by the time from the first data message sent to the last
// subscriber done; the CPU time (user + system, all threads) and the context
// switches of the same span are per message received.
#include <zmq.h>

#include "bench.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HELLO 'H'
#define END 'E'
#define MAX_SUBSCRIBERS 1000
#define TIMEOUT_MS 30000

struct subscriber {
    void *context;
    const char *endpoint;
    size_t size;
    long count;
    atomic_int *joined;
    long received;
    double finished; // now() when the end marker arrived
    int failed;
};

static void *subscribe(void *arg)
{
    struct subscriber *s = arg;
    void *sub = zmq_socket(s->context, ZMQ_SUB);
    if (sub == NULL)
        die("zmq_socket(SUB)");
    int unlimited = 0, timeout = TIMEOUT_MS, linger = 0;
    if (zmq_setsockopt(sub, ZMQ_RCVHWM, &unlimited, sizeof unlimited) == -1 ||
        zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == -1 ||
        zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger) == -1 ||
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0) == -1)
        die("zmq_setsockopt(SUB)");
    if (zmq_connect(sub, s->endpoint) == -1)
        die("zmq_connect");

    int joined = 0;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (;;) {
        if (zmq_msg_recv(&msg, sub, 0) == -1) {
            fprintf(stderr, "error: subscriber: zmq_msg_recv after %ld messages: %s\n",
                    s->received, zmq_strerror(zmq_errno()));
            s->failed = 1;
            break;
        }
        const char *data = zmq_msg_data(&msg);
        size_t size = zmq_msg_size(&msg);
        if (size == 1 && data[0] == HELLO) {
            if (!joined) {
                joined = 1;
                atomic_fetch_add(s->joined, 1);
            }
            continue;
        }
        if (size == 1 && data[0] == END) {
            s->finished = now();
            break;
        }
        int64_t sequence = -1;
        if (size == s->size && size >= sizeof sequence)
            memcpy(&sequence, data, sizeof sequence);
        else if (size == s->size)
            sequence = s->received;
        if (!joined || sequence != s->received) {
            fprintf(stderr, "error: subscriber: message %ld: %zu bytes, sequence %lld\n",
                    s->received, size, (long long) sequence);
            s->failed = 1;
            break;
        }
        s->received++;
    }
    zmq_msg_close(&msg);
    zmq_close(sub);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://127.0.0.1:*";
    size_t size = argc > 2 ? (size_t) atol(argv[2]) : 64;
    long count = argc > 3 ? atol(argv[3]) : 100000;
    int subscribers = argc > 4 ? atoi(argv[4]) : 10;
    if (size < 2 || count < 1 || subscribers < 1 || subscribers > MAX_SUBSCRIBERS) {
        fprintf(stderr, "error: need size >= 2, count >= 1, 1 <= subscribers <= %d\n",
                MAX_SUBSCRIBERS);
        return 2;
    }

    void *context = zmq_ctx_new();
    void *pub = zmq_socket(context, ZMQ_PUB);
    if (pub == NULL)
        die("zmq_socket(PUB)");
    int unlimited = 0, timeout = TIMEOUT_MS, linger = 0;
    if (zmq_setsockopt(pub, ZMQ_SNDHWM, &unlimited, sizeof unlimited) == -1 ||
        zmq_setsockopt(pub, ZMQ_SNDTIMEO, &timeout, sizeof timeout) == -1 ||
        zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger) == -1)
        die("zmq_setsockopt(PUB)");
    char bound[256];
    bind_endpoint(pub, endpoint, bound, sizeof bound);

    atomic_int joined = 0;
    struct subscriber *subs = calloc((size_t) subscribers, sizeof *subs);
    pthread_t *threads = calloc((size_t) subscribers, sizeof *threads);
    if (subs == NULL || threads == NULL) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    for (int i = 0; i < subscribers; i++) {
        subs[i] = (struct subscriber){context, bound, size, count, &joined, 0, 0, 0};
        if (pthread_create(&threads[i], NULL, subscribe, &subs[i]) != 0) {
            fprintf(stderr, "error: pthread_create\n");
            return 1;
        }
    }

    // Hellos until every subscriber is in (bounded), then the measured run.
    char hello = HELLO, end = END;
    double give_up = now() + TIMEOUT_MS / 1000.0;
    while (atomic_load(&joined) < subscribers) {
        if (now() > give_up) {
            fprintf(stderr, "error: only %d of %d subscribers joined\n", atomic_load(&joined),
                    subscribers);
            return 1;
        }
        if (zmq_send(pub, &hello, 1, 0) == -1)
            die("zmq_send(hello)");
        sleep_ms(1);
    }

    struct cost start_cost = cost_now();
    double start = now();
    for (long i = 0; i < count; i++) {
        zmq_msg_t msg;
        if (zmq_msg_init_size(&msg, size) == -1)
            die("zmq_msg_init_size");
        int64_t sequence = i;
        if (size >= sizeof sequence)
            memcpy(zmq_msg_data(&msg), &sequence, sizeof sequence);
        else
            memset(zmq_msg_data(&msg), 0, size);
        if (zmq_msg_send(&msg, pub, 0) == -1)
            die("zmq_msg_send");
    }
    if (zmq_send(pub, &end, 1, 0) == -1)
        die("zmq_send(end)");

    double finished = start;
    long total = 0;
    int failed = 0;
    for (int i = 0; i < subscribers; i++) {
        pthread_join(threads[i], NULL);
        if (subs[i].failed || subs[i].received != count) {
            fprintf(stderr, "error: subscriber %d received %ld of %ld\n", i, subs[i].received,
                    count);
            failed = 1;
        }
        total += subs[i].received;
        if (subs[i].finished > finished)
            finished = subs[i].finished;
    }
    struct cost end_cost = cost_now();
    if (failed)
        return 1;

    double seconds = finished - start;
    printf("fanout size=%zu count=%ld subscribers=%d seconds=%.6f msgs_per_s=%.0f "
           "cpu_us_per_msg=%.4f csw_per_msg=%.6f\n",
           size, count, subscribers, seconds, (double) total / seconds,
           (end_cost.cpu - start_cost.cpu) * 1e6 / (double) total,
           (double) (end_cost.switches - start_cost.switches) / (double) total);

    free(threads);
    free(subs);
    zmq_close(pub);
    zmq_ctx_term(context);
    return 0;
}
