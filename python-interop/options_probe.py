"""Prints what zmq_setsockopt/zmq_getsockopt do for a table of options and
values, so two libraries can be compared line by line."""
import zmq
from zmqproof import prove


def attempt(call, *args):
    """What a call answered: "ok" or its value, or the errno it failed with."""
    try:
        value = call(*args)
    except zmq.ZMQError as e:
        return f"errno {e.errno}"
    return "ok" if value is None else value


Z85_KEY = b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"  # RFC 26's client public key

INT = {  # option: values tried
    "AFFINITY": [0, 3], "RATE": [0, -1, 1, 500], "RECOVERY_IVL": [-1, 0, 20000],
    "MULTICAST_HOPS": [0, -1, 5], "MULTICAST_MAXTPDU": [0, -1, 9000],
    "IPV4ONLY": [2, 0, 1], "SNDHWM": [-1, 0, 5], "RCVHWM": [-1, 7], "LINGER": [-5, 10],
    "RECONNECT_IVL": [-2, -1, 0, 50], "RECONNECT_IVL_MAX": [-1, 0, 60],
    "BACKLOG": [-1, 0, 10], "RCVTIMEO": [-3, 100], "SNDTIMEO": [-3, 100],
    "TCP_KEEPALIVE": [2, -2, 1], "TCP_KEEPALIVE_IDLE": [-2, 0, 30],
    "IMMEDIATE": [2, 1], "CONFLATE": [2, 1], "HANDSHAKE_IVL": [-1, 0, 10],
    "HEARTBEAT_IVL": [-1, 100], "HEARTBEAT_TTL": [-1, 70000, 6553599, 2000],
    "HEARTBEAT_TIMEOUT": [-2, 300], "TOS": [-1, 8], "CONNECT_TIMEOUT": [-1, 5],
    "TCP_MAXRT": [-1, 5], "SNDBUF": [-2, 4096], "RCVBUF": [-2, 4096],
    "INVERT_MATCHING": [2, 1], "ROUTER_MANDATORY": [2, 1], "XPUB_VERBOSE": [2, 1],
    "PROBE_ROUTER": [2, 1], "REQ_CORRELATE": [2, 1], "REQ_RELAXED": [2, 1],
    "ROUTER_HANDOVER": [2, 1], "XPUB_NODROP": [2, 1], "XPUB_MANUAL": [2, 1],
    "XPUB_VERBOSER": [2, 1], "USE_FD": [-2, -1], "MAXMSGSIZE": [-2, -1, 100],
    "PLAIN_SERVER": [2, -1, 1], "ZAP_ENFORCE_DOMAIN": [1, 0], "CURVE_SERVER": [2, -1, 1, 0],
    "LOOPBACK_FASTPATH": [2, -1, 0], "MULTICAST_LOOP": [0, -1, 2],
    "IPC_FILTER_UID": [0, 1000], "IPC_FILTER_GID": [0, 1000], "IPC_FILTER_PID": [1, 99999],
}
BYTES = {  # option: byte values tried
    "ROUTING_ID": [b"", b"x" * 256, b"\0id", b"name"],
    "SUBSCRIBE": [b"", b"topic"], "UNSUBSCRIBE": [b"", b"nope"],
    "CONNECT_ROUTING_ID": [b"", b"x" * 256, b"peer"],
    "XPUB_WELCOME_MSG": [b"", b"hi"],
    "BINDTODEVICE": [b"x" * 16, b"lo"],
    "LAST_ENDPOINT": [b"tcp://x"],
    # A credential makes a PLAIN client of a PLAIN server (MECHANISM, read
    # at the end, shows which mechanism the last one left).
    "PLAIN_USERNAME": [b"", b"x" * 256, b"user"], "PLAIN_PASSWORD": [b"", b"pw"],
    "ZAP_DOMAIN": [b"", b"x" * 256, b"x" * 200, b"global"],
    "TCP_ACCEPT_FILTER": [b"", b"127.0.0.1", b"10.0.0.0/8", b"x" * 256, b"::1", b"1.2.3.4/"],
    "SOCKS_PROXY": [b"127.0.0.1:1080", b"x" * 300, b""],
    # CURVE keys: 32 raw bytes, or 40 Z85 characters with or without a NUL
    # (read back as Z85); anything else is EINVAL.
    **{
        f"CURVE_{key}KEY": [
            b"", b"k" * 31, bytes(range(32)), b"k" * 33, Z85_KEY, Z85_KEY + b"\0", Z85_KEY + b"x",
            b"~" * 40, b"#" * 40, Z85_KEY[:35],
        ]
        for key in ("PUBLIC", "SECRET", "SERVER")
    },
}
# Not probed: SOCKS_USERNAME/PASSWORD, draft options pyzmq's libzmq lacks.
GET_ONLY = ["MECHANISM", "THREAD_SAFE", "TYPE", "RCVMORE", "EVENTS", "IPV6"]
TYPES = ["PAIR", "PUB", "SUB", "REQ", "ROUTER", "XPUB", "PUSH", "DEALER"]

