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


ZAP_LATER_OR_GONE = """
import sys, threading, time, zmq
from zmq.utils.monitor import recv_monitor_message
from zmqproof import prove

case = sys.argv[1]
ctx = zmq.Context()
zap = ctx.socket(zmq.REP)
zap.bind("inproc://zeromq.zap.01")
def handle():
    request = zap.recv_multipart()
    if case == "gone":
        zap.close(0)  # the handler quits without answering
        return
    zap.send_multipart([b"1.0", request[1], b"300", b"try later", b"", b""])
handler = threading.Thread(target=handle, daemon=True)
handler.start()
server = ctx.socket(zmq.ROUTER)
prove(server)
server.zap_domain = b"d"
server_events = server.get_monitor_socket()
server.bind("tcp://127.0.0.1:*")
client = ctx.socket(zmq.DEALER)
client_events = client.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
    | zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED)
client.connect(server.last_endpoint.decode())

def events(monitor, seconds):
    seen = []
    monitor.rcvtimeo = int(seconds * 1000)
    try:
        while True:
            event = recv_monitor_message(monitor)
            name = zmq.Event(event["event"]).name
            if name not in ("LISTENING", "ACCEPTED"):
                seen.append("%s %d" % (name, event["value"]))
    except zmq.Again:
        return seen
print("SERVER", events(server_events, 1.0), flush=True)
print("CLIENT", events(client_events, 0.2), flush=True)
handler.join()
for s in (client, server, server_events, client_events, zap):
    s.close(0)
ctx.term()
"""


def test_zap_try_later_as_libzmq(tmp_path):
    """ZAP status 300 refuses the peer without a word and keeps the
    connection until the handshake times out: the server reports the 300,
    the client sees nothing, on pyzmq's libzmq and ours."""
    seen = run_on_both(tmp_path, ZAP_LATER_OR_GONE, "later", keep=("SERVER", "CLIENT"))
    assert seen["libzmq"] == ["SERVER ['HANDSHAKE_FAILED_AUTH 300']", "CLIENT []"], seen
    assert seen["ours"] == seen["libzmq"], seen


def test_a_zap_handler_that_quits_fails_the_handshake_with_epipe(tmp_path):
    """A handler that takes the request and closes without answering fails
    that handshake at once, without detail and EPIPE (libzmq 4.3's value for
    a lost handler; pyzmq's libzmq leaves the peer waiting until the
    handshake times out instead). The client then reconnects and, with no
    handler left, is let in (NULL)."""
    output = run_script(tmp_path, ZAP_LATER_OR_GONE, "gone")
    assert_proved(output)
    server = next(line for line in output.splitlines() if line.startswith("SERVER"))
    assert server.startswith("SERVER ['HANDSHAKE_FAILED_NO_DETAIL 32', 'DISCONNECTED"), output
    assert server.endswith("'HANDSHAKE_SUCCEEDED 0']"), output
