"""Shared set-up for the interop tests: where things are, free ports, and a
launcher that starts peers built four ways and never lets one outlive its test.

Peers come in four implementations ("impls"):
  ours    a C/C++ program from c-examples built against our library (build/ours)
  sys     the same program built against the system libzmq (build/sys)
  py      the pyzmq twin (server.py, client.py, peers.py), the libzmq in pyzmq's wheel
  pyours  the same pyzmq twin with our library in LD_PRELOAD, and proof of it

Environment (all optional):
  OURS_LIB          directory of our libzmq.so.5 (default build/lib, relative to the repo)
  BUILD_OURS        default build/ours;  BUILD_SYS: default build/sys
  OURS_ZMQ_VERSION  what zmq_version() must say under LD_PRELOAD (default 4.3.5)
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _repo_path(variable, default):
    path = Path(os.environ.get(variable, default))
    return path if path.is_absolute() else ROOT / path


OURS_LIB = _repo_path("OURS_LIB", "build/lib")
BUILD = {"ours": _repo_path("BUILD_OURS", "build/ours"), "sys": _repo_path("BUILD_SYS", "build/sys")}
OURS_SO = OURS_LIB / "libzmq.so.5"
OURS_ZMQ_VERSION = os.environ.get("OURS_ZMQ_VERSION", "4.3.5")

IMPLS = ("ours", "sys", "py", "pyours")
# The pyzmq twin of each C program that has one.
PY_SCRIPTS = {"server": ["server.py"], "client_get-time-of-day": ["client.py"]}
PY_ROLES = (
    "reqrep_server",
    "reqrep_client",
    "pushpull_producer",
    "pushpull_worker",
    "pubsub_publisher",
    "pubsub_subscriber",
)
for _role in PY_ROLES:
    PY_SCRIPTS[_role] = ["peers.py", _role]

# The pattern programs give up after 5 s of silence, the time-of-day pair
# (also run by hand) after 10 s; a test that still waits past these is killed.
TIMEOUT_S = 12  # the most one peer may take
TEST_BUDGET_S = 20  # the most all the peers of one test may take together
PROOF = re.compile(r"^PROOF socket type \d+ answered by (.+); zmq_version (\S+)$", re.M)


def free_port():
    """A TCP port nobody listens on right now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tcp():
    """A fresh loopback endpoint, the same string for bind and connect."""
    return f"tcp://127.0.0.1:{free_port()}"


def ipc():
    """A fresh ipc endpoint (a Linux abstract name: no file to clean up)."""
    return f"ipc://@zmq-interop-{os.getpid()}-{next(_IPC_NAMES)}"


_IPC_NAMES = __import__("itertools").count()


def clean_env():
    """The environment of a process that must run on a real libzmq: none
    of our preload settings inherited from the caller."""
    env = dict(os.environ)
    for name in ("LD_PRELOAD", "LD_LIBRARY_PATH", "ZMQ_PROVE_LIB"):
        env.pop(name, None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def preloaded_env():
    """The environment of a pyzmq process that must run on our library."""
    env = clean_env()
    env["LD_PRELOAD"] = str(OURS_SO)
    env["ZMQ_PROVE_LIB"] = str(OURS_SO)
    return env


def assert_proved(output):
    """The preloaded process printed proof that our library served pyzmq,
    and pyzmq's zmq_version() is the one our library reports."""
    match = PROOF.search(output)
    assert match, f"no PROOF line from a preloaded pyzmq process:\n{output}"
    assert match.group(1) == str(OURS_SO)
    assert match.group(2) == OURS_ZMQ_VERSION, (
        f"zmq.zmq_version() is {match.group(2)} under LD_PRELOAD, wanted {OURS_ZMQ_VERSION}"
        " (set OURS_ZMQ_VERSION when testing against another library)"
    )


def start_script(tmp_path, text, *args, env=None, **popen):
    """Starts the Python script `text` (written to tmp_path) with `args`,
    on our library unless `env` says otherwise, with zmqproof importable;
    returns the Popen (text mode; `popen` adds or overrides its options)."""
    path = tmp_path / f"script{next(_SCRIPTS)}.py"
    path.write_text(text)
    env = dict(preloaded_env() if env is None else env)
    env["PYTHONPATH"] = str(HERE)
    # Run in tmp_path: libzmq makes `ipc://*` directories in the current one.
    options = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "cwd": tmp_path, **popen}
    return subprocess.Popen([sys.executable, str(path), *map(str, args)], env=env, text=True, **options)


def run_script(tmp_path, text, *args, env=None, timeout=30):
    """Runs the script as `start_script` does; it must exit 0. Returns its
    output (stdout and stderr)."""
    process = start_script(tmp_path, text, *args, env=env)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"script still running after {timeout} s:\n{output}")
    assert process.returncode == 0, output
    return output


