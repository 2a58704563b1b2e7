"""Automatic reconnection against a real libzmq peer that is killed (no
goodbye, mid-stream) and started again on the same address: our library,
in a preloaded pyzmq process, keeps sending and the new peer gets the
stream."""

import textwrap
import time

from conftest import clean_env, free_port, start_script

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
    procs = []

    def receiver():
        p = start_script(tmp_path, RECEIVER, endpoint, env=clean_env(), stderr=None)
        procs.append(p)
        return p

    try:
        first = receiver()
        procs.append(start_script(tmp_path, SENDER, endpoint))
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
