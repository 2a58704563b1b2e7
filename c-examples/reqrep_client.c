// Request-reply, client side: one REQ socket connected to several REP
// servers. REQ hands requests out round-robin, so with two servers the
// answers must alternate A, B, A, B... The client checks that itself and
// prints which server answered each request.
//
//   reqrep_client [endpoints] [requests]
//   endpoints is a comma-separated list,
//   defaults: tcp://localhost:5560,tcp://localhost:5561 10
#include "common.h"

#define MAX_SERVERS 16

int main(int argc, char **argv)
{
    const char *endpoints =
        arg_or(argc, argv, 1, "tcp://localhost:5560,tcp://localhost:5561");
    int requests = int_arg_or(argc, argv, 2, 10);

    void *context = new_context();
    void *req = new_socket(context, ZMQ_REQ);
    /* Every connect attaches its pipe at once (ZMQ_IMMEDIATE is 0), so the
     * round-robin covers all servers even before their TCP links are up. */
    int servers = connect_all(req, endpoints);
    if (servers > MAX_SERVERS) {
        fprintf(stderr, "error: at most %d servers\n", MAX_SERVERS);
        return 2;
    }

    char answered_by[MAX_SERVERS][256];
    for (int i = 0; i < requests; i++) {
        char request[64];
        snprintf(request, sizeof request, "request %d", i);
        send_text(req, request, 0);

        char reply[256];
        recv_text(req, reply, sizeof reply);
        char *bar = strchr(reply, '|');
        if (bar == NULL || strcmp(bar + 1, request) != 0) {
            fprintf(stderr, "error: reply \"%s\" does not echo \"%s\"\n", reply, request);
            return 1;
        }
        *bar = '\0';
        printf("reply %d from %s\n", i, reply);

        /* Round-robin: the server of request i is the one of request
         * i - servers, and the first `servers` requests hit distinct ones. */
        int slot = i % servers;
        if (i < servers) {
            for (int j = 0; j < i; j++) {
                if (strcmp(answered_by[j], reply) == 0) {
                    fprintf(stderr, "error: %s answered twice in the first round\n", reply);
                    return 1;
                }
            }
            snprintf(answered_by[slot], sizeof answered_by[slot], "%s", reply);
        } else if (strcmp(answered_by[slot], reply) != 0) {
            fprintf(stderr, "error: request %d went to %s, wanted %s (not round-robin)\n", i,
                    reply, answered_by[slot]);
            return 1;
        }
    }
    printf("%d replies, round-robin over %d servers\n", requests, servers);
    fflush(stdout);

    close_and_term(&req, 1, context);
    return 0;
}
