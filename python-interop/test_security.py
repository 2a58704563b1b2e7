"""PLAIN and ZAP across libraries: a server checking credentials (PLAIN) or
addresses (NULL with a ZAP domain) through pyzmq's own ThreadAuthenticator,
clients with good and bad credentials, each side on our library or on the
libzmq in pyzmq's wheel. Both sides must agree on what happened: the
message arrives (with the handler's user id on it), or both monitors
report HANDSHAKE_FAILED_AUTH 400. And message properties (zmq_msg_gets)
read the same on both libraries."""

import pytest

from conftest import assert_proved, clean_env, run_on_both, run_script, start_script

SERVER = """
import sys, zmq
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils.monitor import recv_monitor_message
from zmqproof import prove

mechanism = sys.argv[1]
ctx = zmq.Context()
auth = ThreadAuthenticator(ctx)
auth.start()
pull = ctx.socket(zmq.PULL)
prove(pull)
if mechanism == "plain":
    auth.configure_plain(domain="*", passwords={"admin": "secret"})
    pull.plain_server = True
else:
    # NULL: the handler judges the peer's address.
    auth.deny("127.0.0.2")
    pull.zap_domain = b"global"
monitor = pull.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH)
pull.bind("tcp://127.0.0.1:*")
print("ENDPOINT", pull.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
pull.rcvtimeo = 10000
frame = pull.recv(copy=False)
# What the handler and the peer said of the sender (zmq_msg_gets).
print("GOT", frame.bytes.decode(), frame.get("User-Id"), frame.get("Socket-Type"), flush=True)
seen = set()
monitor.rcvtimeo = 10000
while zmq.EVENT_HANDSHAKE_FAILED_AUTH not in seen:
    event = recv_monitor_message(monitor)
    seen.add(event["event"])
    print("EVENT", event["event"], event["value"], flush=True)
auth.stop()
pull.close(0); monitor.close(0); ctx.term()
"""

CLIENT = """
import sys, zmq
from zmq.utils.monitor import recv_monitor_message
from zmqproof import prove

endpoint, mechanism, who = sys.argv[1:4]
ctx = zmq.Context()
push = ctx.socket(zmq.PUSH)
prove(push)
if mechanism == "plain":
    push.plain_username = b"admin"
    push.plain_password = b"secret" if who == "good" else b"guess"
# A NULL client is judged by its address: the bad one comes from 127.0.0.2.
source = "127.0.0.2:0;" if who == "bad" else ""
monitor = push.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH)
push.connect(endpoint.replace("tcp://", "tcp://" + source))
push.send(b"from the " + who.encode() + b" client")
monitor.rcvtimeo = 10000
event = recv_monitor_message(monitor)
print("EVENT", event["event"], event["value"], flush=True)
push.close(linger=2000 if who == "good" else 0); monitor.close(0); ctx.term()
"""

AUTH_FAILED = 0x4000
SUCCEEDED = 0x1000

# (server, client): which side runs on our library.
PAIRS = [("ours", "libzmq"), ("libzmq", "ours"), ("ours", "ours")]


def env_for(side):
    return None if side == "ours" else clean_env()


@pytest.mark.parametrize("mechanism", ["plain", "null"])
@pytest.mark.parametrize("server_side,client_side", PAIRS)
def test_authentication_across_libraries(tmp_path, mechanism, server_side, client_side):
    server = start_script(tmp_path, SERVER, mechanism, env=env_for(server_side))
    try:
        lines = []
        for line in server.stdout:
            lines.append(line)
            if line.startswith("ENDPOINT"):
                break
        assert lines and lines[-1].startswith("ENDPOINT"), "".join(lines)
        endpoint = lines[-1].split()[1]
        outcome = {}
        for who in ("bad", "good"):
            output = run_script(tmp_path, CLIENT, endpoint, mechanism, who, env=env_for(client_side))
            if client_side == "ours":
                assert_proved(output)
            outcome[who] = [line for line in output.splitlines() if line.startswith("EVENT")]
        rest, _ = server.communicate(timeout=20)
    finally:
        server.kill()
    output = "".join(lines) + rest
    assert server.returncode == 0, output
    if server_side == "ours":
        assert_proved(output)
    assert outcome["good"] == [f"EVENT {SUCCEEDED} 0"]
    assert outcome["bad"] == [f"EVENT {AUTH_FAILED} 400"]
    user = "admin" if mechanism == "plain" else "anonymous"
    assert f"GOT from the good client {user} PUSH" in output, output
    assert f"EVENT {AUTH_FAILED} 400" in output, output


PROPERTIES = """
import os, re, sys, threading, zmq
from zmqproof import prove

ctx = zmq.Context()
zap = ctx.socket(zmq.REP)
zap.bind("inproc://zeromq.zap.01")
def answer():
    request = zap.recv_multipart()
    zap.send_multipart([b"1.0", request[1], b"200", b"OK", b"alice", b"\\x05X-Foo\\x00\\x00\\x00\\x03bar"])
threading.Thread(target=answer, daemon=True).start()
router = ctx.socket(zmq.ROUTER)
prove(router)
router.zap_domain = b"d"
router.rcvtimeo = 5000
router.bind(sys.argv[1])
dealer = ctx.socket(zmq.DEALER)
dealer.routing_id = b"cli"
dealer.connect(router.getsockopt(zmq.LAST_ENDPOINT).decode())
dealer.send(b"x")
names = ["Socket-Type", "socket-type", "Identity", "Routing-Id", "Peer-Address",
         "User-Id", "X-Foo", "__fd", "Nope"]
for frame in router.recv_multipart(copy=False):
    seen = []
    for name in names:
        try:
            value = frame.get(name)
        except zmq.ZMQError as e:
            value = f"errno {e.errno}"
        seen.append(f"{name}={value}")
    srcfd = frame.get(zmq.SRCFD)
    line = " ".join(seen) + f" srcfd-matches={str(srcfd) in seen[7]}"
    # Descriptor numbers and our process id differ between runs.
    line = re.sub(r"__fd=\\d+", "__fd=N", line).replace(f":{os.getpid()}", ":PID")
    print("FRAME", frame.bytes, line)
try:
    zmq.Frame(b"local").get("Socket-Type")
except zmq.ZMQError as e:
    print("LOCAL errno", e.errno)
dealer.close(0); router.close(0); zap.close(0); ctx.term()
"""


@pytest.mark.parametrize("endpoint", ["tcp://127.0.0.1:*", "ipc://*"])
def test_message_properties_as_libzmq(tmp_path, endpoint):
    """zmq_msg_gets on both frames a ROUTER receives from a DEALER vetted by
    a ZAP handler: the same names, values and errors on pyzmq's libzmq and
    on ours (ipc's Peer-Address is the peer process's credentials)."""
    seen = run_on_both(tmp_path, PROPERTIES, endpoint, keep=("FRAME", "LOCAL"))
    assert seen["ours"] == seen["libzmq"]
    assert len(seen["ours"]) == 3 and "User-Id=alice" in seen["ours"][0], seen["ours"]
