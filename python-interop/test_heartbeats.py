"""ZMTP 3.1 heartbeats between our library (pyzmq preloaded with it) and the
real libzmq in pyzmq's wheel (this test process): both sides ping, both
answer, and an idle connection outlives many heartbeat timeouts."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import zmq

from conftest import assert_proved, preloaded_env

OURS = textwrap.dedent(
    """
    import sys, time
    import zmq
    from zmq.utils.monitor import recv_monitor_message
    from zmqproof import prove

    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.HEARTBEAT_IVL, 20)
    s.setsockopt(zmq.HEARTBEAT_TIMEOUT, 100)
    s.setsockopt(zmq.HEARTBEAT_TTL, 500)
    s.setsockopt(zmq.RCVTIMEO, 5000)
    mon = s.get_monitor_socket()
    s.bind("tcp://127.0.0.1:*")
    prove(s)
    print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
    assert s.recv() == b"hello"
    time.sleep(0.6)  # idle: only heartbeats flow
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
)


def test_heartbeats_with_real_libzmq(tmp_path):
    script = tmp_path / "ours.py"
    script.write_text(OURS)
    env = preloaded_env()
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent)
    ours = subprocess.Popen(
        [sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        lines = []
        while not any(l.startswith("tcp://") for l in lines):
            line = ours.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        endpoint = lines[-1].strip()
        ctx = zmq.Context()
        peer = ctx.socket(zmq.DEALER)
        peer.setsockopt(zmq.HEARTBEAT_IVL, 20)
        peer.setsockopt(zmq.HEARTBEAT_TIMEOUT, 100)
        peer.setsockopt(zmq.RCVTIMEO, 5000)
        peer.connect(endpoint)
        peer.send(b"hello")
        assert peer.recv() == b"after idle"
        peer.send(b"bye")
        rest, _ = ours.communicate(timeout=10)
        output = "".join(lines) + rest
        assert ours.returncode == 0, output
        assert "OURS OK" in output
        assert_proved(output)
        peer.close(linger=0)
        ctx.term()
    finally:
        if ours.poll() is None:
            ours.kill()
