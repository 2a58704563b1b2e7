// Multipart messages, receiver: checks that every message arrives whole,
// with its three frames in order, ZMQ_RCVMORE set on the first two and not
// on the last, and the contents multipart_sender put in them.
//
//   multipart_receiver [endpoint] [messages]
//   defaults: tcp://localhost:5610 20
#include "common.h"

static void receive_frame(void *socket, zmq_msg_t *frame)
{
    check_rc(zmq_msg_init(frame), "zmq_msg_init");
    check_rc(zmq_msg_recv(frame, socket, 0), "zmq_msg_recv");
}

int main(int argc, char **argv)
{
    const char *endpoint = arg_or(argc, argv, 1, "tcp://localhost:5610");
    int messages = int_arg_or(argc, argv, 2, 20);

    void *context = new_context();
    void *pull = new_socket(context, ZMQ_PULL);
    connect_to(pull, endpoint);

    for (int i = 0; i < messages; i++) {
        zmq_msg_t frames[3];
        receive_frame(pull, &frames[0]);
        expect_more(pull, 1, "after frame 1");
        if (zmq_msg_more(&frames[0]) != 1) {
            fprintf(stderr, "error: zmq_msg_more is 0 on frame 1\n");
            return 1;
        }
        receive_frame(pull, &frames[1]);
        expect_more(pull, 1, "after frame 2");
        receive_frame(pull, &frames[2]);
        expect_more(pull, 0, "after frame 3");

        char header[64];
        snprintf(header, sizeof header, "message %d", i);
        size_t header_size = zmq_msg_size(&frames[0]);
        if (header_size != strlen(header) ||
            memcmp(zmq_msg_data(&frames[0]), header, header_size) != 0) {
            fprintf(stderr, "error: frame 1 of message %d is \"%.*s\"\n", i,
                    (int) header_size, (char *) zmq_msg_data(&frames[0]));
            return 1;
        }
        if (zmq_msg_size(&frames[1]) != 0) {
            fprintf(stderr, "error: frame 2 of message %d is not empty\n", i);
            return 1;
        }
        size_t body_size = zmq_msg_size(&frames[2]);
        const unsigned char *body = zmq_msg_data(&frames[2]);
        if (body_size != (size_t) i * 1000) {
            fprintf(stderr, "error: body of message %d has %zu bytes\n", i, body_size);
            return 1;
        }
        for (size_t k = 0; k < body_size; k++) {
            if (body[k] != (unsigned char) ((i + k) % 251)) {
                fprintf(stderr, "error: body of message %d differs at byte %zu\n", i, k);
                return 1;
            }
        }
        for (int f = 0; f < 3; f++)
            check_rc(zmq_msg_close(&frames[f]), "zmq_msg_close");
        printf("message %d: 3 frames, %zu body bytes, ok\n", i, body_size);
    }
    fflush(stdout);

    close_and_term(&pull, 1, context);
    return 0;
}
