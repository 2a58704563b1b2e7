// Runs several of the examples as threads of one process, sharing one
// context, so that they can meet over inproc:// (which only joins sockets of
// one context) with nothing changed but the URL. Each program gets its own
// argv; they run side by side and the exit status is the first non-zero one.
//
//   together PROGRAM [ARGS...] [-- PROGRAM [ARGS...]]...
//   e.g. together reqrep_server inproc://a s1 3 -- reqrep_client inproc://a 3
#define EXAMPLES_SHARED_CONTEXT
#include "common.h"

#include <pthread.h>

void *examples_shared_context;

// Each example's main() under its own name.
#define main reqrep_server_main
#include "reqrep_server.c"
#undef main
#define main reqrep_client_main
#include "reqrep_client.c"
#undef main
#undef MAX_SERVERS
#define main dealer_client_main
#include "dealer_client.c"
#undef main
#define main pushpull_producer_main
#include "pushpull_producer.c"
#undef main
#define main pushpull_worker_main
#include "pushpull_worker.c"
#undef main
#define main pubsub_publisher_main
#include "pubsub_publisher.c"
#undef main
#define main pubsub_subscriber_main
#include "pubsub_subscriber.c"
#undef main
#define main router_server_main
#include "router_server.c"
#undef main
#define main router_client_main
#include "router_client.c"
#undef main
#define main multipart_sender_main
#include "multipart_sender.c"
#undef main
#define main multipart_receiver_main
#include "multipart_receiver.c"
#undef main

static const struct {
    const char *name;
    int (*main)(int, char **);
} programs[] = {
    {"reqrep_server", reqrep_server_main},
    {"reqrep_client", reqrep_client_main},
    {"dealer_client", dealer_client_main},
    {"pushpull_producer", pushpull_producer_main},
    {"pushpull_worker", pushpull_worker_main},
    {"pubsub_publisher", pubsub_publisher_main},
    {"pubsub_subscriber", pubsub_subscriber_main},
    {"router_server", router_server_main},
    {"router_client", router_client_main},
    {"multipart_sender", multipart_sender_main},
    {"multipart_receiver", multipart_receiver_main},
};

#define MAX_RUNS 16

struct run {
    int (*main)(int, char **);
    int argc;
    char **argv;
    int status;
};

static void *run_program(void *arg)
{
    struct run *r = arg;
    r->status = r->main(r->argc, r->argv);
    return NULL;
}

int main(int argc, char **argv)
{
    struct run runs[MAX_RUNS];
    int count = 0;
    // Split argv at "--": each piece is one program's argv (its name first).
    for (int i = 1; i < argc;) {
        int end = i;
        while (end < argc && strcmp(argv[end], "--") != 0)
            end++;
        if (end == i || count == MAX_RUNS) {
            fprintf(stderr, "usage: together PROGRAM [ARGS...] [-- PROGRAM [ARGS...]]...\n");
            return 2;
        }
        runs[count].main = NULL;
        for (size_t p = 0; p < sizeof programs / sizeof programs[0]; p++)
            if (strcmp(programs[p].name, argv[i]) == 0)
                runs[count].main = programs[p].main;
        if (runs[count].main == NULL) {
            fprintf(stderr, "error: no example called %s\n", argv[i]);
            return 2;
        }
        argv[end < argc ? end : argc] = NULL; // each piece ends like a real argv
        runs[count].argc = end - i;
        runs[count].argv = &argv[i];
        count++;
        i = end + 1;
    }
    if (count == 0) {
        fprintf(stderr, "usage: together PROGRAM [ARGS...] [-- PROGRAM [ARGS...]]...\n");
        return 2;
    }

    examples_shared_context = zmq_ctx_new();
    if (examples_shared_context == NULL)
        fail_zmq("zmq_ctx_new");
    pthread_t threads[MAX_RUNS];
    for (int i = 0; i < count; i++)
        if (pthread_create(&threads[i], NULL, run_program, &runs[i]) != 0) {
            fprintf(stderr, "error: pthread_create\n");
            return 1;
        }
    int status = 0;
    for (int i = 0; i < count; i++) {
        pthread_join(threads[i], NULL);
        if (status == 0)
            status = runs[i].status;
    }
    check_rc(zmq_ctx_term(examples_shared_context), "zmq_ctx_term");
    return status;
}
