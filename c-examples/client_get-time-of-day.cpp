// Time-of-day client (cppzmq): a REQ socket asks "time" and prints each reply.
//
//   client_get-time-of-day [endpoint] [requests]
//   endpoint defaults to tcp://localhost:5555, requests to 1.
//
// Build: g++ client_get-time-of-day.cpp -o client_get-time-of-day -lzmq
#include <zmq.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char *argv[])
{
    const std::string endpoint = argc > 1 ? argv[1] : "tcp://localhost:5555";
    const int requests = argc > 2 ? std::atoi(argv[2]) : 1;
    if (requests < 1) {
        std::cerr << "error: the request count must be at least 1\n";
        return 2;
    }

    try {
        zmq::context_t context;
        zmq::socket_t socket(context, zmq::socket_type::req);
        // Never wait forever: a missing server is an error, not a hang.
        socket.set(zmq::sockopt::rcvtimeo, 10000);
        socket.set(zmq::sockopt::sndtimeo, 10000);
        socket.set(zmq::sockopt::linger, 0);
        socket.connect(endpoint);

        for (int i = 1; i <= requests; ++i) {
            if (!socket.send(zmq::str_buffer("time"), zmq::send_flags::none)) {
                std::cerr << "error: timed out sending request " << i << "\n";
                return 1;
            }
            zmq::message_t reply;
            if (!socket.recv(reply, zmq::recv_flags::none)) {
                std::cerr << "error: no reply from " << endpoint << " within 10 s\n";
                return 1;
            }
            std::cout << "reply " << i << "/" << requests << ": " << reply.to_string()
                      << std::endl;
        }
    } catch (const zmq::error_t &e) {
        std::cerr << "error: " << e.what() << " (errno " << e.num() << ")\n";
        return 1;
    }
    return 0;
}