_SCRIPTS = __import__("itertools").count()


def run_on_both(tmp_path, text, *args, keep):
    """Runs the script on pyzmq's own libzmq and on ours (proving it is
    ours); returns each run's output lines that start with one of `keep`."""
    seen = {}
    for name, env in (("libzmq", clean_env()), ("ours", None)):
        output = run_script(tmp_path, text, *args, env=env)
        if name == "ours":
            assert_proved(output)
        seen[name] = [line for line in output.splitlines() if line.startswith(keep)]
    return seen


# (server, client): which side of a two-process test runs on our library.
SIDES = [("ours", "libzmq"), ("libzmq", "ours"), ("ours", "ours")]


def run_server_and_client(tmp_path, server, client, sides, server_args=(), client_args=()):
    """Starts the `server` script (which prints "ENDPOINT <address>" once
    bound), then runs the `client` script with that address as its first
    argument; each side on the library `sides` names ("ours" or "libzmq"),
    ours proved. Both must exit 0. Returns (server output, client output)."""
    envs = [None if side == "ours" else clean_env() for side in sides]
    process = start_script(tmp_path, server, *server_args, env=envs[0])
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("ENDPOINT"):
                break
        assert lines and lines[-1].startswith("ENDPOINT"), "".join(lines)
        endpoint = lines[-1].split()[1]
        client_output = run_script(tmp_path, client, endpoint, *client_args, env=envs[1])
        rest, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    server_output = "".join(lines) + rest
    assert process.returncode == 0, server_output
    for side, output in zip(sides, (server_output, client_output)):
        if side == "ours":
            assert_proved(output)
    return server_output, client_output


def command(impl, program, *args):
    """argv and environment to run `program` as built or written for `impl`."""
    args = [str(a) for a in args]
    if impl in ("ours", "sys"):
        binary = BUILD[impl] / program
        if not binary.exists():
            pytest.fail(f"{binary} is missing: run `make examples`")
        return [str(binary), *args], clean_env()
    if impl in ("py", "pyours"):
        if program not in PY_SCRIPTS:
            pytest.fail(f"no pyzmq twin of {program}")
        script, *role = PY_SCRIPTS[program]
        argv = [sys.executable, str(HERE / script), *role, *args]
        return argv, preloaded_env() if impl == "pyours" else clean_env()
    raise ValueError(impl)


class Peer:
    def __init__(self, impl, program, process):
        self.impl, self.program, self.process = impl, program, process
        self.out = self.err = None

    def __repr__(self):
        return f"{self.program}[{self.impl}]"


class Launcher:
    """Starts peers and collects them; whatever is still running at the end
    of the test is killed."""

    def __init__(self):
        self.peers = []
        self.deadline = time.monotonic() + TEST_BUDGET_S

    def start(self, impl, program, *args):
        argv, env = command(impl, program, *args)
        process = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        peer = Peer(impl, program, process)
        self.peers.append(peer)
        return peer

    def finish(self, peer, timeout=TIMEOUT_S):
        """Wait for a peer; it must exit 0 in time. Returns its stdout."""
        timeout = max(0.5, min(timeout, self.deadline - time.monotonic()))
        try:
            peer.out, peer.err = peer.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_all()
            peer.out, peer.err = peer.process.communicate()
            pytest.fail(f"{peer} still running after {timeout} s\n{self.report()}")
        if peer.process.returncode != 0:
            self.kill_all()
            pytest.fail(f"{peer} exited with {peer.process.returncode}\n{self.report()}")
        if peer.impl == "pyours":
            assert_proved(peer.out)
        return peer.out

    def finish_all(self, *peers):
        return [self.finish(p) for p in peers]

    def kill_all(self):
        for peer in self.peers:
            if peer.process.poll() is None:
                peer.process.kill()
            if peer.out is None:
                try:
                    peer.out, peer.err = peer.process.communicate(timeout=5)
                except (subprocess.TimeoutExpired, ValueError):
                    pass

    def report(self):
        lines = []
        for peer in self.peers:
            lines.append(f"--- {peer} rc={peer.process.returncode}")
            lines.append(f"stdout:\n{peer.out or ''}stderr:\n{peer.err or ''}")
        return "\n".join(lines)


@pytest.fixture
def launcher():
    peers = Launcher()
    yield peers
    peers.kill_all()


def pytest_report_header(config):
    return [
        f"our library: {OURS_SO} (expected zmq_version {OURS_ZMQ_VERSION})",
        f"programs: {BUILD['ours']} and {BUILD['sys']}",
    ]
