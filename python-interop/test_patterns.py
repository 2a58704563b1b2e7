"""Each classic pattern with its two roles on different libraries: one side
built against ours and the other against the system libzmq (both ways), both
on ours, and, where the pyzmq twins exist (REQ/REP, PUSH/PULL, PUB/SUB),
against pyzmq's bundled libzmq and with pyzmq itself running on ours."""

import re

import pytest

import itertools

from conftest import TIMEOUT_S, ipc, tcp

# Where the next peer listens; the ipc and inproc tests swap in their own.
ENDPOINTS = {"fresh": tcp}
_INPROC_NAMES = itertools.count()


def inproc():
    return f"inproc://example-{next(_INPROC_NAMES)}"


def fresh():
    return ENDPOINTS["fresh"]()

C_PAIRS = [("ours", "sys"), ("sys", "ours"), ("ours", "ours")]
PY_PAIRS = C_PAIRS + [
    ("ours", "py"),
    ("py", "ours"),
    ("pyours", "sys"),
    ("sys", "pyours"),
    ("pyours", "py"),
    ("py", "pyours"),
]


def cases(pattern, pairs):
    return [pytest.param(pattern, a, b, id=f"{pattern}-{a}-{b}") for a, b in pairs]


def reqrep(launcher, servers_impl, client_impl):
    """Role A: two REP servers. Role B: a REQ client, whose requests must
    alternate between them."""
    first, second = fresh(), fresh()
    servers = [
        launcher.start(servers_impl, "reqrep_server", first, "s1", 5),
        launcher.start(servers_impl, "reqrep_server", second, "s2", 5),
    ]
    client = launcher.start(client_impl, "reqrep_client", f"{first},{second}", 10)
    out = launcher.finish(client)
    launcher.finish_all(*servers)
    names = re.findall(r"^reply \d+ from (\S+)$", out, re.M)
    assert len(names) == 10, out
    assert set(names) == {"s1", "s2"}, out
    assert all(a != b for a, b in zip(names, names[1:])), f"not alternating: {names}"


def pushpull(launcher, producer_impl, workers_impl):
    """Role A: producer and sink. Role B: two workers. Every task must come
    back exactly once, and both workers must get some."""
    worker_endpoints, results = [fresh(), fresh()], fresh()
    workers = [
        launcher.start(workers_impl, "pushpull_worker", endpoint, results, f"w{i}")
        for i, endpoint in enumerate(worker_endpoints)
    ]
    producer = launcher.start(producer_impl, "pushpull_producer", ",".join(worker_endpoints), results, 20)
    out = launcher.finish(producer)
    assert "all 20 tasks came back exactly once" in out, out
    counts = {}
    for worker in workers:
        for name, done in re.findall(r"^(w\d) processed (\d+) tasks$", launcher.finish(worker), re.M):
            counts[name] = int(done)
    assert sum(counts.values()) == 20 and min(counts.values()) > 0, counts


def pubsub(launcher, publisher_impl, subscribers_impl):
    """Role A: a publisher of topics A and B. Role B: two subscribers, one
    per prefix; each must get all of its topic and nothing of the other."""
    pub, sync = fresh(), fresh()
    subscribers = [
        launcher.start(subscribers_impl, "pubsub_subscriber", pub, sync, prefix, 50)
        for prefix in ("A", "B")
    ]
    publisher = launcher.start(publisher_impl, "pubsub_publisher", pub, sync, 2, 50)
    for subscriber, prefix in zip(subscribers, "AB"):
        out = launcher.finish(subscriber)
        assert f"subscriber {prefix}: 50 messages, all with prefix {prefix}, in order" in out
    assert "published 50 messages" in launcher.finish(publisher)


def dealer(launcher, servers_impl, dealer_impl):
    """Role A: two REP servers. Role B: a DEALER adding the empty delimiter
    by hand, sending everything first and then collecting the replies."""
    first, second = fresh(), fresh()
    servers = [
        launcher.start(servers_impl, "reqrep_server", first, "s1", 5),
        launcher.start(servers_impl, "reqrep_server", second, "s2", 5),
    ]
    out = launcher.finish(launcher.start(dealer_impl, "dealer_client", f"{first},{second}", 10))
    launcher.finish_all(*servers)
    assert re.search(r"^s1 answered 5 requests$", out, re.M), out
    assert re.search(r"^s2 answered 5 requests$", out, re.M), out


