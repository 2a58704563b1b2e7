"""ZMTP 3.1 heartbeats between our library (pyzmq preloaded with it) and the
real libzmq in pyzmq's wheel (this test process). One side pings with a
short timeout while the other stays silent, so the connection survives an
idle spell only if the silent side answers every PING with a PONG the pinger
understands: once with us pinging, once with libzmq pinging."""

import textwrap
import time

import pytest
import zmq
from zmq.utils.monitor import recv_monitor_message

from conftest import assert_proved, start_script

# Pings every 20 ms; a PING unanswered for 100 ms drops the connection.
PINGING = {zmq.HEARTBEAT_IVL: 20, zmq.HEARTBEAT_TIMEOUT: 100}
IDLE_S = 0.6

OURS = textwrap.dedent(
    """
    import sys, time
    import zmq
    from zmq.utils.monitor import recv_monitor_message
    from zmqproof import prove

    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    if sys.argv[1] == "ping":
        s.setsockopt(zmq.HEARTBEAT_IVL, 20)
        s.setsockopt(zmq.HEARTBEAT_TIMEOUT, 100)
    s.setsockopt(zmq.RCVTIMEO, 5000)
    mon = s.get_monitor_socket()
    s.bind("tcp://127.0.0.1:*")
    prove(s)
    print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
    assert s.recv() == b"hello"
    time.sleep(IDLE_S)  # idle: only heartbeats flow
    s.send(b"after idle")
    assert s.recv() == b"bye"
    events = []
    while mon.poll(0):
        events.append(recv_monitor_message(mon)["event"])
    assert zmq.EVENT_HANDSHAKE_SUCCEEDED in events, events
    assert zmq.EVENT_DISCONNECTED not in events, events
    s.close(linger=0)
    mon.close()
    ctx.term()
    print("OURS OK", flush=True)
    """
).replace("IDLE_S", str(IDLE_S))


@pytest.mark.parametrize("pinger", ["ours", "libzmq"])
def test_heartbeats_with_real_libzmq(tmp_path, pinger):
    ours = start_script(tmp_path, OURS, "ping" if pinger == "ours" else "silent")
    ctx = zmq.Context()
    try:
        lines = []
        while not any(l.startswith("tcp://") for l in lines):
            line = ours.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        endpoint = lines[-1].strip()
        peer = ctx.socket(zmq.DEALER)
        if pinger == "libzmq":
            for option, value in PINGING.items():
                peer.setsockopt(option, value)
        peer.setsockopt(zmq.RCVTIMEO, 5000)
        # libzmq would reconnect after dropping us, hiding the drop from the
        # messages: its monitor tells.
        monitor = peer.get_monitor_socket()
        peer.connect(endpoint)
        peer.send(b"hello")
        assert peer.recv() == b"after idle"
        peer.send(b"bye")
        rest, _ = ours.communicate(timeout=10)
        output = "".join(lines) + rest
        assert ours.returncode == 0, output
        assert "OURS OK" in output
        assert_proved(output)
        time.sleep(0.05)
        events = []
        while monitor.poll(0):
            events.append(recv_monitor_message(monitor)["event"])
        assert zmq.EVENT_HANDSHAKE_SUCCEEDED in events, events
        assert events.count(zmq.EVENT_CONNECTED) == 1, f"libzmq reconnected: {events}"
    finally:
        if ours.poll() is None:
            ours.kill()
        ctx.destroy(linger=0)
