"""ROUTER connecting to ROUTER, against the real libzmq on either side: the
connecting ROUTER's pipe exists from zmq_connect on, so ZMQ_PROBE_ROUTER
greets the server while the client's application does nothing, and with
ZMQ_CONNECT_ROUTING_ID a message can be routed to the server before the
handshake has finished."""

import pytest

from conftest import assert_proved, clean_env, run_script, start_script

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

# (server, client): which side runs on our library.
PAIRS = [("ours", "libzmq"), ("libzmq", "ours"), ("ours", "ours")]


def env_for(side):
    return None if side == "ours" else clean_env()


@pytest.mark.parametrize("case", ["probe", "connect-rid"])
@pytest.mark.parametrize("server_side,client_side", PAIRS)
def test_router_to_router(tmp_path, case, server_side, client_side):
    naming = "named" if case == "connect-rid" else "unnamed"
    server = start_script(tmp_path, SERVER, naming, env=env_for(server_side))
    try:
        lines = []
        for line in server.stdout:
            lines.append(line)
            if line.startswith("ENDPOINT"):
                break
        assert lines and lines[-1].startswith("ENDPOINT"), "".join(lines)
        endpoint = lines[-1].split()[1]
        output = run_script(tmp_path, CLIENT, endpoint, case, env=env_for(client_side))
        rest, _ = server.communicate(timeout=20)
    finally:
        server.kill()
    rest = "".join(lines) + rest
    assert server.returncode == 0, rest
    for side, text in ((server_side, rest), (client_side, output)):
        if side == "ours":
            assert_proved(text)
    body = "b''" if case == "probe" else "b'hi'"
    assert f"GOT b'X' {body}" in rest, rest
    # The server's generated id has 5 bytes; the name the client gave it, 3.
    peer = "5 b'?'" if case == "probe" else "3 b'srv'"
    assert f"REPLY {peer} b'Hello'" in output, output
