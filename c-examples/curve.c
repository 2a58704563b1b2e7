/* CURVE security (RFC 26): an encrypted, authenticated connection. The
 * server knows its secret key; each client knows the server's public key
 * and has a key pair of its own, which a ZAP handler may judge.
 *
 *   curve keys
 *       prints a fresh key pair: "PUBLIC <z85>" and "SECRET <z85>"
 *   curve server ENDPOINT PATTERN SECRET ZAP
 *       binds, prints "ENDPOINT <bound>" and serves one client:
 *       PATTERN reqrep (REP echoes a request), dealer (ROUTER echoes with
 *       the envelope), pubsub (XPUB waits for the subscription, then
 *       publishes one message off the topic and one on it);
 *       ZAP none (no handler: any client knowing the key is in), allow or
 *       deny (a handler answers 200 or 400 for every client)
 *   curve client ENDPOINT PATTERN SERVER_PUBLIC [KEYS]
 *       KEYS own (default: a fresh key pair), none (no CURVE at all)
 *
 * Both print "EVENT <number> <value>" for every handshake event their
 * monitor reports, then "OK" when the exchange went through or "REFUSED"
 * when the handshake failed, as expected for a wrong key or a denial.
 * Messages are multipart: frames of 0, 1, 255, 256, 65536 and 1 MiB. */
#include "common.h"

#include <pthread.h>
#include <stdint.h>

#define FRAMES 6
static const size_t frame_sizes[FRAMES] = {0, 1, 255, 256, 65536, 1 << 20};

/* Handshake events and their values, read from the monitor PAIR. */
#define HANDSHAKE_EVENTS                                                                   \
    (ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |                 \
     ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)

/* Reads one monitor event within `timeout_ms`; returns 0 if none came. */
static int next_event(void *monitor, int timeout_ms, uint32_t *value)
{
    set_int_option(monitor, ZMQ_RCVTIMEO, timeout_ms, "monitor timeout");
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, monitor, 0) == -1) {
        if (zmq_errno() == EAGAIN)
            return 0;
        fail_zmq("monitor event");
    }
    uint16_t event;
    memcpy(&event, zmq_msg_data(&frame), sizeof event);
    memcpy(value, (char *) zmq_msg_data(&frame) + 2, sizeof *value);
    zmq_msg_close(&frame);
    char where[256];
    recv_text(monitor, where, sizeof where);
    printf("EVENT %d %u\n", event, *value);
    fflush(stdout);
    return event;
}

static void *watch(void *context, void *socket, const char *name)
{
    check_rc(zmq_socket_monitor(socket, name, HANDSHAKE_EVENTS), "zmq_socket_monitor");
    void *monitor = new_socket(context, ZMQ_PAIR);
    connect_to(monitor, name);
    return monitor;
}

/* A ZAP handler answering every request with one status code. */
static void *zap_handler(void *arg)
{
    void *handler = arg;
    const char *status = getenv("CURVE_ZAP_STATUS");
    for (;;) {
        char frames[8][256];
        size_t sizes[8];
        int count = 0;
        do {
            int n = zmq_recv(handler, frames[count], sizeof frames[count], 0);
            if (n == -1) { /* the context is ending */
                zmq_close(handler);
                return NULL;
            }
            sizes[count] = (size_t) n;
        } while (more_to_receive(handler) && ++count < 7);
        /* version, request id, domain, address, identity, mechanism, key */
        if (strncmp(frames[5], "CURVE", sizes[5]) != 0 || sizes[6] != 32) {
            fprintf(stderr, "error: unexpected ZAP request\n");
            exit(1);
        }
        zmq_send(handler, "1.0", 3, ZMQ_SNDMORE);
        zmq_send(handler, frames[1], sizes[1], ZMQ_SNDMORE);
        zmq_send(handler, status, 3, ZMQ_SNDMORE);
        zmq_send(handler, "", 0, ZMQ_SNDMORE);
        zmq_send(handler, "curve-user", 10, ZMQ_SNDMORE);
        zmq_send(handler, "", 0, 0);
    }
}

static void send_frames(void *socket)
{
    static char body[1 << 20];
    memset(body, 'c', sizeof body);
    for (int i = 0; i < FRAMES; i++)
        check_rc(zmq_send(socket, body, frame_sizes[i], i < FRAMES - 1 ? ZMQ_SNDMORE : 0),
                 "send frame");
}

/* Receives the frames sent by send_frames; returns 1 if they arrived whole
 * and 0 on a timeout. */
static int recv_frames(void *socket)
{
    for (int i = 0; i < FRAMES; i++) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, socket, 0) == -1) {
            if (zmq_errno() == EAGAIN && i == 0)
                return 0;
            fail_zmq("receive frame");
        }
        const char *data = zmq_msg_data(&frame);
        size_t size = zmq_msg_size(&frame);
        int good = size == frame_sizes[i] && (size == 0 || (data[0] == 'c' && data[size - 1] == 'c'));
        if (!good || zmq_msg_more(&frame) != (i < FRAMES - 1)) {
            fprintf(stderr, "error: frame %d has %zu bytes\n", i, size);
            exit(1);
        }
        zmq_msg_close(&frame);
    }
    return 1;
}

static void set_key(void *socket, int option, const char *z85)
{
    check_rc(zmq_setsockopt(socket, option, z85, strlen(z85)), "set a CURVE key");
}

/* Waits for the first handshake verdict; prints it. 1 if it succeeded. */
static int handshake_result(void *monitor)
{
    uint32_t value;
    int event = next_event(monitor, EXAMPLE_TIMEOUT_MS, &value);
    return event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
}

