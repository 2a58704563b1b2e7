// Publish-subscribe, subscriber: subscribes to one prefix and checks that
// only messages with that prefix arrive, all of them, in order.
//
//   pubsub_subscriber [pub endpoint] [sync endpoint] [prefix] [expected]
//   defaults: tcp://localhost:5590 tcp://localhost:5591 A 100
//
// On its first message (a "hello") it tells the publisher "ready" over a
// PUSH socket; see pubsub_publisher.c for why.
#include "common.h"

int main(int argc, char **argv)
{
    const char *pub_endpoint = arg_or(argc, argv, 1, "tcp://localhost:5590");
    const char *sync_endpoint = arg_or(argc, argv, 2, "tcp://localhost:5591");
    const char *prefix = arg_or(argc, argv, 3, "A");
    int expected = int_arg_or(argc, argv, 4, 100);

    void *context = new_context();
    void *sub = new_socket(context, ZMQ_SUB);
    check_rc(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, prefix, strlen(prefix)), "ZMQ_SUBSCRIBE");
    connect_to(sub, pub_endpoint);
    void *sync = new_socket(context, ZMQ_PUSH);
    connect_to(sync, sync_endpoint);

    size_t prefix_len = strlen(prefix);
    int signalled = 0;
    int received = 0;
    for (;;) {
        char text[256];
        recv_text(sub, text, sizeof text);
        if (strncmp(text, prefix, prefix_len) != 0) {
            fprintf(stderr, "error: subscribed to \"%s\" but got \"%s\"\n", prefix, text);
            return 1;
        }
        const char *body = text + prefix_len;
        if (strcmp(body, " hello") == 0) {
            if (!signalled) {
                send_text(sync, "ready", 0);
                signalled = 1;
            }
            continue;
        }
        if (strcmp(body, " END") == 0)
            break;
        int number = -1;
        if (sscanf(body, " %d", &number) != 1 || number != received) {
            fprintf(stderr, "error: got \"%s\", wanted \"%s %d\"\n", text, prefix, received);
            return 1;
        }
        received++;
    }
    printf("subscriber %s: %d messages, all with prefix %s, in order\n", prefix, received,
           prefix);
    fflush(stdout);
    if (received != expected) {
        fprintf(stderr, "error: got %d messages, wanted %d\n", received, expected);
        return 1;
    }

    /* Nothing left worth delivering: the publisher got our "ready" (it
     * published), and a SUB socket re-sends its subscription when it
     * reconnects to a publisher that is gone, which a lingering close
     * would wait for in vain. */
    set_int_option(sub, ZMQ_LINGER, 0, "set ZMQ_LINGER");
    set_int_option(sync, ZMQ_LINGER, 0, "set ZMQ_LINGER");
    void *sockets[] = {sub, sync};
    close_and_term(sockets, 2, context);
    return 0;
}
