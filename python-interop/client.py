"""Time-of-day client (pyzmq): a REQ socket asks "time" and prints each reply.

    python3 client.py [endpoint] [requests]
    defaults: tcp://localhost:5555 1
"""

import sys

import zmq

import zmqproof


def main():
    endpoint = sys.argv[1] if len(sys.argv) > 1 else "tcp://localhost:5555"
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 1

    context = zmq.Context()
    socket = context.socket(zmq.REQ)
    socket.rcvtimeo = 10000
    socket.sndtimeo = 10000
    socket.linger = 0
    zmqproof.prove(socket)
    socket.connect(endpoint)

    for i in range(1, requests + 1):
        socket.send(b"time")
        try:
            reply = socket.recv_string()
        except zmq.Again:
            print(f"error: no reply from {endpoint} within 10 s", file=sys.stderr)
            return 1
        print(f"reply {i}/{requests}: {reply}", flush=True)

    socket.close()
    context.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
