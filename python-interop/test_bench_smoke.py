"""The benchmark programs and their runner work, on tiny counts (the real
runs are `make bench`)."""

import re
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT


NUMBER = r"[\d.]+"
COST = rf"cpu_us_per_msg={NUMBER} csw_per_msg={NUMBER}"


@pytest.mark.parametrize("impl", ["ours", "sys"])
@pytest.mark.parametrize(
    "program,args,pattern",
    [
        ("throughput", [65536, 200], r"^throughput size=65536 count=200 .*msgs_per_s=\d+ "),
        (
            "throughput",
            [64, 2000],
            rf"^throughput size=64 count=2000 .*{COST} peak_rss_mib={NUMBER}$",
        ),
        ("throughput", [1 << 20, 20], r"^throughput size=1048576 count=20 .*mb_per_s=[\d.]+ "),
        (
            "latency",
            [64, 200],
            rf"^latency size=64 count=200 avg_us={NUMBER} p50_us={NUMBER} p99_us={NUMBER} {COST}$",
        ),
        ("latency", [65536, 50], rf"^latency size=65536 count=50 avg_us={NUMBER} .*p99_us="),
        (
            "fanout",
            [64, 2000, 10],
            rf"^fanout size=64 count=2000 subscribers=10 seconds={NUMBER} msgs_per_s=\d+ {COST}$",
        ),
        (
            "connections",
            [50, 5],
            rf"^connections mode=busy dealers=50 backlog=\d+ requests=5 seconds={NUMBER} "
            rf"requests_per_s=\d+ {COST} peak_rss_mib={NUMBER}$",
        ),
        (
            "connections",
            [50, "idle"],
            rf"^connections mode=idle dealers=50 backlog=\d+ seconds={NUMBER} peak_rss_mib={NUMBER}$",
        ),
        ("proxy", [64, 1000], rf"^proxy size=64 count=1000 seconds={NUMBER} msgs_per_s=\d+ {COST}$"),
        (
            "churn",
            [50, 3],
            rf"^churn dealers=50 rounds=3 seconds={NUMBER} rss_mib={NUMBER} peak_rss_mib={NUMBER}$",
        ),
        ("throughput", [1024, 2000, "curve"], rf"^throughput size=1024 count=2000 .*msgs_per_s="),
        ("latency", [64, 200, "curve"], rf"^latency size=64 count=200 avg_us={NUMBER} "),
    ],
    ids=[
        "throughput-64KiB",
        "throughput-64B",
        "throughput-1MiB",
        "latency-64B",
        "latency-64KiB",
        "fanout",
        "connections-busy",
        "connections-idle",
        "proxy",
        "churn",
        "curve-throughput-1KiB",
        "curve-latency-64B",
    ],
)
def test_bench_program(launcher, impl, program, args, pattern):
    out = launcher.finish(launcher.start(impl, program, "tcp://127.0.0.1:*", *args))
    assert re.search(pattern, out, re.M), out


def test_bench_runner_prints_a_table():
    done = subprocess.run(
        [sys.executable, str(ROOT / "c-examples/bench/run.py"), "--ours", str(BUILD["ours"]),
         "--sys", str(BUILD["sys"]), "--rounds", "1", "--scale", "0.001"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    table, floors = done.stdout.split("\nFloors of issue 3")
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| case | ours | libzmq | ours/libzmq |")
    # tcp throughput: 4 sizes x 4 metrics + peak RSS; latency: 2 sizes x 4;
    # fan-out: 3; connections: 4 busy + 1 idle; churn: 2; ipc and inproc
    # each: throughput 2 sizes x 4, latency 4; proxy: 3; CURVE: throughput
    # 2 sizes x 4, latency 4. Every tcp and ipc throughput and latency row
    # (CURVE's too) again in two processes: 17 + 8 + 12 + 12 more.
    one_process = 2 + 17 + 8 + 3 + 5 + 2 + 2 * (8 + 4) + 3 + (8 + 4)
    # The scale rows, in several processes: DEALERs to a ROUTER 4, PUB to
    # 50 SUBs 3. tcp 64 B throughput in two processes again with its threads
    # pinned, in two placements (5 rows each), where the machine can pin.
    pinned = [row for row in rows if "(2 processes, pinned: " in row]
    assert len(pinned) in (0, 2 * 5)
    assert len(rows) == one_process + 17 + 8 + 12 + 12 + 4 + 3 + len(pinned), done.stdout
    assert sum(" (2 processes), " in row for row in rows) == 17 + 8 + 12 + 12
    marks = [line for line in floors.splitlines() if line.startswith("| ")][2:]
    # The proxy and pinned rows have no floor; the two-process rows have the
    # same floors.
    assert len(marks) == 17 + 2 + 2 * 6 + 6 + (9 + 4 + 6 + 6) + 3 + 1
    assert not any(line.startswith("| proxy") or "pinned" in line for line in marks)
    assert all(line.endswith((" met |", " NOT met |")) for line in marks)


def test_a_held_sender_stays_connected_until_its_input_closes():
    binary = str(BUILD["ours"] / "throughput")
    receiver = subprocess.Popen([binary, "ipc://*", "64", "2000", "null", "bind"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=ROOT / "build")
    address = receiver.stdout.readline().split()[1]
    sender = subprocess.Popen([binary, address, "64", "2000", "null", "connect", "hold"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        out, _ = receiver.communicate(timeout=30)
        assert receiver.returncode == 0 and "count=2000" in out, out
        with pytest.raises(subprocess.TimeoutExpired):
            sender.wait(timeout=0.5)
        sent, _ = sender.communicate(input="", timeout=30)
        assert sender.returncode == 0 and sent.startswith("throughput-part"), sent
    finally:
        sender.kill()
        receiver.kill()


def test_pingpong_times_plain_tcp_round_trips():
    for mode in ("block", "spin"):
        done = subprocess.run([str(ROOT / "build/pingpong"), "200", mode],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        assert re.fullmatch(rf"pingpong mode={mode} count=200 avg_us={NUMBER}\n", done.stdout)
    # A count that is no number is refused, not run as zero round trips.
    done = subprocess.run([str(ROOT / "build/pingpong"), "block"], capture_output=True, text=True)
    assert done.returncode == 2 and "usage" in done.stderr
