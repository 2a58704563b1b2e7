"""ZMQ_SOCKS_PROXY: a tcp connect goes through a SOCKS5 proxy (RFC 1928,
with RFC 1929's user name and password), asking it for the target as
libzmq does. The proxy here is a small one written for the test: it
records what each client asked and relays the bytes."""

import socket
import struct
import threading

import pytest

from conftest import assert_proved, run_on_both, run_script


class Socks5Proxy:
    """Accepts clients on 127.0.0.1, runs the SOCKS5 server side (no auth,
    or user/password "u"/"pw"), connects where asked and relays. The
    target's first bytes go out with the reply, in one write."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(client,), daemon=True).start()

    @staticmethod
    def exactly(sock, n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("client hung up")
            data += chunk
        return data

    def handle(self, client):
        try:
            version, count = self.exactly(client, 2)
            methods = self.exactly(client, count)
            record = {"methods": list(methods)}
            if 2 in methods:
                client.sendall(b"\x05\x02")
                _, ulen = self.exactly(client, 2)
                user = self.exactly(client, ulen)
                (plen,) = self.exactly(client, 1)
                password = self.exactly(client, plen)
                record["credentials"] = (user, password)
                ok = (user, password) == (b"u", b"pw")
                client.sendall(b"\x01" + (b"\x00" if ok else b"\x01"))
                if not ok:
                    self.requests.append(record)
                    return client.close()
            else:
                client.sendall(b"\x05\x00")
            head = self.exactly(client, 4)
            atyp = head[3]
            if atyp == 1:
                host = socket.inet_ntoa(self.exactly(client, 4))
            elif atyp == 4:
                host = socket.inet_ntop(socket.AF_INET6, self.exactly(client, 16))
            else:
                host = self.exactly(client, self.exactly(client, 1)[0]).decode()
            (port,) = struct.unpack(">H", self.exactly(client, 2))
            record.update(atyp=atyp, host=host, port=port)
            self.requests.append(record)
            target = socket.create_connection(("127.0.0.1" if host == "localhost" else host, port))
            # The target speaks first (its ZMTP greeting): sent in the same
            # write as our reply, so a client that reads past the reply
            # would lose it.
            target.settimeout(1)
            try:
                early = target.recv(65536)
            except socket.timeout:
                early = b""
            target.settimeout(None)
            reply = b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack(">H", 1)
            client.sendall(reply + early)
        except (ConnectionError, OSError):
            return client.close()
        for a, b in ((client, target), (target, client)):
            threading.Thread(target=self.relay, args=(a, b), daemon=True).start()

    @staticmethod
    def relay(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


CLIENT = """
import sys, zmq
from zmqproof import prove
proxy, host, user = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = zmq.Context()
pull = ctx.socket(zmq.PULL)
prove(pull)
port = pull.bind_to_random_port("tcp://127.0.0.1")
push = ctx.socket(zmq.PUSH)
push.setsockopt(zmq.SOCKS_PROXY, proxy.encode())
print("proxy reads back", push.getsockopt(zmq.SOCKS_PROXY).decode(), flush=True)
if user != "-":
    push.setsockopt(zmq.SOCKS_USERNAME, user.encode())
    push.setsockopt(zmq.SOCKS_PASSWORD, b"pw")
push.linger = 0
push.connect("tcp://%s:%d" % (host, port))
push.send(b"through the proxy")
pull.rcvtimeo = 2000
try:
    print("GOT", pull.recv().decode(), flush=True)
except zmq.Again:
    print("GOT nothing", flush=True)
push.close(0); pull.close(0); ctx.term()
"""


@pytest.mark.parametrize("host,user", [("127.0.0.1", "-"), ("localhost", "-"), ("127.0.0.1", "u")])
def test_connect_through_a_socks5_proxy(tmp_path, host, user):
    """Through the proxy, by address or by name, without or with a user
    name: the messages and what the proxy was asked are the same on pyzmq's
    libzmq and ours."""
    proxy = Socks5Proxy()
    address = "127.0.0.1:%d" % proxy.port
    seen = run_on_both(tmp_path, CLIENT, address, host, user, keep=("GOT", "proxy"))
    assert seen["libzmq"] == ["proxy reads back " + address, "GOT through the proxy"], seen
    assert seen["ours"] == seen["libzmq"], seen
    # What each library asked the proxy (their first attempts).
    asked = [{k: v for k, v in r.items() if k != "port"} for r in proxy.requests]
    assert asked, "nobody came through the proxy"
    assert asked[0] in asked[1:], asked


def test_a_refused_socks_user_gets_nothing_through(tmp_path):
    """The proxy refuses the user name: nothing goes through, and the
    process lives on (pyzmq's libzmq 4.3.5 aborts here, "Bad file
    descriptor (src/epoll.cpp:86)", so it is not compared)."""
    proxy = Socks5Proxy()
    output = run_script(tmp_path, CLIENT, "127.0.0.1:%d" % proxy.port, "127.0.0.1", "x")
    assert_proved(output)
    assert "GOT nothing" in output, output
    assert proxy.requests and all(r.get("credentials") == (b"x", b"pw") for r in proxy.requests)
