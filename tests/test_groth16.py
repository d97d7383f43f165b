"""Groth16 end to end with the reference engine: valid proofs verify, anything altered does not."""

import pytest
from py_ecc import optimized_bn128 as bn

from zkmargin.circuits.r1cs import UnsatisfiedConstraint
from zkmargin.prover import get_engine, prove
from zkmargin.prover.engine import Engine
from zkmargin.verifier import Proof, verify
from zkmargin.verifier.files import FormatError


@pytest.fixture(scope="module")
def proved(solvency_key):
    spec, r1cs, pk = solvency_key
    witness = spec.constraint_system(spec.parse_input(spec.sample_input(), "sample")).witness()
    proof, public = prove(pk, witness, get_engine(), r1cs)
    return pk, witness, proof, public


def test_proof_verifies(proved):
    pk, _, proof, public = proved
    assert verify(pk.verifying_key(), proof, public)


def test_fresh_randomness_each_proof(proved, solvency_key):
    pk, witness, proof, public = proved
    again, _ = prove(pk, witness, get_engine())
    assert again.to_json() != proof.to_json()
    assert verify(pk.verifying_key(), again, public)


def test_altered_proof_or_input_fails(proved):
    pk, _, proof, public = proved
    vk = pk.verifying_key()
    assert not verify(vk, Proof(bn.add(proof.a, bn.G1), proof.b, proof.c), public)
    assert not verify(vk, Proof(proof.a, proof.b, proof.a), public)
    assert not verify(vk, proof, [(public[0] + 1)])
    with pytest.raises(FormatError, match="expects 1 public inputs"):
        verify(vk, proof, public + [1])


class NoCryptoEngine(Engine):
    """Fails the test if any group arithmetic is attempted."""

    name = "no-crypto"

    def _boom(self, *args, **kwargs):
        raise AssertionError("cryptography ran on an unsatisfied witness")

    prepare_g1 = prepare_g2 = msm_g1 = msm_g2 = fixed_base_g1 = fixed_base_g2 = ntt = _boom
    odd_coset = sparse_products = hadamard = hadamard_minus = integers = _boom


def test_unsatisfied_witness_stops_before_cryptography(proved, solvency_key):
    spec, r1cs, pk = solvency_key
    witness = list(proved[1])
    witness[r1cs.wire_names.index("requirement")] = 2_000_000  # more than the collateral
    with pytest.raises(UnsatisfiedConstraint, match=r"constraint #\d+ \(amounts|constraint #\d+ \(solvent|commitment"):
        prove(pk, witness, NoCryptoEngine(), r1cs)


def test_key_for_another_circuit_is_refused(solvency_key):
    from zkmargin.circuits.builder import ConstraintSystem

    _, _, pk = solvency_key
    api = ConstraintSystem()
    api.assert_equal(api.public_input("x", 1), 1)
    with pytest.raises(FormatError, match="run setup"):
        pk.check_matches(api.compile())


def test_key_for_a_same_size_circuit_with_other_coefficients_is_refused(solvency_key, tmp_path):
    """The comparison runs in the .zkey encoding: one changed coefficient is enough, for a
    key still in memory and for one read back from its file."""
    import copy

    from zkmargin.prover import read_zkey, write_zkey
    from zkmargin.verifier.curve import CURVE_ORDER as R

    _, r1cs, pk = solvency_key
    other = copy.deepcopy(r1cs)
    row = other.constraints[len(other.constraints) // 2]
    wire = next(iter(row.a))
    row.a[wire] = (row.a[wire] + 1) % R
    write_zkey(pk, tmp_path / "k.zkey")
    for key in (pk, read_zkey(tmp_path / "k.zkey")):
        key.check_matches(r1cs)
        with pytest.raises(FormatError, match="different circuit of the same size"):
            key.check_matches(other)


@pytest.mark.parametrize(
    "constraints, public, size", [(0, 0, 1), (1, 0, 2), (2, 1, 4), (5, 2, 8), (6, 2, 16), (14, 1, 16), (15, 1, 32)]
)
def test_domain_holds_the_constraints_and_a_row_per_public_wire(constraints, public, size):
    """snarkjs's rule: the smallest power of two >= constraints + public inputs + 1."""
    from zkmargin.circuits.r1cs import R1CS, Constraint
    from zkmargin.prover.groth16 import coefficients_of, domain_size

    r1cs = R1CS(public + 1, public, 0, [Constraint({0: 1}, {0: 1}, {0: 1})] * constraints)
    assert domain_size(r1cs) == size
    extra = coefficients_of(r1cs)[2 * constraints :]
    assert extra == [(0, constraints + s, s, 1) for s in range(public + 1)]
