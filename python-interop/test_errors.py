"""API misuse fails with libzmq's errno (c-examples/errors.c), on the system
libzmq (the reference) and on ours."""

import pytest

from conftest import run_on_both, tcp


@pytest.mark.parametrize("impl", ["sys", "ours"])
def test_errors(launcher, impl):
    out = launcher.finish(launcher.start(impl, "errors"))
    assert "FAIL" not in out
    assert out.rstrip().endswith("all checks passed"), out


@pytest.mark.parametrize("impl", ["sys", "ours"])
def test_errors_on_a_given_endpoint(launcher, impl):
    out = launcher.finish(launcher.start(impl, "errors", tcp()))
    assert out.rstrip().endswith("all checks passed"), out


CONNECT_SPELLING_SCRIPT = """
import zmq, zmqproof
ctx = zmq.Context()
s = ctx.socket(zmq.DEALER)
zmqproof.prove(s)
s.linger = 0
for endpoint in ["tcp://[::1]:1234", "tcp://no-such-host.invalid:1234", "tcp://in val id:1234",
                 "tcp://localhost:invalid", "tcp://localhost:*", "tcp://:1234",
                 "tcp://localhost:5555;localhost:1235", "tcp://lo:5555;localhost:1235",
                 "tcp://nosuchif0:1;localhost:1236", "tcp://127.0.0.1:0;localhost:1234",
                 "tcp://a b:1;localhost:1"]:
    try:
        s.connect(endpoint)
        print("CONNECT", endpoint, "ok")
    except zmq.ZMQError as e:
        print("CONNECT", endpoint, zmq.ZMQError(e.errno).errno)
"""


def test_connect_checks_spelling_and_resolves_later(tmp_path):
    """zmq_connect refuses a badly spelt address at once but takes a name
    that does not resolve (yet), an IPv6 address without ZMQ_IPV6, and a
    source address spelt as a host or interface name: the connecter
    resolves and retries, as in libzmq."""
    seen = run_on_both(tmp_path, CONNECT_SPELLING_SCRIPT, keep="CONNECT")
    assert seen["ours"] == seen["libzmq"]
    assert "CONNECT tcp://no-such-host.invalid:1234 ok" in seen["libzmq"]
