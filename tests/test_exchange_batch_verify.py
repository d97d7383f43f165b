"""Groth16 batch verification: all valid proofs pass together; bad ones are named by bisection."""

from __future__ import annotations

import pytest
from py_ecc import optimized_bn128 as bn

from zkmargin.prover import get_engine, prove, setup
from zkmargin.verifier import Proof
from zkmargin.verifier.exchange.batch_verify import batch_verify
from zkmargin.verifier.files import FormatError


@pytest.fixture(scope="module")
def items(solvency_key):
    spec, r1cs, pk = solvency_key
    other = setup(r1cs, get_engine())  # a second key: proofs of several tiers in one call
    out = []
    for i, key in enumerate((pk, pk, pk, other, pk, other)):
        inputs = {"collateral": 500 + i, "requirement": 100 + i, "salt": 7 * i + 1}
        proof, public = prove(key, spec.constraint_system(inputs).witness(), get_engine(), r1cs)
        out.append((key.verifying_key(), proof, public))
    return out


def test_valid_proofs_verify_as_a_batch(items):
    assert batch_verify(items) == []
    assert batch_verify(items[:1]) == []


def test_bisection_names_each_bad_proof(items):
    bad = list(items)
    vk, proof, public = bad[2]
    bad[2] = (vk, proof, [(public[0] + 1) % bn.curve_order])  # a proof moved to other public inputs
    vk, proof, public = bad[5]
    bad[5] = (vk, Proof(bn.add(proof.a, bn.G1), proof.b, proof.c), public)  # an altered proof
    bad[0] = (items[3][0], items[0][1], items[0][2])  # a proof checked under another tier's key
    assert batch_verify(bad) == [0, 2, 5]


def test_two_proofs_that_cancel_do_not_pass_together(items):
    """Swapping the C points of two proofs keeps sum C the same with equal weights; random weights catch it."""
    (vk, p0, x0), (_, p1, x1) = items[0], items[1]
    swapped = [(vk, Proof(p0.a, p0.b, p1.c), x0), (vk, Proof(p1.a, p1.b, p0.c), x1)]
    assert batch_verify(swapped) == [0, 1]


def test_unusable_public_inputs_are_format_errors(items):
    vk, proof, public = items[0]
    with pytest.raises(FormatError):
        batch_verify([items[1], (vk, proof, public + [1])])
    with pytest.raises(FormatError):
        batch_verify([items[1], (vk, proof, [bn.curve_order])])
