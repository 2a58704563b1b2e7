"""ZMQ_CONFLATE across libraries: libzmq (pyzmq's bundled copy, in this
process) floods our conflating PULL and SUB (pyzmq preloaded with our
library); ours must hand over only the newest message."""

import subprocess
import textwrap
import time

import zmq

from conftest import assert_proved, start_script


OURS = textwrap.dedent(
    """
    import sys
    import time
    import zmq
    from zmqproof import prove
    ctx = zmq.Context()
    s = ctx.socket(getattr(zmq, sys.argv[1]))
    s.setsockopt(zmq.CONFLATE, 1)
    assert s.getsockopt(zmq.CONFLATE) == 1
    if sys.argv[1] == "SUB":
        s.setsockopt(zmq.SUBSCRIBE, b"")
    s.setsockopt(zmq.RCVTIMEO, 5000)
    s.bind("tcp://127.0.0.1:*")
    prove(s)
    print("ENDPOINT", s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
    for line in sys.stdin:
        if line.strip() == "sent":
            # Reads until the newest, 1000: one read when all had arrived
            # within the pause, a few if the reader caught up with them.
            time.sleep(0.3)
            seen = [int(s.recv())]
            while seen[-1] != 1000:
                seen.append(int(s.recv()))
            assert seen == sorted(seen) and len(seen) <= 10, seen
            print(seen[-1], flush=True)
            try:
                s.recv(zmq.NOBLOCK)
                print("more", flush=True)
            except zmq.Again:
                print("empty", flush=True)
        elif line.strip() == "probe":
            try:
                s.recv(zmq.NOBLOCK)
                print("got", flush=True)
            except zmq.Again:
                print("none", flush=True)
    s.close(linger=0)
    ctx.term()
    """
)


def start(tmp_path, kind):
    return start_script(tmp_path, OURS, kind, stdin=subprocess.PIPE)


def endpoint_of(proc):
    """Reads up to the ENDPOINT line, keeping the PROOF line for `finish`."""
    proc.seen = []
    while True:
        line = proc.stdout.readline()
        assert line, "".join(proc.seen)
        proc.seen.append(line)
        if line.startswith("ENDPOINT "):
            return line.split()[1]


def ask(proc, line):
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    return proc.stdout.readline().strip()


def flood_and_check(proc, sender):
    for i in range(1, 1001):
        sender.send(str(i).encode())
    assert ask(proc, "sent") == "1000"
    assert proc.stdout.readline().strip() == "empty"


def finish(proc):
    proc.stdin.close()
    out = "".join(proc.seen) + proc.stdout.read()
    assert proc.wait(timeout=10) == 0, out
    assert_proved(out)


def test_libzmq_push_to_our_conflating_pull(tmp_path):
    proc = start(tmp_path, "PULL")
    endpoint = endpoint_of(proc)
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.connect(endpoint)
    try:
        flood_and_check(proc, push)
    finally:
        push.close(linger=0)
        ctx.term()
    finish(proc)


def test_libzmq_pub_to_our_conflating_sub(tmp_path):
    proc = start(tmp_path, "SUB")
    endpoint = endpoint_of(proc)
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.setsockopt(zmq.SNDHWM, 0)  # libzmq's PUB must not drop any itself
    pub.connect(endpoint)
    try:
        # Wait until our subscription has reached libzmq's PUB.
        deadline = time.monotonic() + 5
        while True:
            pub.send(b"hello")
            if ask(proc, "probe") == "got":
                break
            assert time.monotonic() < deadline, "subscription never arrived"
            time.sleep(0.05)
        flood_and_check(proc, pub)
    finally:
        pub.close(linger=0)
        ctx.term()
    finish(proc)
