// DEALER talking to REP servers (run reqrep_server as the far end).
//
//   dealer_client [endpoints] [requests]
//   endpoints is a comma-separated list,
//   defaults: tcp://localhost:5560,tcp://localhost:5561 10
//
// A REP socket expects what a REQ socket would send: an empty delimiter
// frame, then the body. A DEALER adds nothing, so we add the delimiter by
// hand and expect it back on every reply. Unlike REQ, a DEALER need not
// wait for each reply: all requests go out first (round-robin over the
// servers), then all replies are collected (fair-queued).
#include "common.h"

#define MAX_SERVERS 16

int main(int argc, char **argv)
{
    const char *endpoints =
        arg_or(argc, argv, 1, "tcp://localhost:5560,tcp://localhost:5561");
    int requests = int_arg_or(argc, argv, 2, 10);

    void *context = new_context();
    void *dealer = new_socket(context, ZMQ_DEALER);
    int servers = connect_all(dealer, endpoints);

    for (int i = 0; i < requests; i++) {
        char request[64];
        snprintf(request, sizeof request, "request %d", i);
        send_text(dealer, "", ZMQ_SNDMORE); /* the delimiter REP looks for */
        send_text(dealer, request, 0);
    }

    char *answered = calloc((size_t) requests + 1, 1);
    char names[MAX_SERVERS][256];
    int counts[MAX_SERVERS] = {0};
    int known = 0;
    for (int i = 0; i < requests; i++) {
        char delimiter[8];
        int size = zmq_recv(dealer, delimiter, sizeof delimiter, 0);
        if (size == -1)
            fail_zmq("zmq_recv delimiter");
        if (size != 0) {
            fprintf(stderr, "error: reply %d does not start with an empty frame\n", i);
            return 1;
        }
        expect_more(dealer, 1, "after the delimiter");
        char reply[256];
        recv_text(dealer, reply, sizeof reply);
        expect_more(dealer, 0, "after the body");

        char *bar = strchr(reply, '|');
        int number = -1;
        if (bar == NULL || sscanf(bar + 1, "request %d", &number) != 1 || number < 0 ||
            number >= requests || answered[number]) {
            fprintf(stderr, "error: unexpected reply \"%s\"\n", reply);
            return 1;
        }
        answered[number] = 1;
        *bar = '\0';
        printf("reply to request %d from %s\n", number, reply);
        int s = 0;
        while (s < known && strcmp(names[s], reply) != 0)
            s++;
        if (s == known && known < MAX_SERVERS)
            snprintf(names[known++], sizeof names[0], "%s", reply);
        counts[s]++;
    }
    for (int s = 0; s < known; s++)
        printf("%s answered %d requests\n", names[s], counts[s]);
    fflush(stdout);
    free(answered);
    if (requests >= servers && known != servers) {
        fprintf(stderr, "error: %d of %d servers answered\n", known, servers);
        return 1;
    }

    close_and_term(&dealer, 1, context);
    return 0;
}
