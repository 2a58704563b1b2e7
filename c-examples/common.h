/* Small helpers shared by the C examples: header only, so every example
 * still builds with the plain line `gcc NAME.c -o NAME -lzmq`.
 *
 * Every example takes its endpoints from argv (tcp by default), bounds every
 * blocking call with a timeout and exits non-zero on the first error. */
#ifndef EXAMPLES_COMMON_H
#define EXAMPLES_COMMON_H

#include <zmq.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long any single send or receive may block before the example gives
 * up. Generous, so a loaded machine does not fail a correct run. */
#define EXAMPLE_TIMEOUT_MS 5000

/* Abort the example when a libzmq call returned -1 (or NULL). */
static inline void fail_zmq(const char *what)
{
    int err = zmq_errno();
    fprintf(stderr, "error: %s: %s (errno %d)\n", what, zmq_strerror(err), err);
    exit(1);
}

static inline void check_rc(int rc, const char *what)
{
    if (rc == -1)
        fail_zmq(what);
}

static inline const char *arg_or(int argc, char **argv, int index, const char *fallback)
{
    return argc > index ? argv[index] : fallback;
}

static inline int int_arg_or(int argc, char **argv, int index, int fallback)
{
    if (argc <= index)
        return fallback;
    char *end = NULL;
    long value = strtol(argv[index], &end, 10);
    if (end == argv[index] || *end != '\0' || value < 0 || value > 100000000) {
        fprintf(stderr, "error: argument %d (\"%s\") is not a count\n", index, argv[index]);
        exit(2);
    }
    return (int) value;
}

static inline void set_int_option(void *socket, int option, int value, const char *what)
{
    check_rc(zmq_setsockopt(socket, option, &value, sizeof value), what);
}

/* A socket whose blocking calls are bounded and whose close does not wait
 * forever for a peer that went away. */
static inline void *new_socket(void *context, int type)
{
    void *socket = zmq_socket(context, type);
    if (socket == NULL)
        fail_zmq("zmq_socket");
    set_int_option(socket, ZMQ_RCVTIMEO, EXAMPLE_TIMEOUT_MS, "set ZMQ_RCVTIMEO");
    set_int_option(socket, ZMQ_SNDTIMEO, EXAMPLE_TIMEOUT_MS, "set ZMQ_SNDTIMEO");
    set_int_option(socket, ZMQ_LINGER, EXAMPLE_TIMEOUT_MS, "set ZMQ_LINGER");
    return socket;
}

#ifdef EXAMPLES_SHARED_CONTEXT
/* together.c runs several examples as threads of one process: they share
 * its context (inproc:// only joins sockets of one context), which it
 * terminates itself once every example has returned. */
extern void *examples_shared_context;
#endif

static inline void *new_context(void)
{
#ifdef EXAMPLES_SHARED_CONTEXT
    return examples_shared_context;
#endif
    void *context = zmq_ctx_new();
    if (context == NULL)
        fail_zmq("zmq_ctx_new");
    return context;
}

static inline void bind_to(void *socket, const char *endpoint)
{
    if (zmq_bind(socket, endpoint) == -1) {
        fprintf(stderr, "error: bind %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        exit(1);
    }
}

static inline void connect_to(void *socket, const char *endpoint)
{
    if (zmq_connect(socket, endpoint) == -1) {
        fprintf(stderr, "error: connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        exit(1);
    }
}

/* Connect to every endpoint of a comma-separated list; returns how many. */
static inline int connect_all(void *socket, const char *endpoints)
{
    char *copy = strdup(endpoints);
    int count = 0;
    char *saveptr = NULL;
    for (char *one = strtok_r(copy, ",", &saveptr); one != NULL;
         one = strtok_r(NULL, ",", &saveptr)) {
        connect_to(socket, one);
        count++;
    }
    free(copy);
    return count;
}

/* Send a C string as one frame (flags: 0 or ZMQ_SNDMORE). */
static inline void send_text(void *socket, const char *text, int flags)
{
    if (zmq_send(socket, text, strlen(text), flags) == -1)
        fail_zmq("zmq_send");
}

/* Receive one frame into a NUL-terminated buffer; fails on truncation. */
static inline void recv_text(void *socket, char *buffer, size_t capacity)
{
    int size = zmq_recv(socket, buffer, capacity - 1, 0);
    if (size == -1)
        fail_zmq("zmq_recv");
    if ((size_t) size > capacity - 1) {
        fprintf(stderr, "error: frame of %d bytes does not fit in %zu\n", size, capacity - 1);
        exit(1);
    }
    buffer[size] = '\0';
}

static inline int more_to_receive(void *socket)
{
    int more = 0;
    size_t size = sizeof more;
    check_rc(zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &size), "get ZMQ_RCVMORE");
    return more;
}

static inline void expect_more(void *socket, int wanted, const char *where)
{
    if (more_to_receive(socket) != wanted) {
        fprintf(stderr, "error: %s: ZMQ_RCVMORE is %d, wanted %d\n", where, !wanted, wanted);
        exit(1);
    }
}

static inline void close_and_term(void **sockets, int count, void *context)
{
    for (int i = 0; i < count; i++)
        check_rc(zmq_close(sockets[i]), "zmq_close");
#ifdef EXAMPLES_SHARED_CONTEXT
    (void) context;
#else
    check_rc(zmq_ctx_term(context), "zmq_ctx_term");
#endif
}

#endif
