// Multipart messages, sender: each message has three frames sent with
// ZMQ_SNDMORE: a header "message I", an empty frame, and a body of
// I * 1000 bytes (so sizes from 0 to tens of kilobytes), byte k = (I + k) % 251.
//
//   multipart_sender [endpoint] [messages]
//   defaults: tcp://*:5610 20
#include "common.h"

int main(int argc, char **argv)
{
    const char *endpoint = arg_or(argc, argv, 1, "tcp://*:5610");
    int messages = int_arg_or(argc, argv, 2, 20);

    void *context = new_context();
    void *push = new_socket(context, ZMQ_PUSH);
    bind_to(push, endpoint);

    for (int i = 0; i < messages; i++) {
        char header[64];
        snprintf(header, sizeof header, "message %d", i);
        size_t body_size = (size_t) i * 1000;
        unsigned char *body = malloc(body_size + 1);
        for (size_t k = 0; k < body_size; k++)
            body[k] = (unsigned char) ((i + k) % 251);

        send_text(push, header, ZMQ_SNDMORE);
        send_text(push, "", ZMQ_SNDMORE);
        if (zmq_send(push, body, body_size, 0) == -1)
            fail_zmq("zmq_send body");
        free(body);
    }
    printf("sent %d three-part messages\n", messages);
    fflush(stdout);

    close_and_term(&push, 1, context);
    return 0;
}
