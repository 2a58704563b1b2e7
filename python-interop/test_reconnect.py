"""Automatic reconnection against a real libzmq peer that is killed (no
goodbye, mid-stream) and started again on the same address: our library,
in a preloaded pyzmq process, keeps sending and the new peer gets the
stream."""

import textwrap
import time

from conftest import clean_env, free_port, run_on_both, start_script

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


NO_RECONNECT = """
import os, tempfile, zmq
from zmqproof import prove

def bounce_fails(server, client):
    # As libzmq's own test: the client may queue, the server gets nothing.
    client.sndtimeo = server.rcvtimeo = 250
    try:
        client.send(b"lost")
    except zmq.Again:
        pass
    try:
        return server.recv()
    except zmq.Again:
        return "nothing"

ctx = zmq.Context()
path = os.path.join(tempfile.mkdtemp(), "pair")
for transport in ("tcp://127.0.0.1:*", "ipc://" + path):
    server, client = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
    prove(client)
    server.bind(transport)
    endpoint = server.last_endpoint.decode()
    client.reconnect_ivl = -1
    client.connect(endpoint)
    client.send(b"one")
    print("first", server.recv())
    server.unbind(endpoint)
    print("unbound", bounce_fails(server, client))
    server.bind(endpoint)
    print("bound again", bounce_fails(server, client))  # no reconnection
    client.connect(endpoint)
    client.sndtimeo = server.rcvtimeo = 2000
    client.send(b"two")
    print("connected again", server.recv())
    server.close(0); client.close(0)
ctx.term()
"""


def test_without_reconnection_a_new_connect_takes_over(tmp_path):
    """With ZMQ_RECONNECT_IVL -1 a lost connection is given up with its
    pipe: nothing reconnects, and a new zmq_connect to the same endpoint
    works (a PAIR is not held by the dead pipe), as on pyzmq's libzmq."""
    seen = run_on_both(tmp_path, NO_RECONNECT, keep=("first", "unbound", "bound", "connected"))
    assert seen["libzmq"] == [
        "first b'one'",
        "unbound nothing",
        "bound again nothing",
        "connected again b'two'",
    ] * 2, seen
    assert seen["ours"] == seen["libzmq"], seen
