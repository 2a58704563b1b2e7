"""broker.c (zmq_proxy_steerable between a ROUTER and a DEALER) relays a
REQ client's requests to two REP servers, with the broker on one library
and the peers on the other; its STATISTICS count them and TERMINATE ends it."""

import subprocess

import pytest

from conftest import BUILD, tcp


@pytest.mark.parametrize("broker,peers", [("ours", "sys"), ("sys", "ours"), ("ours", "ours")])
def test_broker_relays_requests(broker, peers):
    front, back1, back2 = tcp(), tcp(), tcp()
    servers = [
        subprocess.Popen([str(BUILD[peers] / "server"), ep, "3"], stdout=subprocess.DEVNULL)
        for ep in (back1, back2)
    ]
    relay = subprocess.Popen(
        [str(BUILD[broker] / "broker"), front, f"{back1},{back2}", "1500"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        client = subprocess.run(
            [str(BUILD[peers] / "client_get-time-of-day"), front, "6"],
            capture_output=True, text=True, timeout=15,
        )
        assert client.returncode == 0, client.stdout + client.stderr
        assert client.stdout.count("reply ") == 6
        out, _ = relay.communicate(timeout=15)
        assert relay.returncode == 0, out
        assert "frontend: 6 messages in, 6 out" in out
        assert "broker terminated" in out
        for s in servers:
            assert s.wait(timeout=15) == 0
    finally:
        for p in servers + [relay]:
            if p.poll() is None:
                p.kill()
