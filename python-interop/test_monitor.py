"""monitor.c, a C program reading zmq_socket_monitor events from a PAIR
socket, must see the same events in the same order on our library as on
the system libzmq, over tcp and ipc."""

import subprocess

import pytest

from conftest import BUILD


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
