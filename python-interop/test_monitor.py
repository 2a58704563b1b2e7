"""monitor.c, a C program reading zmq_socket_monitor events from a PAIR
socket, must see the same events in the same order on our library as on
the system libzmq, over tcp and ipc; and pyzmq sees the same CLOSE_FAILED
on both."""

import subprocess

import pytest

from conftest import BUILD, run_on_both


def events(impl, endpoint):
    done = subprocess.run(
        [str(BUILD[impl] / "monitor"), endpoint], capture_output=True, text=True, timeout=20
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [line.split()[0] for line in done.stdout.splitlines()]


@pytest.mark.parametrize("endpoint", ["tcp://127.0.0.1:*", "ipc://*"])
def test_monitor_events_match_libzmq(endpoint):
    ours = events("ours", endpoint)
    assert ours == events("sys", endpoint)
    assert ours == ["LISTENING", "ACCEPTED", "HANDSHAKE_SUCCEEDED", "DISCONNECTED", "MONITOR_STOPPED"]


CLOSE_FAILED_SCRIPT = """
import os, time, zmq
from zmq.utils.monitor import recv_monitor_message
from zmqproof import prove

ctx = zmq.Context()
pull = ctx.socket(zmq.PULL)
prove(pull)
monitor = pull.get_monitor_socket()
pull.bind("ipc://*")
endpoint = pull.getsockopt(zmq.LAST_ENDPOINT).decode()
os.unlink(endpoint[len("ipc://"):])
pull.unbind(endpoint)
for _ in range(2):
    event = recv_monitor_message(monitor)
    # LISTENING and CLOSED carry a descriptor, whose number may differ.
    value = event["value"] if event["event"] == zmq.EVENT_CLOSE_FAILED else "fd"
    print("EVENT", event["event"], value, event["endpoint"] == endpoint.encode())
monitor.close(0); pull.close(0); ctx.term()
"""


def test_close_failed_as_libzmq(tmp_path):
    """The socket file of an `ipc://*` endpoint deleted before the unbind:
    CLOSE_FAILED with ENOENT instead of CLOSED, in pyzmq on its own libzmq
    and on ours."""
    seen = run_on_both(tmp_path, CLOSE_FAILED_SCRIPT, keep="EVENT")
    assert seen["ours"] == seen["libzmq"]
    assert seen["libzmq"] == ["EVENT 8 fd True", "EVENT 256 2 True"]


REFUSED_PEER_SCRIPT = """
import sys, time, zmq
from zmq.utils.monitor import recv_monitor_message
from zmqproof import prove

def events(monitor):
    seen = []
    monitor.rcvtimeo = 100
    while True:
        try:
            event = recv_monitor_message(monitor)
        except zmq.Again:
            return seen
        value = event["value"] if event["event"] == zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL else ""
        seen.append(f"{event['event']}:{value}")

ctx = zmq.Context()
server = ctx.socket(zmq.PUSH if sys.argv[1] == "types" else zmq.PULL)
prove(server)
if sys.argv[1] == "mechanism":
    server.plain_server = True
server_events = server.get_monitor_socket()
port = server.bind_to_random_port("tcp://127.0.0.1")
client = ctx.socket(zmq.PUSH)
client.reconnect_ivl = 20
client_events = client.get_monitor_socket()
client.connect(f"tcp://127.0.0.1:{port}")
time.sleep(0.6)
print("SERVER", " ".join(events(server_events)))
print("CLIENT", " ".join(events(client_events)))
for s in (client, server, client_events, server_events):
    s.close(0)
ctx.term()
"""


@pytest.mark.parametrize("case", ["types", "mechanism"])
def test_a_refused_handshake_as_libzmq(tmp_path, case):
    """A PUSH connecting to a PUSH, or a NULL client to a PLAIN server: the
    same events on both sides as libzmq 4.3.5 (no HANDSHAKE_FAILED_* for the
    socket types, MECHANISM_MISMATCH for the mechanism) and, as libzmq, no
    second attempt even with a 20 ms reconnect interval."""
    seen = run_on_both(tmp_path, REFUSED_PEER_SCRIPT, case, keep=("SERVER", "CLIENT"))
    assert seen["ours"] == seen["libzmq"]
    assert seen["ours"][1].split()[1:].count("1:") == 1, seen["ours"]


CLOSE_ORDER_SCRIPT = """
import sys, zmq
from zmq.utils.monitor import recv_monitor_message
from zmqproof import prove

ctx = zmq.Context()
for endpoint in ("tcp://127.0.0.1:*", "ipc://*"):
    pull = ctx.socket(zmq.PULL)
    prove(pull)
    monitor = pull.get_monitor_socket()
    pull.bind(endpoint)
    pull.close()  # no zmq_socket_monitor(NULL): the close stops it
    monitor.rcvtimeo = 5000
    names = []
    while not names or names[-1] != "MONITOR_STOPPED":
        event = recv_monitor_message(monitor)["event"]
        names.append(zmq.Event(event).name)
    print("EVENTS", endpoint[:3], " ".join(names), flush=True)
    monitor.close(0)
ctx.term()
"""


def test_closing_a_monitored_socket_reports_closed_then_stops(tmp_path):
    """A socket closed while monitored reports its listener's CLOSED before
    MONITOR_STOPPED, as pyzmq's libzmq does."""
    seen = run_on_both(tmp_path, CLOSE_ORDER_SCRIPT, keep="EVENTS")
    assert seen["libzmq"] == [
        "EVENTS tcp LISTENING CLOSED MONITOR_STOPPED",
        "EVENTS ipc LISTENING CLOSED MONITOR_STOPPED",
    ], seen
    assert seen["ours"] == seen["libzmq"], seen
