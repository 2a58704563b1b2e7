"""Automatic reconnection against a real libzmq peer that is killed (no
goodbye, mid-stream) and started again on the same address: our library,
in a preloaded pyzmq process, keeps sending and the new peer gets the
stream."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from conftest import clean_env, free_port, preloaded_env

HERE = Path(__file__).resolve().parent

SENDER = textwrap.dedent(
    """
    import sys, time
    import zmq
    from zmqproof import prove
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.setsockopt(zmq.RECONNECT_IVL, 20)
    push.setsockopt(zmq.RECONNECT_IVL_MAX, 100)
    push.setsockopt(zmq.LINGER, 0)
    push.connect(sys.argv[1])
    prove(push)
    for i in range(400):
        push.send(str(i).encode())
        time.sleep(0.01)
    """
)

RECEIVER = textwrap.dedent(
    """
    import sys
    import zmq
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    for attempt in range(200):
        try:
            pull.bind(sys.argv[1])
            break
        except zmq.ZMQError:
            import time; time.sleep(0.01)
    pull.setsockopt(zmq.RCVTIMEO, 5000)
    while True:
        print(pull.recv().decode(), flush=True)
    """
)


def read_numbers(proc, how_many):
    got = []
    deadline = time.monotonic() + 10
    while len(got) < how_many and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        got.append(int(line))
    return got


def test_reconnects_after_a_libzmq_peer_is_killed(tmp_path):
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    sender_py, receiver_py = tmp_path / "sender.py", tmp_path / "receiver.py"
    sender_py.write_text(SENDER)
    receiver_py.write_text(RECEIVER)
    ours_env = preloaded_env()
    ours_env["PYTHONPATH"] = str(HERE)
    procs = []

    def receiver():
        p = subprocess.Popen(
            [sys.executable, str(receiver_py), endpoint],
            env=clean_env(), stdout=subprocess.PIPE, text=True,
        )
        procs.append(p)
        return p

    try:
        first = receiver()
        sender = subprocess.Popen(
            [sys.executable, str(sender_py), endpoint],
            env=ours_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        procs.append(sender)
        before = read_numbers(first, 5)
        assert len(before) == 5, before
        assert before == sorted(before)
        first.kill()  # no goodbye
        first.wait()
        second = receiver()
        after = read_numbers(second, 5)
        assert len(after) == 5, f"nothing after the restart: {after}"
        assert after[0] > before[-1] and after == sorted(after)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
