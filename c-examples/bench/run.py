#!/usr/bin/env python3
"""Run the benchmark programs against our libzmq and the system libzmq, side
by side, and print a markdown table. Standard library only.

    python3 c-examples/bench/run.py [--ours build/ours] [--sys build/sys]
                                    [--rounds 5] [--scale 1.0] [--only TEXT]

Every case runs once per round on each library, alternating which goes first,
so slow drifts of the machine (other jobs, thermal) hit both alike. The table
shows the median of the rounds and, beside it, the spread: slowest / fastest
round (x1.00 means perfectly steady). CPU time per message (user + system of
every thread of the one benchmark process) and context switches per message
are a second opinion beside the rates and times. After the table, the floors
of issue 3 (ours at least as good as libzmq) are marked met or NOT met; an
unmet floor is reported, not a failure. --scale multiplies every count (for
quick runs). Progress goes to stderr, the table to stdout.
"""

import argparse
import datetime
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ENDPOINT = "tcp://127.0.0.1:*"
RUN_TIMEOUT_S = 120

# What a metric's ratio ours/libzmq should be: the floors for rates
# (>= 1), times and memory (<= 1); CPU and context switches have no floor.
RATE, TIME, MEMORY, COST = "rate", "time", "memory", "cost"
FLOOR = {RATE: ">= 1.00", TIME: "<= 1.00", MEMORY: "<= 1.00"}


class Count:
    """A count argument, multiplied by --scale, never below `least`."""

    def __init__(self, value, least):
        self.value, self.least = value, least

    def scaled(self, scale):
        return max(self.least, int(self.value * scale))


def m(key, label, unit, kind):
    return (key, label, unit, kind)


CPU = m("cpu_us_per_msg", "CPU per msg", "µs", COST)
CSW = m("csw_per_msg", "context switches per msg", "", COST)
THROUGHPUT = [m("msgs_per_s", "messages", "msg/s", RATE), m("mb_per_s", "bytes", "MB/s", RATE), CPU, CSW]
LATENCY = [
    m("avg_us", "round trip, average", "µs", TIME),
    m("p99_us", "round trip, 99th percentile", "µs", TIME),
    m("cpu_us_per_msg", "CPU per round trip", "µs", COST),
    m("csw_per_msg", "context switches per round trip", "", COST),
]
PEAK_RSS = m("peak_rss_mib", "peak RSS", "MiB", MEMORY)