static int serve(void *context, const char *endpoint, const char *pattern, const char *secret,
                 const char *zap)
{
    pthread_t thread;
    void *handler = NULL;
    if (strcmp(zap, "none") != 0) {
        setenv("CURVE_ZAP_STATUS", strcmp(zap, "allow") == 0 ? "200" : "400", 1);
        handler = new_socket(context, ZMQ_REP);
        set_int_option(handler, ZMQ_RCVTIMEO, -1, "ZAP handler timeout");
        set_int_option(handler, ZMQ_LINGER, 0, "ZAP handler linger");
        bind_to(handler, "inproc://zeromq.zap.01");
        pthread_create(&thread, NULL, zap_handler, handler);
    }
    int type = strcmp(pattern, "reqrep") == 0   ? ZMQ_REP
               : strcmp(pattern, "dealer") == 0 ? ZMQ_ROUTER
                                                : ZMQ_XPUB;
    void *socket = new_socket(context, type);
    int one = 1;
    check_rc(zmq_setsockopt(socket, ZMQ_CURVE_SERVER, &one, sizeof one), "ZMQ_CURVE_SERVER");
    set_key(socket, ZMQ_CURVE_SECRETKEY, secret);
    void *monitor = watch(context, socket, "inproc://server-events");
    bind_to(socket, endpoint);
    char bound[256];
    size_t size = sizeof bound;
    check_rc(zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, bound, &size), "ZMQ_LAST_ENDPOINT");
    printf("ENDPOINT %s\n", bound);
    fflush(stdout);

    int ok = handshake_result(monitor);
    if (ok) {
        if (type == ZMQ_XPUB) {
            char subscription[64];
            recv_text(socket, subscription, sizeof subscription);
            if (strcmp(subscription, "\1topic") != 0) {
                fprintf(stderr, "error: subscription \"%s\"\n", subscription + 1);
                return 1;
            }
            send_text(socket, "other", 0);
            send_text(socket, "topic", ZMQ_SNDMORE);
            send_frames(socket);
        } else {
            char envelope[256];
            int id_size = 0;
            if (type == ZMQ_ROUTER)
                id_size = zmq_recv(socket, envelope, sizeof envelope, 0);
            check_rc(id_size, "receive the envelope");
            if (!recv_frames(socket)) {
                fprintf(stderr, "error: no request\n");
                return 1;
            }
            if (type == ZMQ_ROUTER)
                check_rc(zmq_send(socket, envelope, (size_t) id_size, ZMQ_SNDMORE), "envelope");
            send_frames(socket);
        }
    }
    printf(ok ? "OK\n" : "REFUSED\n");
    fflush(stdout);
    check_rc(zmq_close(socket), "zmq_close");
    check_rc(zmq_close(monitor), "zmq_close");
    if (handler) {
        /* Wakes the handler with ETERM; it closes its own socket. */
        check_rc(zmq_ctx_shutdown(context), "zmq_ctx_shutdown");
        pthread_join(thread, NULL);
    }
    check_rc(zmq_ctx_term(context), "zmq_ctx_term");
    return 0;
}

static int client(void *context, const char *endpoint, const char *pattern,
                  const char *server_public, const char *keys)
{
    int type = strcmp(pattern, "reqrep") == 0   ? ZMQ_REQ
               : strcmp(pattern, "dealer") == 0 ? ZMQ_DEALER
                                                : ZMQ_SUB;
    void *socket = new_socket(context, type);
    if (strcmp(keys, "none") != 0) {
        char public[41], secret[41];
        check_rc(zmq_curve_keypair(public, secret), "zmq_curve_keypair");
        set_key(socket, ZMQ_CURVE_SERVERKEY, server_public);
        set_key(socket, ZMQ_CURVE_PUBLICKEY, public);
        set_key(socket, ZMQ_CURVE_SECRETKEY, secret);
    }
    void *monitor = watch(context, socket, "inproc://client-events");
    if (type == ZMQ_SUB)
        check_rc(zmq_setsockopt(socket, ZMQ_SUBSCRIBE, "topic", 5), "ZMQ_SUBSCRIBE");
    connect_to(socket, endpoint);
    int ok = handshake_result(monitor);
    if (ok) {
        if (type == ZMQ_SUB) {
            char topic[16];
            recv_text(socket, topic, sizeof topic);
            if (strcmp(topic, "topic") != 0 || !more_to_receive(socket)) {
                fprintf(stderr, "error: got \"%s\" past the filter\n", topic);
                return 1;
            }
        } else {
            send_frames(socket);
        }
        if (!recv_frames(socket)) {
            fprintf(stderr, "error: no reply\n");
            return 1;
        }
    }
    printf(ok ? "OK\n" : "REFUSED\n");
    fflush(stdout);
    set_int_option(socket, ZMQ_LINGER, 0, "ZMQ_LINGER");
    void *sockets[] = {socket, monitor};
    close_and_term(sockets, 2, context);
    return 0;
}

int main(int argc, char **argv)
{
    const char *role = arg_or(argc, argv, 1, "keys");
    if (strcmp(role, "keys") == 0) {
        char public[41], secret[41];
        check_rc(zmq_curve_keypair(public, secret), "zmq_curve_keypair");
        printf("PUBLIC %s\nSECRET %s\n", public, secret);
        return 0;
    }
    if (argc < 5) {
        fprintf(stderr, "usage: see the top of curve.c\n");
        return 2;
    }
    void *context = new_context();
    if (strcmp(role, "server") == 0)
        return serve(context, argv[2], argv[3], argv[4], arg_or(argc, argv, 5, "none"));
    return client(context, argv[2], argv[3], argv[4], arg_or(argc, argv, 5, "own"));
}
