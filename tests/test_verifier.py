"""The standalone verifier refuses every malformed or hostile input with a one-line reason."""

import copy
import json

import pytest
from py_ecc import optimized_bn128 as bn

from zkmargin.prover import get_engine, prove
from zkmargin.verifier import CURVE_ORDER, FIELD_MODULUS, Proof, VerifyingKey, parse_public_signals, read_json
from zkmargin.verifier.files import FormatError

Q = FIELD_MODULUS


@pytest.fixture(scope="module")
def files(solvency_key):
    spec, r1cs, pk = solvency_key
    witness = spec.constraint_system(spec.parse_input(spec.sample_input(), "sample")).witness()
    proof, public = prove(pk, witness, get_engine(), r1cs)
    return pk.verifying_key().to_json(), proof.to_json(), [str(v) for v in public]


def fq2_sqrt(a: bn.FQ2):
    """Square root in Fq2 for q = 3 mod 4, or None (Adj and Rodriguez-Henriquez, alg. 9)."""
    a1 = a ** ((Q - 3) // 4)
    alpha = a1 * a1 * a
    x0 = a1 * a
    if alpha == bn.FQ2([Q - 1, 0]):
        root = bn.FQ2([0, 1]) * x0
    else:
        root = (alpha + bn.FQ2.one()) ** ((Q - 1) // 2) * x0
    return root if root * root == a else None


def twist_point_outside_subgroup():
    """A point on y^2 = x^3 + b2 that is not in the order-r subgroup (the cofactor is huge)."""
    for x0 in range(1, 100):
        x = bn.FQ2([x0, 1])
        y = fq2_sqrt(x**3 + bn.b2)
        if y is not None:
            point = (x, y, bn.FQ2.one())
            assert bn.is_on_curve(point, bn.b2)
            if not bn.is_inf(bn.multiply(point, CURVE_ORDER)):
                return [[str(c) for c in x.coeffs], [str(c) for c in y.coeffs], ["1", "0"]]
    raise AssertionError("no point found")


def test_valid_files_parse_and_verify(files):
    from zkmargin.verifier import verify

    vk, proof, public = files
    assert verify(VerifyingKey.from_json(vk), Proof.from_json(proof), parse_public_signals(public))


def test_malformed_json(tmp_path):
    bad = tmp_path / "proof.json"
    bad.write_text('{"pi_a": [1, 2')
    with pytest.raises(FormatError, match="malformed JSON at line 1"):
        read_json(bad)


def test_public_input_at_or_above_r():
    with pytest.raises(FormatError, match="below the field modulus"):
        parse_public_signals([str(CURVE_ORDER)])
    with pytest.raises(FormatError, match="whole number"):
        parse_public_signals(["-1"])
    with pytest.raises(FormatError, match="whole number"):
        parse_public_signals(["0x10"])


def test_point_not_on_curve(files):
    _, proof, _ = files
    bad = copy.deepcopy(proof)
    bad["pi_a"][1] = str((int(bad["pi_a"][1]) + 1) % Q)
    with pytest.raises(FormatError, match="pi_a is not on the BN254 curve"):
        Proof.from_json(bad)
    bad = copy.deepcopy(proof)
    bad["pi_c"][0] = str(Q)
    with pytest.raises(FormatError, match="not a base-field element"):
        Proof.from_json(bad)


def test_g2_point_outside_subgroup(files):
    _, proof, _ = files
    bad = copy.deepcopy(proof)
    bad["pi_b"] = twist_point_outside_subgroup()
    with pytest.raises(FormatError, match="not in the prime-order subgroup"):
        Proof.from_json(bad)


def test_wrong_shapes_and_fields(files):
    vk, proof, _ = files
    for mutate, message in [
        (lambda p: p.pop("pi_b"), "missing field 'pi_b'"),
        (lambda p: p.update(protocol="plonk"), "expected 'groth16'"),
        (lambda p: p.update(pi_a=[1, 2]), "list of 3"),
        (lambda p: p.update(pi_a=["1", "2", "2"]), "affine"),
    ]:
        bad = copy.deepcopy(proof)
        mutate(bad)
        with pytest.raises(FormatError, match=message):
            Proof.from_json(bad)
    bad_vk = copy.deepcopy(vk)
    bad_vk["nPublic"] = 2
    with pytest.raises(FormatError, match="IC must list"):
        VerifyingKey.from_json(bad_vk)


def test_key_round_trips_through_json(files):
    vk, _, _ = files
    assert VerifyingKey.from_json(json.loads(json.dumps(vk))).to_json() == vk
