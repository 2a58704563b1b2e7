"""ZMQ_REQ_RELAXED and ZMQ_REQ_CORRELATE across libraries: our REQ (pyzmq
preloaded with our library) against libzmq's REP in this process, and
libzmq's correlating REQ against our REP."""

import subprocess
import textwrap

import zmq

from conftest import assert_proved, free_port, start_script


OUR_REQ = textwrap.dedent(
    """
    import sys
    import zmq
    from zmqproof import prove
    ctx = zmq.Context()
    req = ctx.socket(zmq.REQ)
    req.setsockopt(zmq.REQ_RELAXED, 1)
    req.setsockopt(zmq.REQ_CORRELATE, 1)
    req.setsockopt(zmq.RCVTIMEO, 5000)
    req.connect(sys.argv[1])
    prove(req)
    req.send(b"first")
    sys.stdin.readline()           # the REP has it and will answer late
    req.send(b"second")            # relaxed: allowed, "first" is given up
    print(req.recv().decode(), flush=True)
    req.close(linger=0)
    ctx.term()
    """
)

OUR_REP = textwrap.dedent(
    """
    import sys
    import zmq
    from zmqproof import prove
    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    rep.setsockopt(zmq.RCVTIMEO, 5000)
    rep.bind(sys.argv[1])
    prove(rep)
    print("ready", flush=True)
    for _ in range(3):
        rep.send(rep.recv() + b"!")
    rep.close(linger=0)
    ctx.term()
    """
)


def run(script, tmp_path, endpoint, **kw):
    return start_script(tmp_path, script, endpoint, **{"stderr": None, **kw})


def test_our_relaxed_correlating_req_with_libzmq_rep(tmp_path):
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    rep.setsockopt(zmq.RCVTIMEO, 5000)
    rep.bind(endpoint)
    ours = run(OUR_REQ, tmp_path, endpoint, stdin=subprocess.PIPE)
    try:
        assert rep.recv() == b"first"
        ours.stdin.write("go\n")
        ours.stdin.flush()
        rep.send(b"late answer")  # to "first": must be dropped by id
        assert rep.recv() == b"second"
        rep.send(b"answer to second")
        out, _ = ours.communicate(timeout=10)
        assert ours.returncode == 0, out
        assert "answer to second" in out and "late answer" not in out
        assert_proved(out)
    finally:
        if ours.poll() is None:
            ours.kill()
        rep.close(linger=0)
        ctx.term()


def test_libzmq_correlating_req_with_our_rep(tmp_path):
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    ours = run(OUR_REP, tmp_path, endpoint)
    try:
        lines = [ours.stdout.readline()]
        while "ready" not in lines[-1]:
            lines.append(ours.stdout.readline())
            assert lines[-1], lines
        ctx = zmq.Context()
        req = ctx.socket(zmq.REQ)
        req.setsockopt(zmq.REQ_CORRELATE, 1)
        req.setsockopt(zmq.RCVTIMEO, 5000)
        req.connect(endpoint)
        for word in (b"a", b"b", b"c"):
            req.send(word)
            assert req.recv() == word + b"!"
        req.close(linger=0)
        ctx.term()
        rest, _ = ours.communicate(timeout=10)
        assert ours.returncode == 0
        assert_proved("".join(lines) + rest)
    finally:
        if ours.poll() is None:
            ours.kill()
