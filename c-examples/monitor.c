/* Socket monitoring: a REP server watched through zmq_socket_monitor, the
 * events read from a PAIR socket in libzmq's two-frame format (a 6-byte
 * frame with the event number and its value, then the endpoint). A REQ
 * client in the same process connects, asks once and leaves; the program
 * prints each event by name until the client's disconnection is seen.
 *
 *   monitor [endpoint]
 *   default: tcp://127.0.0.1:*  (also ipc://*; the bound endpoint is read
 *   back with ZMQ_LAST_ENDPOINT) */
#include "common.h"

#include <stdint.h>

static const char *event_name(int event)
{
    switch (event) {
    case ZMQ_EVENT_LISTENING: return "LISTENING";
    case ZMQ_EVENT_ACCEPTED: return "ACCEPTED";
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return "HANDSHAKE_SUCCEEDED";
    case ZMQ_EVENT_DISCONNECTED: return "DISCONNECTED";
    case ZMQ_EVENT_CLOSED: return "CLOSED";
    case ZMQ_EVENT_MONITOR_STOPPED: return "MONITOR_STOPPED";
    default: return "OTHER";
    }
}

/* Reads one event; returns its number and copies the endpoint. */
static int read_event(void *pair, char *endpoint, size_t capacity)
{
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, pair, 0) == -1)
        fail_zmq("monitor event");
    if (zmq_msg_size(&frame) != 6 || !zmq_msg_more(&frame)) {
        fprintf(stderr, "error: malformed monitor event\n");
        exit(1);
    }
    uint16_t event;
    memcpy(&event, zmq_msg_data(&frame), sizeof event);
    zmq_msg_close(&frame);
    recv_text(pair, endpoint, capacity);
    return event;
}

int main(int argc, char **argv)
{
    const char *endpoint = arg_or(argc, argv, 1, "tcp://127.0.0.1:*");
    void *context = new_context();
    void *rep = new_socket(context, ZMQ_REP);
    check_rc(zmq_socket_monitor(rep, "inproc://rep-events", ZMQ_EVENT_ALL), "zmq_socket_monitor");
    void *events = new_socket(context, ZMQ_PAIR);
    connect_to(events, "inproc://rep-events");
    bind_to(rep, endpoint);

    char bound[256];
    size_t size = sizeof bound;
    check_rc(zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, bound, &size), "ZMQ_LAST_ENDPOINT");
    void *req = new_socket(context, ZMQ_REQ);
    connect_to(req, bound);
    send_text(req, "hello", 0);
    char text[64];
    recv_text(rep, text, sizeof text);
    send_text(rep, "world", 0);
    recv_text(req, text, sizeof text);
    set_int_option(req, ZMQ_LINGER, 0, "ZMQ_LINGER");
    zmq_close(req);

    int seen_listening = 0, seen_accepted = 0, seen_handshake = 0;
    for (;;) {
        char where[256];
        int event = read_event(events, where, sizeof where);
        printf("%s %s\n", event_name(event), where);
        seen_listening |= event == ZMQ_EVENT_LISTENING;
        seen_accepted |= event == ZMQ_EVENT_ACCEPTED;
        seen_handshake |= event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
        if (event == ZMQ_EVENT_DISCONNECTED)
            break;
    }
    fflush(stdout);
    if (!(seen_listening && seen_accepted && seen_handshake)) {
        fprintf(stderr, "error: missing events before the disconnection\n");
        return 1;
    }
    check_rc(zmq_socket_monitor(rep, NULL, 0), "stop monitoring");
    char where[256];
    if (read_event(events, where, sizeof where) != ZMQ_EVENT_MONITOR_STOPPED) {
        fprintf(stderr, "error: no MONITOR_STOPPED\n");
        return 1;
    }
    printf("MONITOR_STOPPED\n");
    void *sockets[] = {rep, events};
    close_and_term(sockets, 2, context);
    return 0;
}
