// Compiled against include/zmq.h by tests/cppzmq.rs: Debian's cppzmq
// headers must build with -Wall -Wextra -Werror, and message_t, sockets,
// poll and multipart must work.
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

// A request and a multipart reply over inproc through cppzmq's socket,
// poll and multipart wrappers.
void uses_sockets(zmq::context_t &ctx)
{
    zmq::socket_t rep(ctx, zmq::socket_type::rep);
    rep.set(zmq::sockopt::linger, 0);
    rep.bind("inproc://smoke");
    zmq::socket_t req(ctx, zmq::socket_type::req);
    req.set(zmq::sockopt::linger, 0);
    req.connect("inproc://smoke");
    const auto sent = req.send(zmq::str_buffer("hello"), zmq::send_flags::none);
    CHECK(sent.has_value() && *sent == 5);
    zmq::pollitem_t items[] = {{rep.handle(), 0, ZMQ_POLLIN, 0}};
    CHECK(zmq::poll(items, 1, std::chrono::milliseconds(2000)) == 1);
    zmq::message_t request;
    CHECK(rep.recv(request, zmq::recv_flags::dontwait).has_value());
    CHECK(request.to_string() == "hello");
    zmq::multipart_t parts;
    parts.addstr("world");
    parts.addstr("again");
    CHECK(parts.send(rep));
    zmq::multipart_t reply(req);
    CHECK(reply.size() == 2 && reply.popstr() == "world" && reply.popstr() == "again");
}

int main()
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

    {
        zmq::context_t ctx;
        uses_sockets(ctx);
    }
    if (failures == 0)
        std::puts("cppzmq smoke: ok");
    return failures == 0 ? 0 : 1;
}
