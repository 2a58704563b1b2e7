"""ROUTER connecting to ROUTER, against the real libzmq on either side: the
connecting ROUTER's pipe exists from zmq_connect on, so ZMQ_PROBE_ROUTER
greets the server while the client's application does nothing, and with
ZMQ_CONNECT_ROUTING_ID a message can be routed to the server before the
handshake has finished."""

import pytest

from conftest import SIDES, run_on_both, run_server_and_client

SERVER = """
import sys, zmq
from zmq.utils.monitor import recv_monitor_message
from zmqproof import prove
ctx = zmq.Context()
router = ctx.socket(zmq.ROUTER)
prove(router)
if sys.argv[1] == "named":
    router.routing_id = b"S"
monitor = router.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
router.bind("tcp://127.0.0.1:*")
print("ENDPOINT", router.last_endpoint.decode(), flush=True)
monitor.rcvtimeo = 10000
recv_monitor_message(monitor)
# The client sleeps 2 s after its connect: what it sent must come sooner.
router.rcvtimeo = 1000
peer, body = router.recv_multipart()
print("GOT", peer, body, flush=True)
router.send_multipart([peer, b"Hello"])
router.close(linger=3000); monitor.close(0); ctx.term()
"""

CLIENT = """
import sys, time, zmq
from zmqproof import prove
ctx = zmq.Context()
router = ctx.socket(zmq.ROUTER)
prove(router)
router.routing_id = b"X"
if sys.argv[2] == "probe":
    router.setsockopt(zmq.PROBE_ROUTER, 1)
else:
    router.setsockopt(zmq.CONNECT_ROUTING_ID, b"srv")
router.router_mandatory = True
router.connect(sys.argv[1])
if sys.argv[2] == "connect-rid":
    # Routable at once, before the handshake.
    router.send_multipart([b"srv", b"hi"])
time.sleep(2)
router.rcvtimeo = 5000
peer, body = router.recv_multipart()
print("REPLY", len(peer), peer if sys.argv[2] == "connect-rid" else b"?", body, flush=True)
router.close(0); ctx.term()
"""

@pytest.mark.parametrize("case", ["probe", "connect-rid"])
@pytest.mark.parametrize("sides", SIDES, ids="-".join)
def test_router_to_router(tmp_path, case, sides):
    naming = "named" if case == "connect-rid" else "unnamed"
    server, client = run_server_and_client(tmp_path, SERVER, CLIENT, sides, [naming], [case])
    body = "b''" if case == "probe" else "b'hi'"
    assert f"GOT b'X' {body}" in server, server
    # The server's generated id has 5 bytes; the name the client gave it, 3.
    peer = "5 b'?'" if case == "probe" else "3 b'srv'"
    assert f"REPLY {peer} b'Hello'" in client, client


LAST_WORDS = """
import time, zmq
from zmqproof import prove
ctx = zmq.Context()
router = ctx.socket(zmq.ROUTER)
prove(router)
router.rcvtimeo = 2000
port = router.bind_to_random_port("tcp://127.0.0.1")
dealer = ctx.socket(zmq.DEALER)
dealer.routing_id = b"dee"
dealer.connect("tcp://127.0.0.1:%d" % port)
dealer.send(b"last words")
time.sleep(0.2)
dealer.close(0)
time.sleep(0.3)  # gone before the ROUTER reads
print("GOT", router.recv_multipart(), flush=True)
router.close(0); ctx.term()
"""


def test_a_departed_peers_last_message_keeps_its_routing_id(tmp_path):
    """A message whose sender has disconnected before it is read still
    comes with the sender's routing id (it came empty before), as on
    pyzmq's libzmq."""
    seen = run_on_both(tmp_path, LAST_WORDS, keep="GOT")
    assert seen["libzmq"] == ["GOT [b'dee', b'last words']"], seen
    assert seen["ours"] == seen["libzmq"], seen
