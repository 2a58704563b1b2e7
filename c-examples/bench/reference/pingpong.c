// Reference, no ZeroMQ: the round trip of plain tcp sockets between two
// processes on loopback, 64 B each way, what any messaging library's round
// trip on this machine is made of. The parent process asks, a forked child
// answers, both with TCP_NODELAY.
//
//   pingpong [count] [block|spin]      defaults: 20000 block
//   "block" waits in recv(2) (the thread sleeps and is woken, as a blocked
//   zmq_recv is); "spin" retries a non-blocking recv(2) until the bytes are
//   there (the thread never sleeps, and burns its core meanwhile).
//
// Prints "pingpong mode=... count=N avg_us=X". The README's "What bounds
// the 64 B round trips" quotes it; `make bench-programs` builds it as
// build/pingpong (it links no ZeroMQ, so it is built once, not per library).
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SIZE 64
#define WARM_UP 100

static int spin;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec * 1e-9;
}

static void fail(const char *what)
{
    perror(what);
    exit(1);
}

// Reads exactly SIZE bytes; 0 when the peer closed.
static int take(int fd, char *buf)
{
    int got = 0;
    while (got < SIZE) {
        ssize_t n = recv(fd, buf + got, SIZE - got, spin ? MSG_DONTWAIT : 0);
        if (n > 0)
            got += n;
        else if (n == 0)
            return 0;
        else if (errno != EAGAIN && errno != EINTR)
            fail("recv");
    }
    return 1;
}

static void give(int fd, const char *buf)
{
    if (send(fd, buf, SIZE, 0) != SIZE)
        fail("send");
}

static void no_delay(int fd)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == -1)
        fail("TCP_NODELAY");
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 20000;
    if (count < 1 || (argc > 2 && strcmp(argv[2], "spin") != 0 && strcmp(argv[2], "block") != 0)) {
        fprintf(stderr, "usage: pingpong [count >= 1] [block|spin]\n");
        return 2;
    }
    spin = argc > 2 && strcmp(argv[2], "spin") == 0;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener == -1 || bind(listener, (struct sockaddr *) &addr, len) == -1 ||
        listen(listener, 1) == -1 || getsockname(listener, (struct sockaddr *) &addr, &len) == -1)
        fail("listen");
    char buf[SIZE] = {0};
    pid_t child = fork();
    if (child == -1)
        fail("fork");
    if (child == 0) {
        int fd = accept(listener, NULL, NULL);
        if (fd == -1)
            fail("accept");
        no_delay(fd);
        while (take(fd, buf))
            give(fd, buf);
        return 0;
    }
    close(listener);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1 || connect(fd, (struct sockaddr *) &addr, sizeof addr) == -1)
        fail("connect");
    no_delay(fd);
    double start = 0;
    for (long i = 0; i < count + WARM_UP; i++) {
        if (i == WARM_UP)
            start = now();
        give(fd, buf);
        if (!take(fd, buf)) {
            fprintf(stderr, "error: the answering process went away\n");
            return 1;
        }
    }
    double seconds = now() - start;
    close(fd);
    waitpid(child, NULL, 0);
    printf("pingpong mode=%s count=%ld avg_us=%.2f\n", spin ? "spin" : "block", count,
           seconds / count * 1e6);
    return 0;
}
