"""The benchmark's synthetic circuits fill the domain they are asked for and are satisfied."""

import pytest

from benchmarks.circuits import build
from zkmargin.prover.groth16 import domain_size


@pytest.mark.parametrize("shape", ["dense", "range"])
def test_shapes_fill_the_requested_domain(shape):
    r1cs, witness = build(shape, 1 << 9)
    assert domain_size(r1cs) == 1 << 9 and r1cs.n_constraints > (1 << 9) - 70
    assert r1cs.first_unsatisfied(witness) is None
    small = sum(1 for v in witness if v in (0, 1))
    assert (small > len(witness) // 2) == (shape == "range")


def test_unknown_shape_is_refused():
    with pytest.raises(ValueError, match="unknown shape"):
        build("sparse", 1 << 9)
