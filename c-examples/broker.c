/* A request-reply broker: a ROUTER frontend for REQ clients, a DEALER
 * backend connected to REP servers, and zmq_proxy_steerable between them.
 * After RUN_MS a timer thread asks the proxy for its STATISTICS and then
 * tells it to TERMINATE, over the PAIR control socket.
 *
 *   broker [frontend] [backend endpoints, comma-separated] [run ms]
 *   defaults: tcp://127.0.0.1:5570 tcp://127.0.0.1:5571 2000 */
#include "common.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

struct timer {
    void *context;
    int run_ms;
};

static void *stop_later(void *arg)
{
    struct timer *t = arg;
    struct timespec pause = {t->run_ms / 1000, (long) (t->run_ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
    void *control = new_socket(t->context, ZMQ_PAIR);
    connect_to(control, "inproc://broker-control");
    send_text(control, "STATISTICS", 0);
    uint64_t values[8];
    for (int i = 0; i < 8; i++) {
        if (zmq_recv(control, &values[i], sizeof values[i], 0) != (int) sizeof values[i])
            fail_zmq("statistics");
    }
    printf("frontend: %llu messages in, %llu out\n", (unsigned long long) values[0],
           (unsigned long long) values[2]);
    fflush(stdout);
    send_text(control, "TERMINATE", 0);
    zmq_close(control);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *frontend_ep = arg_or(argc, argv, 1, "tcp://127.0.0.1:5570");
    const char *backend_eps = arg_or(argc, argv, 2, "tcp://127.0.0.1:5571");
    struct timer t = {NULL, int_arg_or(argc, argv, 3, 2000)};

    void *context = new_context();
    t.context = context;
    void *frontend = new_socket(context, ZMQ_ROUTER);
    bind_to(frontend, frontend_ep);
    void *backend = new_socket(context, ZMQ_DEALER);
    connect_all(backend, backend_eps);
    void *control = new_socket(context, ZMQ_PAIR);
    bind_to(control, "inproc://broker-control");

    pthread_t timer;
    pthread_create(&timer, NULL, stop_later, &t);
    int rc = zmq_proxy_steerable(frontend, backend, NULL, control);
    pthread_join(timer, NULL);
    if (rc != 0)
        fail_zmq("zmq_proxy_steerable");
    printf("broker terminated\n");
    void *sockets[] = {frontend, backend, control};
    close_and_term(sockets, 3, context);
    return 0;
}
