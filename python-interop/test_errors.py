"""API misuse fails with libzmq's errno (c-examples/errors.c), on the system
libzmq (the reference) and on ours."""

import pytest

from conftest import tcp


@pytest.mark.parametrize("impl", ["sys", "ours"])
def test_errors(launcher, impl):
    out = launcher.finish(launcher.start(impl, "errors"))
    assert "FAIL" not in out
    assert out.rstrip().endswith("all checks passed"), out


@pytest.mark.parametrize("impl", ["sys", "ours"])
def test_errors_on_a_given_endpoint(launcher, impl):
    out = launcher.finish(launcher.start(impl, "errors", tcp()))
    assert out.rstrip().endswith("all checks passed"), out
