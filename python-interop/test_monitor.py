"""monitor.c, a C program reading zmq_socket_monitor events from a PAIR
socket, must see the same events in the same order on our library as on
the system libzmq, over tcp and ipc; and pyzmq sees the same CLOSE_FAILED
on both."""

import subprocess

import pytest

from conftest import BUILD, assert_proved, clean_env, run_script


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
    seen = {}
    for name, env in (("libzmq", clean_env()), ("ours", None)):
        output = run_script(tmp_path, CLOSE_FAILED_SCRIPT, env=env)
        if name == "ours":
            assert_proved(output)
        seen[name] = [line for line in output.splitlines() if line.startswith("EVENT")]
    assert seen["ours"] == seen["libzmq"]
    assert seen["libzmq"] == ["EVENT 8 fd True", "EVENT 256 2 True"]