def router(launcher, router_impl, clients_impl):
    """Role A: a ROUTER answering by routing id. Role B: two REQ clients that
    set ZMQ_ROUTING_ID to alice and bob."""
    endpoint = fresh()
    server = launcher.start(router_impl, "router_server", endpoint, 4)
    clients = [launcher.start(clients_impl, "router_client", endpoint, name, 2) for name in ("alice", "bob")]
    for client, name in zip(clients, ("alice", "bob")):
        assert launcher.finish(client).count(f"{name} got: hello {name}") == 2
    out = launcher.finish(server)
    for name in ("alice", "bob"):
        assert out.count(f"identity [{name}] sent: ") == 2, out


def multipart(launcher, sender_impl, receiver_impl):
    """Role A: PUSH sending 3-frame messages. Role B: PULL checking frames,
    ZMQ_RCVMORE and contents."""
    endpoint = fresh()
    sender = launcher.start(sender_impl, "multipart_sender", endpoint, 20)
    receiver = launcher.start(receiver_impl, "multipart_receiver", endpoint, 20)
    out = launcher.finish(receiver)
    assert len(re.findall(r"^message \d+: 3 frames, \d+ body bytes, ok$", out, re.M)) == 20, out
    assert "sent 20 three-part messages" in launcher.finish(sender)


PATTERNS = {
    "reqrep": reqrep,
    "pushpull": pushpull,
    "pubsub": pubsub,
    "dealer": dealer,
    "router": router,
    "multipart": multipart,
}


@pytest.mark.parametrize(
    "pattern,impl_a,impl_b",
    cases("reqrep", PY_PAIRS)
    + cases("pushpull", PY_PAIRS)
    + cases("pubsub", PY_PAIRS)
    + cases("dealer", C_PAIRS)
    + cases("router", C_PAIRS)
    + cases("multipart", C_PAIRS),
)
def test_pattern(launcher, pattern, impl_a, impl_b):
    PATTERNS[pattern](launcher, impl_a, impl_b)


@pytest.mark.parametrize(
    "pattern,impl_a,impl_b",
    cases("reqrep", PY_PAIRS[:5])
    + cases("pushpull", C_PAIRS)
    + cases("router", C_PAIRS)
    + cases("multipart", C_PAIRS),
)
def test_pattern_over_ipc(launcher, monkeypatch, pattern, impl_a, impl_b):
    """The same programs over ipc://, by changing only the URL."""
    monkeypatch.setitem(ENDPOINTS, "fresh", ipc)
    PATTERNS[pattern](launcher, impl_a, impl_b)


class Together:
    """A launcher for inproc: the roles a pattern starts are collected and
    run as threads of one process (c-examples/together.c, one shared
    context), started when the first of them is waited for. Every role then
    reports the output of all of them."""

    def __init__(self, launcher):
        self.launcher = launcher
        self.roles = []
        self.out = None

    def start(self, impl, program, *args):
        self.impl = impl
        self.roles.append([program, *map(str, args)])
        return self

    def finish(self, _role, timeout=TIMEOUT_S):
        if self.out is None:
            argv = list(itertools.chain.from_iterable(["--", *role] for role in self.roles))[1:]
            self.out = self.launcher.finish(self.launcher.start(self.impl, "together", *argv), timeout)
        return self.out

    def finish_all(self, *roles):
        return [self.finish(role) for role in roles]


@pytest.mark.parametrize("impl", ["ours", "sys"])
@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_pattern_over_inproc(launcher, monkeypatch, pattern, impl):
    """The same programs over inproc://, by changing only the URL: they run
    as threads of one process (inproc joins the sockets of one context).
    On the system libzmq this checks the test itself."""
    monkeypatch.setitem(ENDPOINTS, "fresh", inproc)
    PATTERNS[pattern](Together(launcher), impl, impl)
