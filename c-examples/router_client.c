// A REQ client with a chosen routing id, for router_server.
//
//   router_client [endpoint] [identity] [requests]
//   defaults: tcp://localhost:5600 client 1
//
// The reply must be "hello IDENTITY": proof that the ROUTER saw our
// routing id and addressed its reply with it.
#include "common.h"

int main(int argc, char **argv)
{
    const char *endpoint = arg_or(argc, argv, 1, "tcp://localhost:5600");
    const char *identity = arg_or(argc, argv, 2, "client");
    int requests = int_arg_or(argc, argv, 3, 1);

    void *context = new_context();
    void *req = new_socket(context, ZMQ_REQ);
    check_rc(zmq_setsockopt(req, ZMQ_ROUTING_ID, identity, strlen(identity)),
             "set ZMQ_ROUTING_ID");
    connect_to(req, endpoint);

    char wanted[300];
    snprintf(wanted, sizeof wanted, "hello %s", identity);
    for (int i = 0; i < requests; i++) {
        char request[300];
        snprintf(request, sizeof request, "request %d from %s", i, identity);
        send_text(req, request, 0);
        char reply[300];
        recv_text(req, reply, sizeof reply);
        if (strcmp(reply, wanted) != 0) {
            fprintf(stderr, "error: got \"%s\", wanted \"%s\"\n", reply, wanted);
            return 1;
        }
        printf("%s got: %s\n", identity, reply);
    }
    fflush(stdout);

    close_and_term(&req, 1, context);
    return 0;
}