ctx = zmq.Context()
for tname in TYPES:
    s = ctx.socket(getattr(zmq, tname))
    prove(s)  # under preload: proof that our library answers
    for name, values in {**INT, **BYTES}.items():
        opt = getattr(zmq, name, None)
        if opt is None:
            continue
        for v in values:
            shown = len(v) if isinstance(v, bytes) else v
            print(tname, name, shown, attempt(s.setsockopt, opt, v), attempt(s.getsockopt, opt))
    for name in GET_ONLY:
        print(tname, name, attempt(s.getsockopt, getattr(zmq, name)))
    s.close()
# (XPUB_MANUAL is on when SUBSCRIBE is probed above: here it is not.)
for tname in ["PUB", "XPUB"]:
    s = ctx.socket(getattr(zmq, tname))
    print(tname, "SUBSCRIBE unmanaged", attempt(s.setsockopt, zmq.SUBSCRIBE, b"x"))
    print(tname, "UNSUBSCRIBE unmanaged", attempt(s.setsockopt, zmq.UNSUBSCRIBE, b"x"))
    s.close()
ctx.term()

# Context options (zmq_ctx_set / zmq_ctx_get), each on a fresh context.
CTX = {
    "IO_THREADS": [-1, 0, 2], "MAX_SOCKETS": [-1, 0, 10, 100000], "IPV6": [2, 1, 0],
    "BLOCKY": [2, 0, 1], "MAX_MSGSZ": [-1, 0, 1000], "THREAD_PRIORITY": [-1, 5],
    "THREAD_SCHED_POLICY": [-1, 0], "THREAD_NAME_PREFIX": [-1, 7],
    "THREAD_AFFINITY_CPU_ADD": [-1, 0], "THREAD_AFFINITY_CPU_REMOVE": [-1, 5],
}
DEFAULTS_CTX = ["SOCKET_LIMIT", "MSG_T_SIZE", "THREAD_NAME_PREFIX", "THREAD_SCHED_POLICY",
                "IO_THREADS", "MAX_SOCKETS", "IPV6", "BLOCKY", "MAX_MSGSZ"]
for name, values in CTX.items():
    for v in values:
        c = zmq.Context()
        opt = getattr(zmq, name)
        print("CTX", name, v, attempt(c.set, opt, v), attempt(c.get, opt))
        c.term()
c = zmq.Context()
for step, cpu in [("ADD", 1), ("REMOVE", 1), ("REMOVE", 1)]:
    print("CTX affinity", step, cpu, attempt(c.set, getattr(zmq, "THREAD_AFFINITY_CPU_" + step), cpu))
c.term()
for name in DEFAULTS_CTX:
    c = zmq.Context()
    print("CTX default", name, attempt(c.get, getattr(zmq, name)))
    c.term()
# ZMQ_BLOCKY=0 gives new sockets linger 0.
c = zmq.Context()
c.set(zmq.BLOCKY, 0)
s = c.socket(zmq.PUSH)
print("CTX BLOCKY 0 socket LINGER", attempt(s.getsockopt, zmq.LINGER))
s.close()
c.term()
