// Compiled against include/zmq.h by tests/cppzmq.rs: Debian's cppzmq
// headers must build with -Wall -Wextra -Werror, and message_t must work.
#include <zmq.hpp>
#include <zmq_addon.hpp>
#include <zmq_utils.h>

#include <cstdio>
#include <cstring>
#include <string>

static int failures = 0;
#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            std::fprintf(stderr, "check failed: %s (line %d)\n", #cond,       \
                         __LINE__);                                            \
            ++failures;                                                        \
        }                                                                      \
    } while (0)

// Referencing the API cppzmq wraps makes the linker check our exports.
void uses_sockets(zmq::context_t &ctx)
{
    zmq::socket_t sock(ctx, zmq::socket_type::req);
    sock.set(zmq::sockopt::linger, 0);
    sock.connect("tcp://127.0.0.1:5555");
    zmq::message_t reply;
    (void) sock.recv(reply, zmq::recv_flags::dontwait);
    zmq::multipart_t parts;
    parts.addstr("hello");
    (void) parts.send(sock);
    zmq::pollitem_t items[] = {{sock.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 1, std::chrono::milliseconds(0));
    zmq::proxy(sock, sock);
}

int main(int argc, char **)
{
    int major = 0, minor = 0, patch = 0;
    zmq::version(&major, &minor, &patch);
    CHECK(major == 4 && minor == 3 && patch == 5);
    CHECK(ZMQ_VERSION == ZMQ_MAKE_VERSION(4, 3, 5));
    CHECK(sizeof(zmq_msg_t) == 64);

    const std::string text(1000, 'x');
    zmq::message_t a(text.data(), text.size());
    CHECK(a.size() == 1000);
    CHECK(a.to_string() == text);
    zmq::message_t b;
    b.copy(a);
    CHECK(b.to_string() == text);
    CHECK(b.data() == a.data());
    zmq::message_t c(std::move(b));
    CHECK(c.size() == 1000 && b.size() == 0);
    CHECK(!c.more());

    zmq::message_t small("hi", 2);
    CHECK(small.to_string() == "hi");
    CHECK(std::strcmp(zmq::error_t(ETERM).what(), "Context was terminated") == 0);

    char z85[11];
    const uint8_t bytes[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    CHECK(zmq_z85_encode(z85, bytes, 8) != NULL);
    CHECK(std::strcmp(z85, "HelloWorld") == 0);

    if (argc > 1) { // never at test time: the socket layer is not there yet
        zmq::context_t ctx;
        uses_sockets(ctx);
    }
    if (failures == 0)
        std::puts("cppzmq smoke: ok");
    return failures == 0 ? 0 : 1;
}
