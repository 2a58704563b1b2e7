// API misuse must fail the way libzmq fails: -1 (or NULL) with the same
// errno. Prints one line per check and exits non-zero if any differs.
//
//   errors [bind endpoint]
//   default: tcp://127.0.0.1:*   (a wildcard port, read back with
//   ZMQ_LAST_ENDPOINT and bound a second time for EADDRINUSE; with ipc://
//   libzmq replaces the old socket file instead, so keep tcp for that check)
#include "common.h"

#include <stdint.h>

#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

static int failures = 0;

static const char *errno_name(int err)
{
    switch (err) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case EAGAIN: return "EAGAIN";
    case EFSM: return "EFSM";
    case ETERM: return "ETERM";
    case ENOTSOCK: return "ENOTSOCK";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    case ENOTSUP: return "ENOTSUP";
    case EMTHREAD: return "EMTHREAD";
    case ENODEV: return "ENODEV";
    case ENOENT: return "ENOENT";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EINTR: return "EINTR";
    case ENOMEM: return "ENOMEM";
    default: return "another errno";
    }
}

/* failed: did the call report failure (-1 or NULL); err: zmq_errno() right after. */
static void expect(const char *what, int failed, int err, int wanted)
{
    if (failed && err == wanted) {
        printf("ok   %-16s %s\n", errno_name(wanted), what);
    } else {
        printf("FAIL %-16s %s: %s, errno %d (%s)\n", errno_name(wanted), what,
               failed ? "failed" : "succeeded", err, errno_name(err));
        failures++;
    }
}

#define EXPECT_RC(call, wanted, what)                                                      \
    do {                                                                                   \
        errno = 0;                                                                         \
        int rc_ = (call);                                                                  \
        int err_ = zmq_errno();                                                            \
        expect(what, rc_ == -1, err_, wanted);                                             \
    } while (0)

#define EXPECT_NULL(call, wanted, what)                                                    \
    do {                                                                                   \
        errno = 0;                                                                         \
        void *p_ = (call);                                                                 \
        int err_ = zmq_errno();                                                            \
        expect(what, p_ == NULL, err_, wanted);                                            \
        if (p_ != NULL)                                                                    \
            zmq_close(p_);                                                                 \
    } while (0)

static volatile sig_atomic_t alarms = 0;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* Raises SIGALRM in `ms` milliseconds; its handler is installed without
 * SA_RESTART, as a program that wants its blocking calls interrupted does. */
static void alarm_in(int ms)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    sigemptyset(&action.sa_mask);
    sigaction(SIGALRM, &action, NULL);
    struct itimerval timer;
    memset(&timer, 0, sizeof timer);
    timer.it_value.tv_usec = ms * 1000;
    setitimer(ITIMER_REAL, &timer, NULL);
}

