#!/usr/bin/env python3
"""Run the benchmark programs against our libzmq and the system libzmq, side
by side, and print a markdown table. Standard library only.

    python3 c-examples/bench/run.py [--ours build/ours] [--sys build/sys] [--rounds 5]

Every case runs once per round on each library, alternating which goes first,
so slow drifts of the machine (other jobs, thermal) hit both alike. The table
shows the median of the rounds and, beside it, the spread: slowest / fastest
round (x1.00 means perfectly steady). Progress goes to stderr, the table to
stdout.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
from pathlib import Path

# (label, program, message size, count)
CASES = [
    ("throughput 64 B", "throughput", 64, 2_000_000),
    ("throughput 1 KiB", "throughput", 1024, 400_000),
    ("throughput 64 KiB", "throughput", 65536, 20_000),
    ("latency 64 B", "latency", 64, 10_000),
]
# What to report of each program: (key in its output, label, unit, higher is better)
METRICS = {
    "throughput": [
        ("msgs_per_s", "messages", "msg/s", True),
        ("mb_per_s", "bytes", "MB/s", True),
        ("cpu_us_per_msg", "CPU per msg", "µs", False),
    ],
    "latency": [
        ("avg_us", "round trip, average", "µs", False),
        ("p99_us", "round trip, 99th percentile", "µs", False),
    ],
}
RUN_TIMEOUT_S = 120


def run_once(binary, size, count):
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "LD_LIBRARY_PATH")}
    done = subprocess.run(
        [str(binary), "tcp://127.0.0.1:*", str(size), str(count)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        env=env,
    )
    if done.returncode != 0:
        sys.exit(f"{binary} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    fields = dict(item.split("=", 1) for item in done.stdout.split()[1:])
    return {key: float(value) for key, value in fields.items()}


def human(value, unit):
    if unit == "msg/s":
        for factor, suffix in ((1e6, "M"), (1e3, "k")):
            if value >= factor:
                return f"{value / factor:.3g} {suffix} {unit}"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", default="build/ours", type=Path)
    parser.add_argument("--sys", default="build/sys", type=Path)
    parser.add_argument("--rounds", default=5, type=int)
    parser.add_argument("--scale", default=1.0, type=float, help="multiply every count")
    args = parser.parse_args()
    libs = {"ours": args.ours, "libzmq": args.sys}
    for directory in libs.values():
        for program in {case[1] for case in CASES}:
            if not (directory / program).exists():
                sys.exit(f"{directory / program} is missing: run `make bench-programs`")

    results = {(case[0], lib): [] for case in CASES for lib in libs}
    for round_number in range(args.rounds):
        order = list(libs) if round_number % 2 == 0 else list(reversed(libs))
        for label, program, size, count in CASES:
            for lib in order:
                count_now = max(2, int(count * args.scale))
                results[(label, lib)].append(run_once(libs[lib] / program, size, count_now))
        print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr, flush=True)

    now = datetime.datetime.now().astimezone().isoformat(timespec="minutes")
    print(f"\n{now}, {os.cpu_count()} cores, {args.rounds} rounds, median (spread = slowest/fastest)\n")
    print("| case | ours | libzmq | ours/libzmq | spread ours | spread libzmq |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, program, _size, _count in CASES:
        for key, metric, unit, higher_is_better in METRICS[program]:
            medians, spreads = {}, {}
            for lib in libs:
                values = [run[key] for run in results[(label, lib)]]
                medians[lib] = statistics.median(values)
                spreads[lib] = max(values) / min(values) if min(values) > 0 else float("inf")
            ratio = medians["ours"] / medians["libzmq"] if medians["libzmq"] else float("inf")
            better = "higher is better" if higher_is_better else "lower is better"
            print(
                f"| {label}, {metric} ({better}) | {human(medians['ours'], unit)} "
                f"| {human(medians['libzmq'], unit)} | {ratio:.2f} "
                f"| x{spreads['ours']:.2f} | x{spreads['libzmq']:.2f} |"
            )


if __name__ == "__main__":
    main()
