"""The reference engine against plain py_ecc, and the domain against galois and direct evaluation."""

import random

import galois
import pytest
from py_ecc import optimized_bn128 as bn

from zkmargin.prover.domain import Domain, root_of_unity
from zkmargin.prover.groth16.reduction import h_bases_at
from zkmargin.prover import get_engine
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import g1_affine, g2_affine

rng = random.Random(7)
engine = get_engine("reference")


def poly_eval(coefficients, x):
    acc = 0
    for c in reversed(coefficients):
        acc = (acc * x + c) % R
    return acc


def test_roots_match_snarkjs():
    assert pow(5, (R - 1) >> 28, R) == root_of_unity(28)
    assert pow(root_of_unity(10), 1 << 10, R) == 1 and pow(root_of_unity(10), 1 << 9, R) != 1


@pytest.mark.parametrize(
    "group, gen, to_affine, msm, prepare",
    [
        ("g1", bn.G1, g1_affine, engine.msm_g1, engine.prepare_g1),
        ("g2", bn.G2, g2_affine, engine.msm_g2, engine.prepare_g2),
    ],
)
def test_msm_matches_scalar_multiplication(group, gen, to_affine, msm, prepare):
    points = [to_affine(bn.multiply(gen, rng.randrange(1, R))) for _ in range(6)]
    points += [points[0], None]  # a duplicate and the identity
    scalars = [0, 1, R - 1, rng.randrange(R), 2, rng.randrange(R), 5, 9]
    expected = bn.Z1 if group == "g1" else bn.Z2
    for p, s in zip(points, scalars):
        if p is not None:
            expected = bn.add(expected, bn.multiply(prepare([p])[0], s))
    assert msm(prepare(points), scalars) == to_affine(expected)
    assert msm(prepare(points), [0] * len(points)) is None


def test_fixed_base_table_matches_multiply():
    scalars = [0, 1, R - 1, 255, 256] + [rng.randrange(R) for _ in range(70)]
    got = engine.fixed_base_g1(scalars)
    assert got[:3] == [None, g1_affine(bn.G1), g1_affine(bn.neg(bn.G1))]
    for s, p in list(zip(scalars, got))[3:12]:
        assert p == g1_affine(bn.multiply(bn.G1, s))


def test_ntt_matches_galois_and_round_trips():
    coefficients = [rng.randrange(R) for _ in range(16)]
    evaluations = engine.ntt(coefficients)
    GF = galois.GF(R, primitive_element=5, verify=False)
    poly = galois.Poly(list(reversed(coefficients)), field=GF)
    omega = root_of_unity(4)
    assert evaluations == [int(poly(GF(pow(omega, i, R)))) for i in range(16)]
    assert engine.ntt(evaluations, inverse=True) == coefficients


def test_odd_coset_evaluates_on_odd_points_of_double_domain():
    coefficients = [rng.randrange(R) for _ in range(8)]
    evaluations = engine.ntt(coefficients)
    odd = engine.odd_coset(evaluations)
    w16 = root_of_unity(4)
    assert odd == [poly_eval(coefficients, pow(w16, 2 * i + 1, R)) for i in range(8)]


def test_lagrange_bases_interpolate_at_tau():
    domain = Domain(8)
    coefficients = [rng.randrange(R) for _ in range(8)]
    tau = rng.randrange(R)
    values = [poly_eval(coefficients, x) for x in domain.elements()]
    assert sum(v * l for v, l in zip(values, domain.lagrange_at(tau))) % R == poly_eval(coefficients, tau)


def test_odd_bases_carry_the_vanishing_polynomial():
    # sum_i h(x_i) L'_{2i+1}(tau) = -h(tau) Z(tau) / 2 on the odd coset (see h_bases_at).
    domain = Domain(8)
    h = [rng.randrange(R) for _ in range(7)]
    tau = rng.randrange(R)
    w16 = root_of_unity(4)
    bases = h_bases_at(domain, tau)
    lhs = sum(poly_eval(h, pow(w16, 2 * i + 1, R)) * l for i, l in enumerate(bases)) % R
    z = (pow(tau, 8, R) - 1) % R
    assert lhs == (-poly_eval(h, tau) * z * pow(2, -1, R)) % R