static void *blocked_receiver(void *socket)
{
    char buffer[16];
    errno = 0;
    int rc = zmq_recv(socket, buffer, sizeof buffer, 0);
    int err = zmq_errno();
    expect("blocking zmq_recv interrupted by zmq_ctx_term", rc == -1, err, ETERM);
    zmq_close(socket);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *endpoint = arg_or(argc, argv, 1, "tcp://127.0.0.1:*");
    char buffer[64];
    int value = 0;

    void *context = new_context();

    /* Socket type and state machine. */
    EXPECT_NULL(zmq_socket(context, 9999), EINVAL, "zmq_socket with an unknown type");
    void *req = new_socket(context, ZMQ_REQ);
    EXPECT_RC(zmq_recv(req, buffer, sizeof buffer, 0), EFSM, "REQ zmq_recv before any send");

    /* Options. */
    value = 100;
    EXPECT_RC(zmq_setsockopt(req, ZMQ_LINGER, &value, 2), EINVAL,
              "zmq_setsockopt ZMQ_LINGER with a 2-byte value");
    EXPECT_RC(zmq_setsockopt(req, 9999, &value, sizeof value), EINVAL,
              "zmq_setsockopt with an unknown option");
    size_t small = 1;
    EXPECT_RC(zmq_getsockopt(req, ZMQ_TYPE, &value, &small), EINVAL,
              "zmq_getsockopt ZMQ_TYPE into 1 byte");

    /* NULL handles. */
    EXPECT_NULL(zmq_socket(NULL, ZMQ_REQ), EFAULT, "zmq_socket on a NULL context");
    EXPECT_RC(zmq_close(NULL), ENOTSOCK, "zmq_close(NULL)");
    EXPECT_RC(zmq_send(NULL, "x", 1, 0), ENOTSOCK, "zmq_send on a NULL socket");
    EXPECT_RC(zmq_recv(NULL, buffer, sizeof buffer, 0), ENOTSOCK, "zmq_recv on a NULL socket");
    EXPECT_RC(zmq_bind(NULL, endpoint), ENOTSOCK, "zmq_bind on a NULL socket");
    EXPECT_RC(zmq_setsockopt(NULL, ZMQ_LINGER, &value, sizeof value), ENOTSOCK,
              "zmq_setsockopt on a NULL socket");
    EXPECT_RC(zmq_ctx_term(NULL), EFAULT, "zmq_ctx_term(NULL)");
    {
        /* A message closed once is no message: closing it again fails. */
        zmq_msg_t msg;
        zmq_msg_init_size(&msg, 100);
        zmq_msg_close(&msg);
        EXPECT_RC(zmq_msg_close(&msg), EFAULT, "zmq_msg_close of a closed message");
        /* (Sending it makes libzmq abort; ours says EFAULT: api_details.rs.) */
    }

    /* Endpoints. */
    EXPECT_RC(zmq_bind(req, "foo://x"), EPROTONOSUPPORT, "zmq_bind to foo://x");
    EXPECT_RC(zmq_connect(req, "foo://x"), EPROTONOSUPPORT, "zmq_connect to foo://x");
    EXPECT_RC(zmq_connect(req, "tcp://nohostport"), EINVAL, "zmq_connect to tcp://nohostport");
    EXPECT_RC(zmq_bind(req, "tcp://nohostport"), EINVAL, "zmq_bind to tcp://nohostport");
    EXPECT_RC(zmq_bind(req, "ipc://@"), EINVAL, "zmq_bind to an empty abstract ipc name");
    EXPECT_NULL(zmq_z85_encode(NULL, NULL, 1), EINVAL,
                "zmq_z85_encode of 1 byte (size is checked before pointers)");
    {
        /* 108 characters: one more than a Unix socket path holds. */
        char too_long[6 + 108 + 1] = "ipc://";
        memset(too_long + 6, 'a', 108);
        too_long[6 + 108] = 0;
        EXPECT_RC(zmq_bind(req, too_long), ENAMETOOLONG, "zmq_bind to an over-long ipc path");
        EXPECT_RC(zmq_connect(req, too_long), ENAMETOOLONG,
                  "zmq_connect to an over-long ipc path");
    }

    void *first = new_socket(context, ZMQ_PULL);
    bind_to(first, endpoint);
    char bound[256];
    size_t bound_size = sizeof bound;
    check_rc(zmq_getsockopt(first, ZMQ_LAST_ENDPOINT, bound, &bound_size),
             "get ZMQ_LAST_ENDPOINT");
    void *second = new_socket(context, ZMQ_PULL);
    EXPECT_RC(zmq_bind(second, bound), EADDRINUSE, "zmq_bind twice to the same address");
    /* A wildcard bind is unbound by the address it got, not the wildcard. */
    size_t length = strlen(endpoint);
    if (length > 2 && strcmp(endpoint + length - 2, ":*") == 0)
        EXPECT_RC(zmq_unbind(first, endpoint), ENOENT, "zmq_unbind of a tcp wildcard");
    check_rc(zmq_bind(second, "ipc://*"), "bind ipc://*");
    EXPECT_RC(zmq_unbind(second, "ipc://*"), ENOENT, "zmq_unbind of ipc://*");

    /* Non-blocking receive with nothing queued. */
    EXPECT_RC(zmq_recv(first, buffer, sizeof buffer, ZMQ_DONTWAIT), EAGAIN,
              "zmq_recv ZMQ_DONTWAIT with nothing queued");
    {
        /* A zmq_msg_recv that finds nothing leaves the message empty,
         * whatever it held before. */
        zmq_msg_t held;
        check_rc(zmq_msg_init_size(&held, 100), "zmq_msg_init_size");
        EXPECT_RC(zmq_msg_recv(&held, first, ZMQ_DONTWAIT), EAGAIN,
                  "zmq_msg_recv ZMQ_DONTWAIT with nothing queued");
        if (zmq_msg_size(&held) == 0) {
            printf("ok   %-16s the message is left empty after it\n", "");
        } else {
            printf("FAIL %-16s the message holds %zu bytes after it\n", "", zmq_msg_size(&held));
            failures++;
        }
        zmq_msg_close(&held);
    }

    /* A signal ends a blocking call with EINTR and the handler runs (a
     * Ctrl-C handler, or pyzmq's KeyboardInterrupt, depends on it). */
    alarm_in(100);
    EXPECT_RC(zmq_recv(first, buffer, sizeof buffer, 0), EINTR,
              "zmq_recv interrupted by a signal");
    if (alarms == 1) {
        printf("ok   %-16s the handler ran during zmq_recv\n", "");
    } else {
        printf("FAIL %-16s the handler ran %d times during zmq_recv\n", "", (int)alarms);
        failures++;
    }
    zmq_pollitem_t item = {first, 0, ZMQ_POLLIN, 0};
    alarm_in(100);
    EXPECT_RC(zmq_poll(&item, 1, -1), EINTR, "zmq_poll interrupted by a signal");
    {
        /* A body the machine cannot give: an error, not an abort. */
        zmq_msg_t huge;
        EXPECT_RC(zmq_msg_init_size(&huge, (size_t)1 << 47), ENOMEM,
                  "zmq_msg_init_size of 128 TiB");
    }

    {
        /* CURVE keys (zmq_curve(7)'s example pair): read back raw into 32
         * bytes or as Z85 into 41, any other size is EINVAL; the public key
         * derives from the secret one. */
        const char *public_z85 = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
        const char *secret_z85 = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
        void *dealer = new_socket(context, ZMQ_DEALER);
        check_rc(zmq_setsockopt(dealer, ZMQ_CURVE_PUBLICKEY, public_z85, 40), "set the key");
        uint8_t raw[41], decoded[32];
        size_t size = 32;
        zmq_z85_decode(decoded, public_z85);
        int same = zmq_getsockopt(dealer, ZMQ_CURVE_PUBLICKEY, raw, &size) == 0 && size == 32 &&
                   memcmp(raw, decoded, 32) == 0;
        size = 41;
        same = same && zmq_getsockopt(dealer, ZMQ_CURVE_PUBLICKEY, raw, &size) == 0 &&
               size == 41 && strcmp((char *) raw, public_z85) == 0;
        char derived[41] = "", public[41], secret[41];
        same = same && zmq_curve_public(derived, secret_z85) == 0 &&
               strcmp(derived, public_z85) == 0;
        same = same && zmq_curve_keypair(public, secret) == 0 &&
               zmq_curve_public(derived, secret) == 0 && strcmp(derived, public) == 0;
        printf("%s %-16s CURVE keys read back and derive as set\n", same ? "ok  " : "FAIL", "");
        failures += !same;
        size = 40;
        EXPECT_RC(zmq_getsockopt(dealer, ZMQ_CURVE_PUBLICKEY, raw, &size), EINVAL,
                  "ZMQ_CURVE_PUBLICKEY into 40 bytes");
        EXPECT_RC(zmq_setsockopt(dealer, ZMQ_CURVE_SERVERKEY, "short", 5), EINVAL,
                  "ZMQ_CURVE_SERVERKEY of 5 bytes");
        EXPECT_RC(zmq_curve_public(derived, "not z85"), EINVAL, "zmq_curve_public of bad text");
        zmq_close(dealer);
    }

    /* A terminated context: zmq_ctx_shutdown makes every call fail with
     * ETERM, and zmq_ctx_term then waits until the sockets are closed. */
    check_rc(zmq_ctx_shutdown(context), "zmq_ctx_shutdown");
    EXPECT_NULL(zmq_socket(context, ZMQ_PUSH), ETERM, "zmq_socket after zmq_ctx_shutdown");
    EXPECT_RC(zmq_recv(first, buffer, sizeof buffer, 0), ETERM,
              "zmq_recv after zmq_ctx_shutdown");
    EXPECT_RC(zmq_send(req, "x", 1, 0), ETERM, "zmq_send after zmq_ctx_shutdown");
    EXPECT_RC(zmq_connect(second, "tcp://127.0.0.1:1"), ETERM,
              "zmq_connect after zmq_ctx_shutdown");
    void *sockets[] = {req, first, second};
    close_and_term(sockets, 3, context);

    /* The usual way ETERM shows up: a thread blocked in zmq_recv when
     * another thread terminates the context. */
    void *context2 = new_context();
    void *pull = zmq_socket(context2, ZMQ_PULL);
    if (pull == NULL)
        fail_zmq("zmq_socket");
    pthread_t thread;
    if (pthread_create(&thread, NULL, blocked_receiver, pull) != 0) {
        fprintf(stderr, "error: pthread_create\n");
        return 1;
    }
    check_rc(zmq_ctx_term(context2), "zmq_ctx_term with a blocked receiver");
    pthread_join(thread, NULL);

    if (failures > 0) {
        printf("%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
