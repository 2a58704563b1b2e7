// Pipeline, worker: pulls tasks, "processes" each one by tagging it with
// its own name, and pushes the result to the sink; stops at "END".
//
//   pushpull_worker [task endpoint] [result endpoint] [name]
//   defaults: tcp://*:5570 tcp://localhost:5580 worker
#include "common.h"

int main(int argc, char **argv)
{
    const char *task_endpoint = arg_or(argc, argv, 1, "tcp://*:5570");
    const char *result_endpoint = arg_or(argc, argv, 2, "tcp://localhost:5580");
    const char *name = arg_or(argc, argv, 3, "worker");

    void *context = new_context();
    void *pull = new_socket(context, ZMQ_PULL);
    bind_to(pull, task_endpoint);
    void *push = new_socket(context, ZMQ_PUSH);
    connect_to(push, result_endpoint);

    int done = 0;
    for (;;) {
        char task[256];
        recv_text(pull, task, sizeof task);
        if (strcmp(task, "END") == 0)
            break;
        char result[320];
        snprintf(result, sizeof result, "%s|%s", name, task);
        send_text(push, result, 0);
        done++;
    }
    printf("%s processed %d tasks\n", name, done);
    fflush(stdout);

    void *sockets[] = {pull, push};
    close_and_term(sockets, 2, context);
    return 0;
}