# (label, program, arguments after the endpoint, metrics). A label's {0},
# {1}... are the arguments as run (after --scale).
CASES = [
    ("throughput 64 B", "throughput", [64, Count(2_000_000, 2)], THROUGHPUT + [PEAK_RSS]),
    ("throughput 1 KiB", "throughput", [1024, Count(400_000, 2)], THROUGHPUT),
    ("throughput 64 KiB", "throughput", [65536, Count(20_000, 2)], THROUGHPUT),
    ("throughput 1 MiB", "throughput", [1 << 20, Count(1_500, 2)], THROUGHPUT),
    ("latency 64 B", "latency", [64, Count(10_000, 1)], LATENCY),
    ("latency 64 KiB", "latency", [65536, Count(5_000, 1)], LATENCY),
    (
        "fan-out PUB to {2} SUB, 64 B",
        "fanout",
        [64, Count(200_000, 1), 10],
        [
            m("msgs_per_s", "messages received in total", "msg/s", RATE),
            m("cpu_us_per_msg", "CPU per msg received", "µs", COST),
            m("csw_per_msg", "context switches per msg received", "", COST),
        ],
    ),
    (
        "connections {0} DEALERs x {1} requests",
        "connections",
        [Count(1_000, 10), Count(100, 1)],
        [
            m("seconds", "total time", "s", TIME),
            PEAK_RSS,
            m("cpu_us_per_msg", "CPU per request", "µs", COST),
            m("csw_per_msg", "context switches per request", "", COST),
        ],
    ),
    ("connections {0} idle DEALERs", "connections", [Count(1_000, 10), "idle"], [PEAK_RSS]),
    (
        "churn, {1} rounds of {0} DEALERs connected, answered and closed",
        "churn",
        [Count(1_000, 10), Count(10, 2)],
        [m("rss_mib", "RSS after the last round", "MiB", MEMORY), PEAK_RSS],
    ),
    (
        "proxy PUSH to zmq_proxy to PULL, 64 B",
        "proxy",
        [64, Count(500_000, 500)],
        [m("msgs_per_s", "messages", "msg/s", RATE), CPU, CSW],
    ),
    ("ipc throughput 64 B", "throughput", [64, Count(2_000_000, 2)], THROUGHPUT, "ipc://*"),
    ("ipc throughput 64 KiB", "throughput", [65536, Count(20_000, 2)], THROUGHPUT, "ipc://*"),
    ("ipc latency 64 B", "latency", [64, Count(10_000, 1)], LATENCY, "ipc://*"),
    ("inproc throughput 64 B", "throughput", [64, Count(2_000_000, 2)], THROUGHPUT, "inproc://bench"),
    ("inproc throughput 64 KiB", "throughput", [65536, Count(20_000, 2)], THROUGHPUT, "inproc://bench"),
    ("inproc latency 64 B", "latency", [64, Count(10_000, 1)], LATENCY, "inproc://bench"),
    (
        "connections {1:} DEALERs in {2} processes to one ROUTER, one request each",
        "scale",
        ["router", Count(10_000, 8), 4],
        [
            m("connect_s", "time to connect all", "s", TIME),
            m("round_s", "time for the round", "s", TIME),
            m("rss_per_conn_kib", "ROUTER process peak RSS per connection", "KiB", MEMORY),
            m("cpu_us_per_msg", "CPU per request, all processes", "µs", COST),
        ],
    ),
    (
        "fan-out PUB to {3} SUB in another process, {1} B",
        "scale",
        ["pub", 64, Count(50_000, 10), 50],
        [
            m("msgs_per_s", "messages received in total", "msg/s", RATE),
            m("cpu_us_per_msg", "CPU per msg received, both processes", "µs", COST),
            m("csw_per_msg", "context switches per msg received", "", COST),
        ],
    ),
    ("CURVE throughput 64 B", "throughput", [64, Count(1_000_000, 2), "curve"], THROUGHPUT),
    ("CURVE throughput 1 KiB", "throughput", [1024, Count(300_000, 2), "curve"], THROUGHPUT),
    ("CURVE latency 64 B", "latency", [64, Count(10_000, 1), "curve"], LATENCY),
]


# Programs measured beyond issue 3's table: shown, without a floor.
WITHOUT_FLOOR = {"proxy"}

# Programs that can split their two ends between two processes (the last
# argument: "bind" or "connect"); every tcp and ipc case of theirs also runs
# that way, as its own row right after the one-process row.
SPLITTABLE = {"throughput", "latency"}
TWO_PROCESSES = " (2 processes)"

# Between two processes on this 2-core machine, four busy threads (each
# process's own and its I/O thread) share two cores as the scheduler places
# them, differently from run to run, and the rate of either library swings
# with the placement. These rows hold the placement still, by pinning each
# thread to a core once it has started: the core of (connecting main
# thread, its I/O thread, binding main thread, its I/O thread), as the first
# or second of the cores this runner may use. Shown without a floor: they
# explain the unpinned row, which keeps its own.
PINNED = {
    " (2 processes, pinned: each process on a core of its own)": (0, 0, 1, 1),
    " (2 processes, pinned: each process across both cores)": (0, 1, 1, 0),
}
PINNED_CASES = {"throughput 64 B"}


def cores():
    """The first two cores this process may run on, if it has two."""
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return allowed[:2] if len(allowed) >= 2 and Path("/proc/self/task").is_dir() else None


def can_pin():
    return cores() is not None


