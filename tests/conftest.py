"""Shared fixtures."""

import pytest


@pytest.fixture(scope="session")
def solvency_key():
    """One development setup of the minimal circuit, shared by the proving tests."""
    from zkmargin.circuits import solvency_basic
    from zkmargin.prover import get_engine, setup

    spec = solvency_basic
    r1cs = spec.r1cs()
    return spec, r1cs, setup(r1cs, get_engine())
