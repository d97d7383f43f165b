"""The builder: constant folding, wire order, refusing unconstrained wires, and an independent check with galois."""

import galois
import numpy as np
import pytest

from zkmargin.circuits.builder import CircuitError, ConstraintSystem, LinearCombination
from zkmargin.circuits.gadgets import assert_less_or_equal, select
from zkmargin.verifier.curve import CURVE_ORDER as R

from helpers import run_circuit


def test_linear_combinations_fold_constants_and_cancel():
    api = ConstraintSystem()
    x = api.private_input("x", 3)
    expr = 2 * x + 5 - x - x
    assert expr.is_constant() and expr.constant_value == 5
    assert api.value(3 * x - 1) == 8
    assert api.value(-x) == R - 3
    with pytest.raises(TypeError):
        x * x  # not linear


def test_mul_by_constant_is_free_and_wire_product_costs_one_row():
    api = ConstraintSystem()
    x, y = api.private_input("x", 3), api.private_input("y", 4)
    api.mul(x, 7)
    z = api.mul(x, y)
    api.assert_equal(z, 12)
    assert api.n_constraints == 2


def test_wire_order_is_one_public_private_internal():
    def build(api):
        x = api.private_input("x", 2)
        out = api.public_input("out", 4)
        api.assert_equal(api.mul(x, x), out)

    _, r1cs, witness, _ = run_circuit(build)
    assert r1cs.wire_names[:3] == ["one", "out", "x"]
    assert witness[:3] == [1, 4, 2]
    assert (r1cs.n_public, r1cs.n_private_inputs) == (1, 1)


def test_unconstrained_wire_is_refused():
    api = ConstraintSystem()
    api.private_input("forgotten", 1)
    with pytest.raises(CircuitError, match="forgotten"):
        api.compile()


def test_false_constant_constraint_is_a_circuit_error():
    with pytest.raises(CircuitError):
        ConstraintSystem().assert_equal(LinearCombination.constant(1), 2)


def test_witness_needs_values():
    api = ConstraintSystem()
    api.assert_equal(api.private_input("x"), 1)
    with pytest.raises(CircuitError, match="no value"):
        api.witness()


def test_failing_constraint_is_named():
    def build(api):
        with api.scope("solvent"):
            assert_less_or_equal(api, api.private_input("req", 9), api.private_input("col", 5), 8)

    _, r1cs, witness, _ = run_circuit(build)
    index = r1cs.first_unsatisfied(witness)
    assert index is not None and r1cs.constraints[index].label.startswith("solvent/assert_le8")


def galois_satisfied(r1cs, witness) -> bool:
    """R1CS satisfaction computed independently with galois field arrays."""
    GF = galois.GF(R, primitive_element=5, verify=False)

    def matrix(pick):
        m = GF.Zeros((r1cs.n_constraints, r1cs.n_wires))
        for i, con in enumerate(r1cs.constraints):
            for wire, coef in pick(con).items():
                m[i, wire] = coef
        return m

    w = GF(np.array(witness, dtype=object))
    a, b, c = (matrix(p) @ w for p in (lambda k: k.a, lambda k: k.b, lambda k: k.c))
    return bool(np.all(a * b == c))


@pytest.mark.parametrize("cond, claimed, ok", [(1, 10, True), (0, 20, True), (1, 20, False)])
def test_satisfaction_agrees_with_galois(cond, claimed, ok):
    def build(api):
        c = api.private_input("c", cond)
        out = select(api, c, api.private_input("t", 10), api.private_input("f", 20))
        api.assert_equal(out, api.public_input("claimed", claimed))

    _, r1cs, witness, _ = run_circuit(build)
    assert (r1cs.first_unsatisfied(witness) is None) is ok
    assert galois_satisfied(r1cs, witness) is ok