def with_two_process_twins(cases):
    out = []
    for case in cases:
        out.append(case)
        if case[1] in SPLITTABLE and not endpoint_of(case).startswith("inproc"):
            twin = list(case)
            twin[0] = case[0] + TWO_PROCESSES
            out.append(tuple(twin))
            if case[0] in PINNED_CASES and endpoint_of(case).startswith("tcp") and can_pin():
                for suffix in PINNED:
                    out.append((case[0] + suffix, *case[1:]))
    return out


def is_split(case):
    return case[0].endswith(TWO_PROCESSES) or placement_of(case) is not None


def placement_of(case):
    return next((cpus for suffix, cpus in PINNED.items() if case[0].endswith(suffix)), None)


def pin(process, main_cpu, io_cpu):
    """Pins a part's main thread and its I/O threads (named ZMQbg/IO/N by
    both libraries) to the given CPUs, waiting up to 2 s for the latter to
    start."""
    deadline = time.monotonic() + 2
    pinned = set()
    while time.monotonic() < deadline:
        try:
            tasks = os.listdir(f"/proc/{process.pid}/task")
        except FileNotFoundError:
            return
        for task in tasks:
            if task in pinned:
                continue
            try:
                name = Path(f"/proc/{process.pid}/task/{task}/comm").read_text().strip()
            except FileNotFoundError:
                continue
            if int(task) == process.pid or name.startswith("ZMQbg/IO"):
                try:
                    os.sched_setaffinity(int(task), {main_cpu if int(task) == process.pid else io_cpu})
                except ProcessLookupError:
                    return
                pinned.add(task)
        if len(pinned) >= 2:
            return
        time.sleep(0.0005)


def arguments(case, scale):
    return [a.scaled(scale) if isinstance(a, Count) else a for a in case[2]]


def label_of(case, scale):
    return case[0].format(*(f"{a:,}" if isinstance(a, int) else a for a in arguments(case, scale)))


def number(text):
    try:
        return float(text)
    except ValueError:
        return text


def endpoint_of(case):
    """A case runs over tcp unless it names another endpoint."""
    return case[4] if len(case) > 4 else ENDPOINT


def clean_env():
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "LD_LIBRARY_PATH")}


def fail(argv, returncode, output):
    how = f"exit status {returncode}"
    if returncode < 0:
        how = f"killed by {signal.Signals(-returncode).name}"
    sys.exit(f"{' '.join(argv)} failed ({how}):\n{output}")


def fields_of(line):
    fields = dict(item.split("=", 1) for item in line.split()[1:] if "=" in item)
    return {key: number(value) for key, value in fields.items()}


def run_once(binary, endpoint, args):
    argv = [str(binary), endpoint, *(str(a) for a in args)]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, env=clean_env()
        )
    except subprocess.TimeoutExpired:
        sys.exit(f"{' '.join(argv)} still running after {RUN_TIMEOUT_S} s")
    if done.returncode != 0:
        fail(argv, done.returncode, done.stdout + done.stderr)
    return fields_of(done.stdout)


def start(argv, stdin=None):
    return subprocess.Popen(
        [str(a) for a in argv], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=clean_env(),
    )


def expect_line(process, word):
    """The next line of a part's output, which must start with `word`."""
    line = process.stdout.readline()
    if not line.startswith(word):
        process.kill()
        fail(process.args, process.wait(), line + process.stderr.read())
    return line


def finish(process):
    try:
        out, errors = process.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        sys.exit(f"{' '.join(process.args)} still running after {RUN_TIMEOUT_S} s")
    if process.returncode != 0:
        fail(process.args, process.returncode, out + errors)
    return fields_of(out.strip().splitlines()[-1])


