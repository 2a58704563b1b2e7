// Request-reply, server side: a REP socket that answers every request with
// "NAME|REQUEST", so the client can tell which server answered.
//
//   reqrep_server [endpoint] [name] [requests]
//   defaults: tcp://*:5560 server 10
//
// Also the far end of dealer_client, which speaks to REP by hand.
#include "common.h"

int main(int argc, char **argv)
{
    const char *endpoint = arg_or(argc, argv, 1, "tcp://*:5560");
    const char *name = arg_or(argc, argv, 2, "server");
    int requests = int_arg_or(argc, argv, 3, 10);

    void *context = new_context();
    void *rep = new_socket(context, ZMQ_REP);
    bind_to(rep, endpoint);

    for (int i = 0; i < requests; i++) {
        char request[256];
        recv_text(rep, request, sizeof request);
        char reply[300];
        snprintf(reply, sizeof reply, "%s|%s", name, request);
        send_text(rep, reply, 0);
        printf("%s answered: %s\n", name, request);
    }
    fflush(stdout);

    close_and_term(&rep, 1, context);
    return 0;
}
