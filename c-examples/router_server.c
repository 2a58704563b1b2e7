// ROUTER replying to REQ peers by their identity.
//
//   router_server [endpoint] [requests]
//   defaults: tcp://*:5600 2
//
// Each request arrives as [routing id][empty][body]: the ROUTER prepends
// the peer's routing id (set by the client with ZMQ_ROUTING_ID), and the
// REQ peer put the empty delimiter. The reply is addressed by sending the
// same routing id first.
#include "common.h"

int main(int argc, char **argv)
{
    const char *endpoint = arg_or(argc, argv, 1, "tcp://*:5600");
    int requests = int_arg_or(argc, argv, 2, 2);

    void *context = new_context();
    void *router = new_socket(context, ZMQ_ROUTER);
    /* Fail loudly instead of dropping a reply to an unknown peer. */
    set_int_option(router, ZMQ_ROUTER_MANDATORY, 1, "set ZMQ_ROUTER_MANDATORY");
    bind_to(router, endpoint);

    for (int i = 0; i < requests; i++) {
        char identity[256];
        int identity_size = zmq_recv(router, identity, sizeof identity, 0);
        if (identity_size == -1)
            fail_zmq("zmq_recv identity");
        if (identity_size < 1 || identity_size > (int) sizeof identity) {
            fprintf(stderr, "error: bad identity frame of %d bytes\n", identity_size);
            return 1;
        }
        expect_more(router, 1, "after the identity");
        char delimiter[8];
        int size = zmq_recv(router, delimiter, sizeof delimiter, 0);
        if (size != 0) {
            fprintf(stderr, "error: wanted an empty delimiter frame, got %d bytes\n", size);
            return 1;
        }
        expect_more(router, 1, "after the delimiter");
        char body[256];
        recv_text(router, body, sizeof body);
        expect_more(router, 0, "after the body");
        printf("identity [%.*s] sent: %s\n", identity_size, identity, body);

        char reply[300];
        snprintf(reply, sizeof reply, "hello %.*s", identity_size, identity);
        if (zmq_send(router, identity, (size_t) identity_size, ZMQ_SNDMORE) == -1)
            fail_zmq("zmq_send identity");
        send_text(router, "", ZMQ_SNDMORE);
        send_text(router, reply, 0);
    }
    fflush(stdout);

    close_and_term(&router, 1, context);
    return 0;
}
