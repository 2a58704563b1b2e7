"""pyzmq twins of the C pattern programs in c-examples/: same arguments,
same checks, same output lines, so a test can swap either side of a pattern
between C (ours or the system libzmq) and pyzmq.

    python3 peers.py ROLE [arguments of the C program of that name]

Roles: reqrep_server, reqrep_client, pushpull_producer, pushpull_worker,
pubsub_publisher, pubsub_subscriber. See the C files for what each does.
"""

import sys
import time
from collections import Counter

import zmq

import zmqproof

TIMEOUT_MS = 5000  # as EXAMPLE_TIMEOUT_MS in c-examples/common.h


def new_socket(context, kind):
    socket = context.socket(kind)
    socket.rcvtimeo = TIMEOUT_MS
    socket.sndtimeo = TIMEOUT_MS
    socket.linger = TIMEOUT_MS
    zmqproof.prove(socket)
    return socket


def fail(message):
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def reqrep_server(context, endpoint="tcp://*:5560", name="server", requests="10"):
    rep = new_socket(context, zmq.REP)
    rep.bind(endpoint)
    for _ in range(int(requests)):
        request = rep.recv_string()
        rep.send_string(f"{name}|{request}")
        print(f"{name} answered: {request}")


def reqrep_client(
    context, endpoints="tcp://localhost:5560,tcp://localhost:5561", requests="10"
):
    req = new_socket(context, zmq.REQ)
    servers = endpoints.split(",")
    for endpoint in servers:
        req.connect(endpoint)
    answered_by = []
    for i in range(int(requests)):
        request = f"request {i}"
        req.send_string(request)
        name, _, echo = req.recv_string().partition("|")
        if echo != request:
            fail(f'reply "{name}|{echo}" does not echo "{request}"')
        print(f"reply {i} from {name}")
        if i < len(servers):
            if name in answered_by:
                fail(f"{name} answered twice in the first round")
            answered_by.append(name)
        elif answered_by[i % len(servers)] != name:
            fail(f"request {i} went to {name}, wanted {answered_by[i % len(servers)]}")
    print(f"{requests} replies, round-robin over {len(servers)} servers")


def pushpull_producer(
    context,
    worker_endpoints="tcp://localhost:5570,tcp://localhost:5571",
    result_endpoint="tcp://*:5580",
    tasks="20",
):
    tasks = int(tasks)
    sink = new_socket(context, zmq.PULL)
    sink.bind(result_endpoint)
    push = new_socket(context, zmq.PUSH)
    workers = worker_endpoints.split(",")
    for endpoint in workers:
        push.connect(endpoint)
    for i in range(tasks):
        push.send_string(f"task {i}")
    seen = set()
    done_by = Counter()
    for _ in range(tasks):
        worker, _, task = sink.recv_string().partition("|")
        if task in seen:
            fail(f"{task} came back twice")
        seen.add(task)
        done_by[worker] += 1
    if seen != {f"task {i}" for i in range(tasks)}:
        fail("results do not match the tasks")
    for _ in workers:
        push.send_string("END")
    for worker, count in done_by.items():
        print(f"{worker} did {count} tasks")
    print(f"all {tasks} tasks came back exactly once")
    if tasks >= len(workers) and len(done_by) != len(workers):
        fail(f"{len(done_by)} of {len(workers)} workers got tasks")


def pushpull_worker(
    context, task_endpoint="tcp://*:5570", result_endpoint="tcp://localhost:5580", name="worker"
):
    pull = new_socket(context, zmq.PULL)
    pull.bind(task_endpoint)
    push = new_socket(context, zmq.PUSH)
    push.connect(result_endpoint)
    done = 0
    while (task := pull.recv_string()) != "END":
        push.send_string(f"{name}|{task}")
        done += 1
    print(f"{name} processed {done} tasks")


def pubsub_publisher(
    context, pub_endpoint="tcp://*:5590", sync_endpoint="tcp://*:5591", subscribers="1",
    messages="100",
):
    subscribers, messages = int(subscribers), int(messages)
    pub = new_socket(context, zmq.PUB)
    pub.sndhwm = 2 * messages + 1000
    pub.bind(pub_endpoint)
    sync = new_socket(context, zmq.PULL)
    sync.bind(sync_endpoint)
    ready = 0
    deadline = time.monotonic() + 5
    while ready < subscribers:
        if time.monotonic() > deadline:
            fail(f"{ready} of {subscribers} subscribers ready after 5 s")
        pub.send_string("A hello")
        pub.send_string("B hello")
        time.sleep(0.01)
        while True:
            try:
                sync.recv(zmq.DONTWAIT)
                ready += 1
            except zmq.Again:
                break
    for i in range(messages):
        pub.send_string(f"A {i}")
        pub.send_string(f"B {i}")
    pub.send_string("A END")
    pub.send_string("B END")
    print(f"published {messages} messages on topics A and B to {subscribers} subscribers")


def pubsub_subscriber(
    context, pub_endpoint="tcp://localhost:5590", sync_endpoint="tcp://localhost:5591",
    prefix="A", expected="100",
):
    sub = new_socket(context, zmq.SUB)
    sub.setsockopt_string(zmq.SUBSCRIBE, prefix)
    sub.connect(pub_endpoint)
    sync = new_socket(context, zmq.PUSH)
    sync.connect(sync_endpoint)
    signalled = False
    received = 0
    while True:
        text = sub.recv_string()
        if not text.startswith(prefix):
            fail(f'subscribed to "{prefix}" but got "{text}"')
        body = text[len(prefix):]
        if body == " hello":
            if not signalled:
                sync.send_string("ready")
                signalled = True
            continue
        if body == " END":
            break
        if body != f" {received}":
            fail(f'got "{text}", wanted "{prefix} {received}"')
        received += 1
    # See pubsub_subscriber.c: a lingering SUB close can wait for a gone publisher.
    sub.linger = sync.linger = 0
    print(f"subscriber {prefix}: {received} messages, all with prefix {prefix}, in order")
    if received != int(expected):
        fail(f"got {received} messages, wanted {expected}")


ROLES = {
    f.__name__: f
    for f in (
        reqrep_server,
        reqrep_client,
        pushpull_producer,
        pushpull_worker,
        pubsub_publisher,
        pubsub_subscriber,
    )
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ROLES:
        print(f"usage: peers.py {{{','.join(ROLES)}}} [arguments]", file=sys.stderr)
        return 2
    context = zmq.Context()
    try:
        ROLES[sys.argv[1]](context, *sys.argv[2:])
    except zmq.Again:
        fail(f"timed out after {TIMEOUT_MS} ms")
    except zmq.ZMQError as error:
        fail(f"{error} (errno {error.errno})")
    finally:
        sys.stdout.flush()
        context.destroy()  # each socket keeps its own linger
    return 0


if __name__ == "__main__":
    sys.exit(main())
