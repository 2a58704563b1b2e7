"""CURVE (RFC 26) across libraries, in both roles.

With the system libzmq (Debian's, built with libsodium): c-examples/curve.c
as server and client, each on ours or on the system library, for REQ/REP,
DEALER/ROUTER and PUB/SUB (the subscription travels encrypted and filters),
with multipart messages of 0 B to 1 MiB frames; then the refusals (a wrong
server key, a client the ZAP handler denies, a client with no CURVE at all),
which must give the monitor events libzmq gives.

With pyzmq's bundled libzmq 4.3.5: the same patterns and frames, and
certificates from zmq.auth judged by pyzmq's ThreadAuthenticator (allowed,
unknown, CURVE_ALLOW_ANY), with the handler's User-Id on the message."""

import subprocess

import pytest

from conftest import command, run_server_and_client

C_SIDES = [("ours", "sys"), ("sys", "ours"), ("ours", "ours")]

HANDSHAKE_SUCCEEDED = 0x1000
FAILED_PROTOCOL = 0x2000
FAILED_AUTH = 0x4000
CRYPTOGRAPHIC = 0x11000001
MECHANISM_MISMATCH = 0x11000002


def keys(impl):
    argv, env = command(impl, "curve", "keys")
    out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=10, check=True)
    pairs = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    return pairs["PUBLIC"], pairs["SECRET"]


def curve_run(server_impl, client_impl, pattern, zap="none", client_keys="own", wrong_key=False):
    """Runs curve.c's server and client; returns their output lines."""
    public, secret = keys(server_impl)
    if wrong_key:
        public, _ = keys("sys")
    argv, env = command(server_impl, "curve", "server", "tcp://127.0.0.1:*", pattern, secret, zap)
    server = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline()
        assert first.startswith("ENDPOINT"), first + server.stderr.read()
        endpoint = first.split()[1]
        argv, env = command(client_impl, "curve", "client", endpoint, pattern, public, client_keys)
        client = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=20)
        rest, errors = server.communicate(timeout=20)
    finally:
        server.kill()
    assert client.returncode == 0, client.stdout + client.stderr
    assert server.returncode == 0, rest + errors
    return rest.splitlines(), client.stdout.splitlines()


@pytest.mark.parametrize("sides", C_SIDES, ids="-".join)
@pytest.mark.parametrize("pattern", ["reqrep", "dealer", "pubsub"])
def test_curve_patterns_with_the_system_libzmq(sides, pattern):
    server, client = curve_run(*sides, pattern)
    for out in (server, client):
        assert out == [f"EVENT {HANDSHAKE_SUCCEEDED} 0", "OK"], out


@pytest.mark.parametrize("sides", C_SIDES, ids="-".join)
def test_a_zap_handler_may_let_curve_clients_in(sides):
    server, client = curve_run(*sides, "dealer", zap="allow")
    assert server[-1] == client[-1] == "OK"


@pytest.mark.parametrize("sides", C_SIDES, ids="-".join)
def test_curve_refusals_report_libzmqs_events(sides):
    # Denied by the handler: both sides hear 400.
    server, client = curve_run(*sides, "reqrep", zap="deny")
    assert server == [f"EVENT {FAILED_AUTH} 400", "REFUSED"]
    assert client == [f"EVENT {FAILED_AUTH} 400", "REFUSED"]
    # A wrong server key: the server cannot open HELLO and says so; the
    # client only sees the connection close.
    server, client = curve_run(*sides, "reqrep", wrong_key=True)
    assert server == [f"EVENT {FAILED_PROTOCOL} {CRYPTOGRAPHIC}", "REFUSED"]
    assert client[-1] == "REFUSED" and f"EVENT {HANDSHAKE_SUCCEEDED} 0" not in client
    # A client without CURVE: the server reports the mechanism mismatch.
    server, client = curve_run(*sides, "reqrep", client_keys="none")
    assert server == [f"EVENT {FAILED_PROTOCOL} {MECHANISM_MISMATCH}", "REFUSED"]
    assert client[-1] == "REFUSED"


PY_SERVER = """
import sys, zmq, zmq.auth
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils.monitor import recv_monitor_message
from zmqproof import prove

certs, mode = sys.argv[1], sys.argv[2]
ctx = zmq.Context()
auth = ThreadAuthenticator(ctx)
auth.start()
if mode == "any":
    auth.configure_curve(domain="*", location=zmq.auth.CURVE_ALLOW_ANY)
else:
    auth.configure_curve(domain="*", location=certs + "/allowed")
public, secret = zmq.auth.load_certificate(certs + "/server.key_secret")
router = ctx.socket(zmq.ROUTER)
prove(router)
router.curve_secretkey = secret
router.curve_publickey = public
router.curve_server = True
assert router.curve_server and router.mechanism == zmq.CURVE
monitor = router.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH)
router.bind("tcp://127.0.0.1:*")
print("ENDPOINT", router.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
monitor.rcvtimeo = 10000
event = recv_monitor_message(monitor)
print("EVENT", event["event"], event["value"], flush=True)
if event["event"] == zmq.EVENT_HANDSHAKE_SUCCEEDED:
    router.rcvtimeo = 10000
    ident, frame = router.recv_multipart(copy=False)
    print("GOT", frame.bytes.decode(), frame.get("User-Id"), flush=True)
    router.send_multipart([ident.bytes, b"welcome"])
auth.stop()
router.close(linger=2000); monitor.close(0); ctx.term()
"""

