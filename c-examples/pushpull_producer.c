// Pipeline, producer and sink: a PUSH socket hands tasks to workers and a
// PULL socket collects their results; the producer then checks that every
// task came back exactly once and that every worker got some.
//
//   pushpull_producer [worker endpoints] [result endpoint] [tasks]
//   defaults: tcp://localhost:5570,tcp://localhost:5571 tcp://*:5580 20
//
// The producer connects to the workers (rather than the other way round)
// so that its PUSH socket has one pipe per worker from the start: the
// round-robin then spreads tasks evenly however late a worker starts, and
// the test needs no start-up handshake. When all results are in it sends
// one "END" per worker, which round-robin delivers to each worker once.
#include "common.h"

#define MAX_WORKERS 16

int main(int argc, char **argv)
{
    const char *worker_endpoints =
        arg_or(argc, argv, 1, "tcp://localhost:5570,tcp://localhost:5571");
    const char *result_endpoint = arg_or(argc, argv, 2, "tcp://*:5580");
    int tasks = int_arg_or(argc, argv, 3, 20);

    void *context = new_context();
    void *sink = new_socket(context, ZMQ_PULL);
    bind_to(sink, result_endpoint);
    void *push = new_socket(context, ZMQ_PUSH);
    int workers = connect_all(push, worker_endpoints);
    if (workers > MAX_WORKERS) {
        fprintf(stderr, "error: at most %d workers\n", MAX_WORKERS);
        return 2;
    }

    for (int i = 0; i < tasks; i++) {
        char task[64];
        snprintf(task, sizeof task, "task %d", i);
        send_text(push, task, 0);
    }

    char *seen = calloc((size_t) tasks + 1, 1);
    char names[MAX_WORKERS][256];
    int done_by[MAX_WORKERS] = {0};
    int known = 0;
    for (int i = 0; i < tasks; i++) {
        char result[256];
        recv_text(sink, result, sizeof result);
        int task = -1;
        char *bar = strchr(result, '|');
        if (bar == NULL || sscanf(bar + 1, "task %d", &task) != 1 || task < 0 ||
            task >= tasks) {
            fprintf(stderr, "error: malformed result \"%s\"\n", result);
            return 1;
        }
        if (seen[task]) {
            fprintf(stderr, "error: task %d came back twice\n", task);
            return 1;
        }
        seen[task] = 1;
        *bar = '\0';
        int w = 0;
        while (w < known && strcmp(names[w], result) != 0)
            w++;
        if (w == known) {
            if (known == MAX_WORKERS) {
                fprintf(stderr, "error: too many distinct workers\n");
                return 1;
            }
            snprintf(names[known++], sizeof names[0], "%s", result);
        }
        done_by[w]++;
    }

    for (int w = 0; w < workers; w++)
        send_text(push, "END", 0);

    for (int w = 0; w < known; w++)
        printf("%s did %d tasks\n", names[w], done_by[w]);
    printf("all %d tasks came back exactly once\n", tasks);
    fflush(stdout);
    if (tasks >= workers && known != workers) {
        fprintf(stderr, "error: %d of %d workers got tasks\n", known, workers);
        return 1;
    }
    free(seen);

    void *sockets[] = {push, sink};
    close_and_term(sockets, 2, context);
    return 0;
}
