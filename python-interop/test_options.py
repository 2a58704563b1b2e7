"""zmq_setsockopt/zmq_getsockopt behave as libzmq's: the same probe (a table
of options, values and socket types; see options_probe.py) runs under
pyzmq's bundled libzmq and under ours, and the answers must match line for
line: accepted or errno, and the value read back."""

import subprocess
import sys
from pathlib import Path

from conftest import assert_proved, clean_env, preloaded_env

HERE = Path(__file__).resolve().parent
PROBE = HERE / "options_probe.py"

# Write-only in libzmq (getsockopt: EINVAL), readable here: the only
# differences allowed.
READABLE_HERE = {"REQ_CORRELATE", "REQ_RELAXED", "ROUTER_MANDATORY"}


def probe(env):
    env["PYTHONPATH"] = str(HERE)
    result = subprocess.run(
        [sys.executable, str(PROBE)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    if "ZMQ_PROVE_LIB" in env:
        assert_proved(result.stdout)
    return [line for line in result.stdout.splitlines() if not line.startswith("PROOF")]


def test_options_answer_as_libzmq_does():
    theirs = probe(clean_env())
    ours = probe(preloaded_env())
    assert len(theirs) == len(ours) > 500
    differences = []
    for t, o in zip(theirs, ours):
        if t == o:
            continue
        name = t.split()[1]
        if name in READABLE_HERE and t.endswith("ok errno 22") and o.split()[:4] == t.split()[:4]:
            continue
        differences.append(f"libzmq: {t}\n  ours: {o}")
    assert not differences, "\n".join(differences)
