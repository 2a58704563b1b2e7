"""Each program is built twice, and each copy loads the library it claims:
build/ours/* our libzmq.so.5 (from OURS_LIB), build/sys/* the system one.
Without this, every interop test could silently be libzmq against libzmq."""

import re
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD, OURS_LIB, ROOT

SOURCES = sorted(ROOT.glob("c-examples/*.c*")) + sorted(ROOT.glob("c-examples/bench/*.c"))
PROGRAMS = [source.stem for source in SOURCES]


def loaded_libzmq(binary):
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run `make examples`")
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, timeout=10).stdout
    match = re.search(r"^\s*libzmq\.so\.5 => (\S+)", out, re.M)
    assert match, f"{binary} does not load libzmq.so.5:\n{out}"
    return Path(match.group(1))


def test_there_are_programs():
    assert {"server", "client_get-time-of-day", "errors"} <= set(PROGRAMS)


@pytest.mark.parametrize("program", PROGRAMS)
def test_ours_loads_our_library(program):
    assert loaded_libzmq(BUILD["ours"] / program).parent.resolve() == OURS_LIB.resolve()


@pytest.mark.parametrize("program", PROGRAMS)
def test_sys_loads_the_system_library(program):
    assert loaded_libzmq(BUILD["sys"] / program).parent.resolve() != OURS_LIB.resolve()
