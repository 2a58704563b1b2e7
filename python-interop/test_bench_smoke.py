"""The benchmark programs and their runner work, on tiny counts (the real
runs are `make bench`)."""

import re
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT


@pytest.mark.parametrize("impl", ["ours", "sys"])
@pytest.mark.parametrize(
    "program,size,count,pattern",
    [
        ("throughput", 65536, 200, r"^throughput size=65536 count=200 .*msgs_per_s=\d+ "),
        ("throughput", 64, 2000, r"^throughput size=64 count=2000 .*cpu_us_per_msg=[\d.]+$"),
        ("latency", 64, 200, r"^latency size=64 count=200 avg_us=[\d.]+ p50_us=[\d.]+ p99_us=[\d.]+$"),
    ],
)
def test_bench_program(launcher, impl, program, size, count, pattern):
    out = launcher.finish(launcher.start(impl, program, "tcp://127.0.0.1:*", size, count))
    assert re.search(pattern, out, re.M), out


def test_bench_runner_prints_a_table():
    done = subprocess.run(
        [sys.executable, str(ROOT / "c-examples/bench/run.py"), "--ours", str(BUILD["ours"]),
         "--sys", str(BUILD["sys"]), "--rounds", "1", "--scale", "0.001"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| case | ours | libzmq | ours/libzmq |")
    assert len(rows) == 2 + 3 * 3 + 2, done.stdout
