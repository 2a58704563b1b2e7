"""The time-of-day exchange this project grew from, every way round: C++
(cppzmq) built against ours or the system libzmq, pyzmq on its bundled
libzmq, and pyzmq running on our library through LD_PRELOAD."""

import itertools
import re

import pytest

from conftest import IMPLS, tcp

PAIRS = [
    (server, client)
    for server, client in itertools.product(IMPLS, IMPLS)
    if {"ours", "pyours"} & {server, client}  # at least one side is our library
]


@pytest.mark.parametrize("server_impl,client_impl", PAIRS, ids=[f"{s}-server-{c}-client" for s, c in PAIRS])
def test_time_of_day(launcher, server_impl, client_impl):
    endpoint = tcp()
    server = launcher.start(server_impl, "server", endpoint, 2)
    client = launcher.start(client_impl, "client_get-time-of-day", endpoint, 2)
    client_out, server_out = launcher.finish_all(client, server)
    replies = re.findall(r"^reply (\d)/2: (\d\d:\d\d:\d\d)$", client_out, re.M)
    assert [n for n, _ in replies] == ["1", "2"], client_out
    assert re.findall(r"^request \d/2: time -> ", server_out, re.M), server_out
