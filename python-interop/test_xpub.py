"""XPUB and XSUB as libzmq's, against the real libzmq on either side: an
XSUB passes every message up (the XPUB filters), a message from an XSUB
that is no subscription reaches the XPUB's user whole, and a manual XPUB
hears a cancel for each topic a departing peer asked for."""

import pytest

from conftest import SIDES, run_server_and_client

SERVER = """
import zmq
from zmqproof import prove
ctx = zmq.Context()
xpub = ctx.socket(zmq.XPUB)
prove(xpub)
xpub.setsockopt(zmq.XPUB_MANUAL, 1)
xpub.rcvtimeo = 5000
xpub.bind("tcp://127.0.0.1:*")
print("ENDPOINT", xpub.last_endpoint.decode(), flush=True)
print("ASKED", xpub.recv(), flush=True)
# Manual mode: the peer asked for A, it gets B instead.
xpub.setsockopt(zmq.SUBSCRIBE, b"B")
print("USER", xpub.recv_multipart(), flush=True)
xpub.send(b"A-news")
xpub.send(b"B-news")
print("LEFT", xpub.recv(), flush=True)
xpub.close(0); ctx.term()
"""

CLIENT = """
import sys, time, zmq
from zmqproof import prove
ctx = zmq.Context()
xsub = ctx.socket(zmq.XSUB)
prove(xsub)
xsub.rcvtimeo = 5000
xsub.connect(sys.argv[1])
xsub.send(b"\\x01A")
xsub.send_multipart([b"\\x02hello", b"world"])
print("GOT", xsub.recv(), flush=True)
time.sleep(0.2)
try:
    print("THEN", xsub.recv(zmq.DONTWAIT), flush=True)
except zmq.Again:
    print("THEN nothing", flush=True)
xsub.close(0); ctx.term()
"""


@pytest.mark.parametrize("sides", SIDES, ids="-".join)
def test_manual_xpub_with_xsub(tmp_path, sides):
    server, client = run_server_and_client(tmp_path, SERVER, CLIENT, sides)
    assert "ASKED b'\\x01A'" in server, server
    assert "USER [b'\\x02hello', b'world']" in server, server
    assert "GOT b'B-news'" in client, client
    assert "THEN nothing" in client, client
    assert "LEFT b'\\x00A'" in server, server
