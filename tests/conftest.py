"""Shared fixtures: keys are expensive with the reference engine, so each is made once per session."""

import os
import tempfile
from pathlib import Path

import pytest

# Compiled witness programs (api/witness.py) are cached in a folder of the session's own, not
# the user's ~/.cache; subprocesses (the CLI tests) inherit it.
os.environ.setdefault("ZKMARGIN_CACHE", tempfile.mkdtemp(prefix="zkmargin-cache-"))

DATA = Path(__file__).parent / "data"
#: CLI options for the tiny test market: 2 instruments, 1 collateral asset, occ10's 10 scenarios.
TINY = [
    "--market",
    str(DATA / "tiny_market.json"),
    "--model",
    "occ10",
    "--positions",
    "2",
    "--collateral",
    "1",
    "--scenarios",
    "10",
    "--groups",
    "1",
]


@pytest.fixture(scope="session")
def solvency_key():
    """One development setup of the minimal circuit, shared by the proving tests."""
    from zkmargin.circuits import solvency_basic
    from zkmargin.prover import get_engine, setup

    spec = solvency_basic
    r1cs = spec.r1cs()
    return spec, r1cs, setup(r1cs, get_engine())


@pytest.fixture(scope="session")
def tiny_margin_bundle(tmp_path_factory):
    """Keys for the 2x1x10 portfolio-margin circuit and one bundle, proven through the library API."""
    from zkmargin import api

    root = tmp_path_factory.mktemp("tiny-margin")
    capacity = api.MarginCapacity(2, 1, 10)
    keys = api.setup_keys(capacity, root / "keys")
    (root / "tiny.zkey").symlink_to(keys.zkey)
    case = api.load_case(DATA / "tiny_portfolio.json", DATA / "tiny_market.json", "occ10", capacity)
    api.prove_case(case, keys.zkey, root / "bundle")
    return root


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-seconds",
        type=float,
        default=None,
        metavar="N",
        help="Run each reader's fuzz test for about N seconds [default: a few seconds in all].",
    )


@pytest.fixture(scope="session")
def fuzz_seconds(request) -> float | None:
    """The --fuzz-seconds budget per fuzz test, or None for the short default run."""
    return request.config.getoption("--fuzz-seconds")
