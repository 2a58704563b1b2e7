"""Time-of-day server (pyzmq): a REP socket answers each request with the
local time of day as text ("HH:MM:SS"), then exits after N requests.

    python3 server.py [endpoint] [requests]
    defaults: tcp://*:5555 1
"""

import sys
import time

import zmq

import zmqproof


def main():
    endpoint = sys.argv[1] if len(sys.argv) > 1 else "tcp://*:5555"
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 1

    context = zmq.Context()
    socket = context.socket(zmq.REP)
    socket.rcvtimeo = 10000
    socket.sndtimeo = 10000
    socket.linger = 10000
    zmqproof.prove(socket)
    socket.bind(endpoint)

    for i in range(1, requests + 1):
        try:
            request = socket.recv()
        except zmq.Again:
            print("error: no request within 10 s", file=sys.stderr)
            return 1
        answer = time.strftime("%H:%M:%S")
        print(f"request {i}/{requests}: {request.decode()} -> {answer}", flush=True)
        socket.send_string(answer)

    socket.close()
    context.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