def run_scale(binary, endpoint, args):
    """The scale rows, in several processes (see scale.c): a ROUTER and
    DEALERs spread over several processes, or a PUB and a process of SUBs."""
    if args[0] == "router":
        connections, processes = args[1], args[2]
        router = start([binary, "router", endpoint, connections])
        address = expect_line(router, "ENDPOINT").split()[1]
        shares = [connections // processes + (i < connections % processes) for i in range(processes)]
        clients = [start([binary, "dealers", address, n], stdin=subprocess.PIPE) for n in shares]
        began = min(fields_of(expect_line(c, "STARTED"))["at"] for c in clients)
        connected = fields_of(expect_line(router, "CONNECTED"))["at"]
        for client in clients:
            client.stdin.write("GO\n")
            client.stdin.flush()
        done = [finish(c) for c in clients]
        served = finish(router)
        cpu = served["cpu_us_per_msg"] * connections + sum(
            d["cpu_us_per_msg"] * n for d, n in zip(done, shares)
        )
        return {
            "connect_s": connected - began,
            "round_s": max(d["round_s"] for d in done),
            "rss_per_conn_kib": served["rss_per_conn_kib"],
            "cpu_us_per_msg": cpu / connections,
        }
    size, count, subscribers = args[1], args[2], args[3]
    pub = start([binary, "pub", endpoint, size, count], stdin=subprocess.PIPE)
    address = expect_line(pub, "ENDPOINT").split()[1]
    subs = start([binary, "subs", address, count, subscribers])
    expect_line(subs, "JOINED")
    pub.stdin.write("GO\n")
    pub.stdin.flush()
    received = finish(subs)
    sent = finish(pub)
    total = count * subscribers
    return {
        "msgs_per_s": received["msgs_per_s"],
        "cpu_us_per_msg": received["cpu_us_per_msg"] + sent["cpu_us_per_msg"] * count / total,
        "csw_per_msg": received["csw_per_msg"] + sent["csw_per_msg"] * count / total,
    }


def run_split(binary, endpoint, args, placement=None):
    """One run in two processes: the binding part first (it prints where it
    listens and, for CURVE, its public key), then the connecting part. The
    measured side's figures stand; CPU time, context switches and peak RSS
    are the two processes' sums. A placement pins their threads (see
    PINNED)."""
    args = [str(a) for a in args]
    size_count, mechanism = args[:2], args[2] if len(args) > 2 else "null"
    bind_argv = [str(binary), endpoint, *size_count, mechanism, "bind"]
    binder = subprocess.Popen(
        bind_argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env()
    )
    try:
        first = binder.stdout.readline().split()
        if first[:1] != ["ENDPOINT"]:
            binder.kill()
            fail(bind_argv, binder.wait(), " ".join(first) + binder.stderr.read())
        address, key = first[1], first[2]
        if mechanism == "curve":
            mechanism = f"curve:{key}"
        if placement:
            pin(binder, *(cores()[i] for i in placement[2:]))
        # "hold": the sender keeps its connection until the receiver has
        # everything (see throughput.c); closing its input lets it go.
        hold = ["hold"] if Path(binary).name == "throughput" else []
        connect_argv = [str(binary), address, *size_count, mechanism, "connect", *hold]
        connecter = start(connect_argv, stdin=subprocess.PIPE)
        if placement:
            pin(connecter, *(cores()[i] for i in placement[:2]))
        try:
            rest, bind_errors = binder.communicate(timeout=RUN_TIMEOUT_S)
            out, errors = connecter.communicate(input="", timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            connecter.kill()
            raise
        if connecter.returncode != 0:
            fail(connect_argv, connecter.returncode, out + errors)
    except subprocess.TimeoutExpired:
        binder.kill()
        sys.exit(f"{' '.join(bind_argv)} still running after {RUN_TIMEOUT_S} s")
    if binder.returncode != 0:
        fail(bind_argv, binder.returncode, rest + bind_errors)
    parts = [fields_of(rest.strip().splitlines()[-1]), fields_of(out.strip().splitlines()[-1])]
    measured = next(p for p in parts if "msgs_per_s" in p or "avg_us" in p)
    merged = dict(measured)
    for key in ("cpu_us_per_msg", "csw_per_msg", "peak_rss_mib"):
        if all(key in p for p in parts):
            merged[key] = sum(p[key] for p in parts)
    return merged


def human(value, unit):
    if unit == "msg/s":
        for factor, suffix in ((1e6, "M"), (1e3, "k")):
            if value >= factor:
                return f"{value / factor:.3g} {suffix} {unit}"
    text = f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    return f"{text} {unit}".rstrip()


def spread(values):
    return max(values) / min(values) if min(values) > 0 else float("inf")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", default="build/ours", type=Path)
    parser.add_argument("--sys", default="build/sys", type=Path)
    parser.add_argument("--rounds", default=5, type=int)
    parser.add_argument("--scale", default=1.0, type=float, help="multiply every count")
    parser.add_argument("--only", help="run only the cases whose label contains this text")
    args = parser.parse_args()
    cases = [case for case in with_two_process_twins(CASES) if args.only is None or args.only in case[0]]
    if not cases:
        sys.exit(f"no case label contains {args.only!r}")
    if args.rounds < 1:
        sys.exit("--rounds must be at least 1")
    libs = {"ours": args.ours, "libzmq": args.sys}
    for directory in libs.values():
        for program in sorted({case[1] for case in cases}):
            if not (directory / program).exists():
                sys.exit(f"{directory / program} is missing: run `make bench-programs`")

    began = time.monotonic()
    now = datetime.datetime.now().astimezone().isoformat(timespec="minutes")
    results = {(index, lib): [] for index in range(len(cases)) for lib in libs}
    for round_number in range(args.rounds):
        order = list(libs) if round_number % 2 == 0 else list(reversed(libs))
        for index, case in enumerate(cases):
            for lib in order:
                binary, endpoint = libs[lib] / case[1], endpoint_of(case)
                arguments_now = arguments(case, args.scale)
                if case[1] == "scale":
                    result = run_scale(binary, endpoint, arguments_now)
                elif is_split(case):
                    result = run_split(binary, endpoint, arguments_now, placement_of(case))
                else:
                    result = run_once(binary, endpoint, arguments_now)
                results[(index, lib)].append(result)
        print(
            f"round {round_number + 1}/{args.rounds} done ({time.monotonic() - began:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    scaled = "" if args.scale == 1 else f", counts scaled by {args.scale:g}"
    print(
        f"\n{now}, {os.cpu_count()} cores, {args.rounds} rounds{scaled}, "
        "median (spread = slowest/fastest); tcp on loopback unless a row names ipc or inproc:\n"
    )
    print("| case | ours | libzmq | ours/libzmq | spread ours | spread libzmq |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    floors = []
    for index, case in enumerate(cases):
        label = label_of(case, args.scale)
        for key, metric, unit, kind in case[3]:
            medians, spreads = {}, {}
            for lib in libs:
                values = [run[key] for run in results[(index, lib)]]
                medians[lib] = statistics.median(values)
                spreads[lib] = spread(values)
            ratio = medians["ours"] / medians["libzmq"] if medians["libzmq"] else float("inf")
            better = "higher is better" if kind == RATE else "lower is better"
            print(
                f"| {label}, {metric} ({better}) | {human(medians['ours'], unit)} "
                f"| {human(medians['libzmq'], unit)} | {ratio:.2f} "
                f"| x{spreads['ours']:.2f} | x{spreads['libzmq']:.2f} |"
            )
            if kind in FLOOR and case[1] not in WITHOUT_FLOOR and placement_of(case) is None:
                met = ratio >= 1.0 if kind == RATE else ratio <= 1.0
                floors.append((f"{label}, {metric}", ratio, FLOOR[kind], met))

    print(
        "\nFloors of issue 3 (ours at least as good as libzmq: ratio >= 1.00 for rates, "
        "<= 1.00 for times and peak RSS; CPU and context switches are a second opinion, "
        "without a floor):\n"
    )
    print("| row | ours/libzmq | floor | |")
    print("| --- | ---: | ---: | --- |")
    for row, ratio, floor, met in floors:
        print(f"| {row} | {ratio:.2f} | {floor} | {'met' if met else 'NOT met'} |")
    print(f"\n{sum(met for *_, met in floors)} of {len(floors)} floors met; "
          f"run time {time.monotonic() - began:.0f} s.")


if __name__ == "__main__":
    main()
