"""pyzmq's own test suite, run on pyzmq's bundled libzmq and on ours.

Fetches the pyzmq sdist of the installed pyzmq version from PyPI (checked
against the index's sha256), runs its tests/ twice with pytest (once as
installed, once with our library preloaded), and fails on every test that
passes on the bundled libzmq but not on ours, skips included. A test that
fails on ours is run again on its own, up to RERUNS times, before it counts:
pyzmq's test_log races the subscription it makes (libzmq loses it too, see
the README), and once it fails its handler stays attached and fails the log
tests after it; test_retry_poll is flaky on every library (below).

    python pyzmq_suite.py LIBZMQ_SO WORKDIR
"""

import hashlib
import os
import re
import subprocess
import sys
import tarfile
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import zmq

INDEX = "https://pypi.org/simple/pyzmq/"
# The most one run of the suite, and one test, may take before it is stopped.
SUITE_TIMEOUT_S = 900
TEST_TIMEOUT_S = 30
# Solo re-runs a test failing on ours gets. pyzmq 27.1's test_retry_poll
# fails on any libzmq about one run in ten: its zmq_poll wrapper keeps
# monotonic() in a C int, so an EINTR that straddles a whole second counts
# as 1000 ms passed and the retried poll gets a timeout of 0.
RERUNS = 3


def fetch_tests(workdir: Path) -> Path:
    """The sdist's tests/ directory, downloaded once into workdir."""
    version = zmq.pyzmq_version()
    root = workdir / f"pyzmq-{version}"
    if (root / "tests").is_dir() and (root / "pytest.ini").is_file():
        return root / "tests"
    workdir.mkdir(parents=True, exist_ok=True)
    index = urllib.request.urlopen(INDEX, timeout=60).read().decode()
    name = re.escape(f"pyzmq-{version}.tar.gz")
    match = re.search(rf'href="([^"]*/{name})#sha256=([0-9a-f]+)"', index)
    if not match:
        sys.exit(f"pyzmq {version}'s sdist is not on {INDEX}")
    url, sha256 = match.groups()
    data = urllib.request.urlopen(url, timeout=120).read()
    if hashlib.sha256(data).hexdigest() != sha256:
        sys.exit(f"{url}: sha256 mismatch")
    archive = workdir / f"pyzmq-{version}.tar.gz"
    archive.write_bytes(data)
    with tarfile.open(archive) as tar:
        # The tests and their pytest.ini (asyncio_mode = auto, for the
        # coroutine tests pytest-asyncio runs).
        wanted = (f"pyzmq-{version}/tests/", f"pyzmq-{version}/pytest.ini")
        members = [m for m in tar.getmembers() if m.name.startswith(wanted)]
        tar.extractall(workdir, members=members, filter="data")
    return root / "tests"


def environment(lib):
    # (Not ZMQ_TEST_TIMEOUT: pyzmq 27.1's conftest passes it to
    # signal.alarm as a string, which fails every test using it.)
    drop = ("LD_PRELOAD", "LD_LIBRARY_PATH", "ZMQ_TEST_TIMEOUT")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    if lib:
        env["LD_PRELOAD"] = str(lib)
    return env


def prove(lib):
    """The preloaded interpreter's libzmq is ours (its zmq_version is the
    same as the bundled one, so look at what is mapped)."""
    script = "import zmq; zmq.Context().term(); print(open('/proc/self/maps').read())"
    maps = subprocess.run(
        [sys.executable, "-c", script], env=environment(lib), capture_output=True, text=True,
        check=True,
    ).stdout
    if str(Path(lib).resolve()) not in maps:
        sys.exit(f"{lib} was not loaded under LD_PRELOAD")


def run(tests: Path, lib, report: Path, only=()):
    """Runs pytest on `tests` (or the `only` test ids); returns {id: outcome}."""
    # pytest-timeout's SIGALRM ends a test stuck in a blocking call (the
    # call returns EINTR) and the run goes on.
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            f"--timeout={TEST_TIMEOUT_S}", "--timeout-method=signal", f"--junitxml={report}"]
    argv += list(only) or [str(tests)]
    try:
        subprocess.run(argv, cwd=tests.parent, env=environment(lib), timeout=SUITE_TIMEOUT_S,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        print(f"pyzmq suite: a run took over {SUITE_TIMEOUT_S} s", file=sys.stderr)
    if not report.exists():
        return {}
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "")
        path = "tests/" + module.split(".")[1] + ".py" if module.startswith("tests.") else module
        klass = module.split(".")[2] if module.count(".") >= 2 else None
        test_id = "::".join(filter(None, [path, klass, case.get("name")]))
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "skipped"
        outcomes[test_id] = outcome
    return outcomes


def main():
    lib, workdir = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    tests = fetch_tests(workdir)
    prove(lib)
    bundled = run(tests, None, workdir / "bundled.xml")
    ours = run(tests, lib, workdir / "ours.xml")
    if len(bundled) < 100:
        sys.exit(f"pyzmq suite: only {len(bundled)} tests ran on the bundled libzmq")
    missing = [t for t, o in bundled.items() if o == "passed" and ours.get(t) != "passed"]
    # More chances, each test on its own: a real regression fails every time.
    regressions = []
    for test_id in missing:
        for _ in range(RERUNS):
            again = run(tests, lib, workdir / "again.xml", [test_id])
            if again.get(test_id) == "passed":
                break
        else:
            regressions.append(f"{test_id}: {ours.get(test_id, 'not run')}")
    counts = {o: sum(1 for v in ours.values() if v == o) for o in ("passed", "failed", "skipped")}
    base = {o: sum(1 for v in bundled.values() if v == o) for o in ("passed", "failed", "skipped")}
    print(f"pyzmq {zmq.pyzmq_version()} suite, bundled libzmq: {base}")
    print(f"pyzmq {zmq.pyzmq_version()} suite, ours:           {counts}")
    print(f"passed on bundled but not at first on ours: {len(missing)}; still not: {len(regressions)}")
    for line in regressions:
        print("REGRESSION", line)
    sys.exit(1 if regressions else 0)


if __name__ == "__main__":
    main()
