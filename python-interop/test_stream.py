"""ZMQ_STREAM, raw TCP peers, against the real libzmq: the same exchange
with a plain TCP client and a plain TCP server on pyzmq's libzmq and ours,
and a STREAM of ours talking to a STREAM of libzmq's in another process,
both ways."""

import pytest

from conftest import SIDES, run_on_both, run_server_and_client

RAW_PEERS = """
import socket, time, zmq
from zmqproof import prove
ctx = zmq.Context()
s = ctx.socket(zmq.STREAM)
prove(s)
s.rcvtimeo = 2000
port = s.bind_to_random_port("tcp://127.0.0.1")
c = socket.create_connection(("127.0.0.1", port))
c.settimeout(2)
ident, body = s.recv_multipart()
print("server: connected", len(ident), body)
c.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
again, body = s.recv_multipart()
print("server: request from the same id", again == ident, body)
s.send_multipart([ident, b"HTTP/1.0 200 OK\\r\\n\\r\\nhello"])
print("client: got", c.recv(100))
s.send_multipart([ident, b""])  # closes the connection
def after_close():
    c.settimeout(0.05)
    for _ in range(40):
        s.poll(50)  # libzmq acts on the close only when called in
        try:
            return c.recv(100)
        except socket.timeout:
            pass
    return "still open"
print("client: then", after_close())
try:
    s.send_multipart([b"nobody", b"x"])
except zmq.ZMQError as e:
    print("server: unknown peer", e.errno)
s.rcvtimeo = 300
try:
    print("server: after our close", s.recv_multipart())
except zmq.Again:
    print("server: after our close, nothing")

srv = socket.create_server(("127.0.0.1", 0))
s.rcvtimeo = 2000
s.connect("tcp://127.0.0.1:%d" % srv.getsockname()[1])
conn, _ = srv.accept()
conn.settimeout(2)
ident, body = s.recv_multipart()
print("client mode: connected", len(ident), body)
print("client mode: ROUTING_ID names the newest peer", s.getsockopt(zmq.ROUTING_ID) == ident)
s.send_multipart([ident, b"ping"])
print("client mode: server got", conn.recv(100))
conn.sendall(b"pong")
print("client mode: got", s.recv_multipart() == [ident, b"pong"])
conn.close()
print("client mode: peer closed", s.recv_multipart() == [ident, b""])

quiet = ctx.socket(zmq.STREAM)
quiet.setsockopt(zmq.STREAM_NOTIFY, 0)
quiet.rcvtimeo = 2000
port = quiet.bind_to_random_port("tcp://127.0.0.1")
c = socket.create_connection(("127.0.0.1", port))
c.sendall(b"data first")
print("no notify:", quiet.recv_multipart()[1])
for sock in (s, quiet):
    sock.close(0)
ctx.term()
"""


def test_stream_with_raw_tcp_peers_as_libzmq(tmp_path):
    """Connect and disconnect notices, data both ways, a connection closed
    by an empty body, EHOSTUNREACH for an unknown id, client mode, and
    ZMQ_STREAM_NOTIFY off: the same on pyzmq's libzmq and ours."""
    seen = run_on_both(tmp_path, RAW_PEERS, keep=("server", "client", "no notify"))
    assert "server: unknown peer 113" in seen["libzmq"], seen
    assert "client: then b''" in seen["libzmq"], seen
    assert seen["ours"] == seen["libzmq"], seen


SERVER = """
import sys, zmq
from zmqproof import prove
ctx = zmq.Context()
s = ctx.socket(zmq.STREAM)
prove(s)
s.rcvtimeo = 5000
s.bind("tcp://127.0.0.1:*")
print("ENDPOINT", s.last_endpoint.decode(), flush=True)
ident, body = s.recv_multipart()
print("notice", body, flush=True)
got = b""
while len(got) < 6:
    who, chunk = s.recv_multipart()
    got += chunk
print("server got", got, flush=True)
s.send_multipart([ident, b"answer"])
who, body = s.recv_multipart()
print("closed", who == ident, body, flush=True)
s.close(0); ctx.term()
"""

CLIENT = """
import sys, zmq
from zmqproof import prove
ctx = zmq.Context()
s = ctx.socket(zmq.STREAM)
prove(s)
s.rcvtimeo = 5000
s.connect(sys.argv[1])
ident, body = s.recv_multipart()
s.send_multipart([ident, b"ques"])
s.send_multipart([ident, b"ti"])
got = b""
while len(got) < 6:
    who, chunk = s.recv_multipart()
    got += chunk
print("client got", got, flush=True)
s.send_multipart([ident, b""])
s.close(linger=1000); ctx.term()
"""


@pytest.mark.parametrize("sides", SIDES, ids="-".join)
def test_stream_to_stream_across_libraries(tmp_path, sides):
    server, client = run_server_and_client(tmp_path, SERVER, CLIENT, sides)
    assert "notice b''" in server, server
    assert "server got b'questi'" in server, server
    assert "client got b'answer'" in client, client
    assert "closed True b''" in server, server
