"""Poseidon: circomlibjs's test vectors, native/circuit agreement, and a tampering prover."""

import pytest

from zkmargin.circuits.gadgets import poseidon_hash
from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.poseidon import parameters, poseidon

from helpers import holds, replace_hint, run_circuit

VECTORS = [
    ([1], 18586133768512220936620570745912940619677854269274689475585506675881198879027),
    ([1, 2], 7853200120776062878684798364095072458815029376092732009249414926327459813530),
    ([1, 2, 3, 4], 18821383157269793795438455681495246036402687001665670618754263018637548127333),
    (list(range(1, 17)), 9989051620750914585850546081941653841776809718687451684622678807385399211877),
]


@pytest.mark.parametrize("inputs, expected", VECTORS)
def test_native_matches_circomlibjs_vectors(inputs, expected):
    assert poseidon(inputs) == expected


def test_native_rejects_bad_inputs():
    with pytest.raises(ValueError):
        poseidon([])
    with pytest.raises(ValueError):
        poseidon(list(range(17)))
    with pytest.raises(ValueError):
        poseidon([CURVE_ORDER])


def test_parameters_have_circomlib_shapes():
    p = parameters(3)
    assert p.partial_rounds == 57 and len(p.round_constants) == (8 + 57) * 3 and len(p.mds) == 3


@pytest.mark.parametrize("inputs, expected", VECTORS[:3])
def test_circuit_matches_native(inputs, expected):
    def build(api):
        wires = [api.private_input(f"x{i}", v) for i, v in enumerate(inputs)]
        out = api.public_input("out", expected)
        api.assert_equal(poseidon_hash(api, wires), out)

    _, r1cs, witness, _ = run_circuit(build)
    assert r1cs.first_unsatisfied(witness) is None
    # 3 rows per S-box; the first one acts on the constant 0 + c and folds; +1 for the equality
    assert r1cs.n_constraints == 3 * (8 * (len(inputs) + 1) + parameters(len(inputs) + 1).partial_rounds) - 3 + 1


def test_circuit_rejects_wrong_output_and_tampered_sbox():
    def build(claimed):
        def inner(api):
            x = api.private_input("x", 1)
            y = api.private_input("y", 2)
            api.assert_equal(poseidon_hash(api, [x, y]), api.public_input("out", claimed))

        return inner

    assert holds(build(VECTORS[1][1]))
    assert not holds(build(VECTORS[1][1] + 1))
    # A prover who changes one S-box intermediate (and so the output) is caught.
    tamper = replace_hint("product", lambda v: [(v[0] + 1) % CURVE_ORDER])
    assert not holds(build(VECTORS[1][1]), tamper)
    assert tamper.seen