PY_CLIENT = """
import sys, zmq, zmq.auth
from zmq.utils.monitor import recv_monitor_message
from zmqproof import prove

endpoint, certs, who = sys.argv[1:4]
ctx = zmq.Context()
dealer = ctx.socket(zmq.DEALER)
prove(dealer)
server_public, _ = zmq.auth.load_certificate(certs + "/server.key")
public, secret = zmq.auth.load_certificate(certs + "/" + who + ".key_secret")
dealer.curve_serverkey = server_public
dealer.curve_publickey = public
dealer.curve_secretkey = secret
monitor = dealer.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH)
dealer.connect(endpoint)
monitor.rcvtimeo = 10000
event = recv_monitor_message(monitor)
print("EVENT", event["event"], event["value"], flush=True)
if event["event"] == zmq.EVENT_HANDSHAKE_SUCCEEDED:
    dealer.send(b"hello from " + who.encode())
    dealer.rcvtimeo = 10000
    print("REPLY", dealer.recv().decode(), flush=True)
print("PUBLIC", public.decode(), flush=True)
dealer.close(0); monitor.close(0); ctx.term()
"""


@pytest.fixture
def certificates(tmp_path):
    """Key pairs made with pyzmq's zmq.auth (on its own libzmq): a server,
    a client whose public key is in allowed/, a stranger whose is not."""
    import zmq.auth

    certs = tmp_path / "certs"
    (certs / "allowed").mkdir(parents=True)
    for name in ("server", "client", "stranger"):
        public, _ = zmq.auth.create_certificates(str(certs), name)
        if name == "client":
            (certs / "allowed" / "client.key").write_text(open(public).read())
    return certs


PY_SIDES = [("ours", "libzmq"), ("libzmq", "ours"), ("ours", "ours")]


@pytest.mark.parametrize("sides", PY_SIDES, ids="-".join)
def test_pyzmq_certificates_and_thread_authenticator(tmp_path, certificates, sides):
    # An allowed client: in, and the handler's User-Id (its Z85 key) is on
    # the message.
    server, client = run_server_and_client(
        tmp_path, PY_SERVER, PY_CLIENT, sides, (certificates, "allowed"), (certificates, "client")
    )
    public = [line for line in client.splitlines() if line.startswith("PUBLIC")][0].split()[1]
    assert f"EVENT {HANDSHAKE_SUCCEEDED} 0" in server
    assert f"GOT hello from client {public}" in server
    assert "REPLY welcome" in client
    # A stranger: refused with 400, both sides told.
    server, client = run_server_and_client(
        tmp_path, PY_SERVER, PY_CLIENT, sides, (certificates, "allowed"), (certificates, "stranger")
    )
    assert f"EVENT {FAILED_AUTH} 400" in server
    assert f"EVENT {FAILED_AUTH} 400" in client
    # CURVE_ALLOW_ANY: a stranger who knows the server key is in.
    server, client = run_server_and_client(
        tmp_path, PY_SERVER, PY_CLIENT, sides, (certificates, "any"), (certificates, "stranger")
    )
    assert "GOT hello from stranger" in server
    assert "REPLY welcome" in client


PY_PATTERN_SERVER = """
import sys, zmq
from zmqproof import prove

pattern, secret = sys.argv[1], sys.argv[2].encode()
ctx = zmq.Context()
kind = {"reqrep": zmq.REP, "dealer": zmq.ROUTER, "pubsub": zmq.XPUB}[pattern]
s = ctx.socket(kind)
prove(s)
s.curve_server = True
s.curve_secretkey = secret
s.rcvtimeo = 10000
s.bind("tcp://127.0.0.1:*")
print("ENDPOINT", s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
frames = [b"c" * n for n in (0, 1, 255, 256, 65536, 1 << 20)]
if kind == zmq.XPUB:
    assert s.recv() == b"\\x01topic"
    s.send(b"other")
    s.send_multipart([b"topic"] + frames)
else:
    request = s.recv_multipart()
    assert request[-6:] == frames, [len(f) for f in request]
    s.send_multipart(request)
print("SERVED", flush=True)
s.close(linger=5000); ctx.term()
"""

PY_PATTERN_CLIENT = """
import sys, zmq
from zmqproof import prove

endpoint, pattern, server_public = sys.argv[1], sys.argv[2], sys.argv[3].encode()
ctx = zmq.Context()
kind = {"reqrep": zmq.REQ, "dealer": zmq.DEALER, "pubsub": zmq.SUB}[pattern]
s = ctx.socket(kind)
prove(s)
public, secret = zmq.curve_keypair()
s.curve_serverkey, s.curve_publickey, s.curve_secretkey = server_public, public, secret
s.rcvtimeo = 10000
frames = [b"c" * n for n in (0, 1, 255, 256, 65536, 1 << 20)]
if kind == zmq.SUB:
    s.subscribe(b"topic")
s.connect(endpoint)
if kind != zmq.SUB:
    s.send_multipart(frames)
reply = s.recv_multipart()
assert reply[-6:] == frames and reply[0] in (b"topic", b""), [len(f) for f in reply]
print("GOT", len(reply), "frames", flush=True)
s.close(0); ctx.term()
"""


@pytest.mark.parametrize("sides", PY_SIDES, ids="-".join)
@pytest.mark.parametrize("pattern", ["reqrep", "dealer", "pubsub"])
def test_curve_patterns_with_pyzmqs_libzmq(tmp_path, sides, pattern):
    import zmq

    public, secret = zmq.curve_keypair()
    server, client = run_server_and_client(
        tmp_path, PY_PATTERN_SERVER, PY_PATTERN_CLIENT, sides,
        (pattern, secret.decode()), (pattern, public.decode()),
    )
    assert "SERVED" in server
    # The topic frame in front for PUB/SUB; REQ and DEALER get the six back.
    assert f"GOT {7 if pattern == 'pubsub' else 6} frames" in client
