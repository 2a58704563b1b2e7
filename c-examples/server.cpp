// Time-of-day server (cppzmq): a REP socket answers each request with the
// local time of day as text ("HH:MM:SS"), then exits after N requests.
//
//   server [endpoint] [requests]
//   endpoint defaults to tcp://*:5555, requests to 1.
//
// Build: g++ server.cpp -o server -lzmq
#include <zmq.hpp>

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>

static std::string time_of_day()
{
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return text;
}

int main(int argc, char *argv[])
{
    const std::string endpoint = argc > 1 ? argv[1] : "tcp://*:5555";
    const int requests = argc > 2 ? std::atoi(argv[2]) : 1;
    if (requests < 1) {
        std::cerr << "error: the request count must be at least 1\n";
        return 2;
    }

    try {
        zmq::context_t context;
        zmq::socket_t socket(context, zmq::socket_type::rep);
        socket.set(zmq::sockopt::rcvtimeo, 10000);
        socket.set(zmq::sockopt::sndtimeo, 10000);
        socket.set(zmq::sockopt::linger, 10000);
        socket.bind(endpoint);

        for (int i = 1; i <= requests; ++i) {
            zmq::message_t request;
            if (!socket.recv(request, zmq::recv_flags::none)) {
                std::cerr << "error: no request within 10 s\n";
                return 1;
            }
            const std::string answer = time_of_day();
            std::cout << "request " << i << "/" << requests << ": " << request.to_string()
                      << " -> " << answer << std::endl;
            if (!socket.send(zmq::buffer(answer), zmq::send_flags::none)) {
                std::cerr << "error: timed out sending the reply\n";
                return 1;
            }
        }
    } catch (const zmq::error_t &e) {
        std::cerr << "error: " << e.what() << " (errno " << e.num() << ")\n";
        return 1;
    }
    return 0;
}
