// Publish-subscribe, publisher: sends topics "A" and "B" interleaved.
//
//   pubsub_publisher [pub endpoint] [sync endpoint] [subscribers] [messages]
//   defaults: tcp://*:5590 tcp://*:5591 1 100   (messages per topic)
//
// A subscription reaches the publisher some time after the subscriber
// connects, and anything published before that is dropped for it (the
// "slow joiner"). So the publisher first repeats "A hello" and "B hello"
// every 10 ms until each subscriber has said "ready" on the PULL socket at
// the sync endpoint (a subscriber does so on its first message, which
// proves its filter is in place), gives up after 5 s, and only then sends
// the numbered messages "A 0", "B 0", "A 1"... and finally "A END", "B END".
#include "common.h"

#include <time.h>

static void sleep_ms(long ms)
{
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

int main(int argc, char **argv)
{
    const char *pub_endpoint = arg_or(argc, argv, 1, "tcp://*:5590");
    const char *sync_endpoint = arg_or(argc, argv, 2, "tcp://*:5591");
    int subscribers = int_arg_or(argc, argv, 3, 1);
    int messages = int_arg_or(argc, argv, 4, 100);

    void *context = new_context();
    void *pub = new_socket(context, ZMQ_PUB);
    /* Keep every numbered message even if a subscriber lags. */
    set_int_option(pub, ZMQ_SNDHWM, 2 * messages + 1000, "set ZMQ_SNDHWM");
    bind_to(pub, pub_endpoint);
    void *sync = new_socket(context, ZMQ_PULL);
    bind_to(sync, sync_endpoint);

    int ready = 0;
    for (int round = 0; ready < subscribers; round++) {
        if (round == 500) {
            fprintf(stderr, "error: %d of %d subscribers ready after 5 s\n", ready, subscribers);
            return 1;
        }
        send_text(pub, "A hello", 0);
        send_text(pub, "B hello", 0);
        sleep_ms(10);
        char note[64];
        while (zmq_recv(sync, note, sizeof note, ZMQ_DONTWAIT) >= 0)
            ready++;
        if (zmq_errno() != EAGAIN)
            fail_zmq("zmq_recv on the sync socket");
    }

    for (int i = 0; i < messages; i++) {
        char text[64];
        snprintf(text, sizeof text, "A %d", i);
        send_text(pub, text, 0);
        snprintf(text, sizeof text, "B %d", i);
        send_text(pub, text, 0);
    }
    send_text(pub, "A END", 0);
    send_text(pub, "B END", 0);
    printf("published %d messages on topics A and B to %d subscribers\n", messages,
           subscribers);
    fflush(stdout);

    void *sockets[] = {pub, sync};
    close_and_term(sockets, 2, context);
    return 0;
}
