"""Groth16 proving, computed as snarkjs computes it (H on the odd coset, no division by Z).

With random r and s:
  A = sum w_i A_i + alpha + r delta            (G1)
  B = sum w_i B_i + beta + s delta             (G2, and B1 in G1 for C)
  C = sum_private w_i C_i + sum h_i H_i + s A + r B1 - r s delta
where h_i = a_i b_i - c_i on the odd points of the doubled domain (the bases H_i carry
the rest of h(tau) Z(tau) / delta, see Domain.odd_lagrange_of_double_at).
"""

from __future__ import annotations

import secrets
from typing import Sequence

from py_ecc import optimized_bn128 as bn

from zkmargin.circuits.r1cs import R1CS
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import g1_from_affine, g2_from_affine
from zkmargin.verifier.formats import Proof

from .engine import Engine, G1Affine, G2Affine
from .progress import Phases
from .zkey import ProvingKey


def _g1(p: G1Affine):
    return bn.Z1 if p is None else g1_from_affine(*p)


def _g2(p: G2Affine):
    return bn.Z2 if p is None else g2_from_affine(*p)


def quotient_evaluations(pk: ProvingKey, witness: Sequence[int], engine: Engine) -> list[int]:
    """h_i = a_i b_i - c_i on the odd coset, from section-4 coefficients and the witness."""
    n = pk.domain_size
    a, b = [0] * n, [0] * n
    for matrix, row, wire, coef in pk.coefficients:
        target = a if matrix == 0 else b
        target[row] = (target[row] + coef * witness[wire]) % R
    c = [x * y % R for x, y in zip(a, b)]
    a_odd, b_odd, c_odd = (engine.odd_coset(v) for v in (a, b, c))
    return [(x * y - z) % R for x, y, z in zip(a_odd, b_odd, c_odd)]


def prove(
    pk: ProvingKey,
    witness: Sequence[int],
    engine: Engine,
    r1cs: R1CS | None = None,
    phases: Phases | None = None,
) -> tuple[Proof, list[int]]:
    """A proof and its public inputs. With ``r1cs``, an unsatisfied witness is refused
    (naming the first failing constraint) before any group operation."""
    phases = phases or Phases()
    if len(witness) != pk.n_vars:
        raise ValueError(f"witness has {len(witness)} values, the proving key expects {pk.n_vars}")
    if r1cs is not None:
        with phases.phase("check witness"):
            r1cs.check(witness)
    with phases.phase("H (NTT on the coset)"):
        h = quotient_evaluations(pk, witness, engine)
    with phases.phase("MSM A (G1)"):
        a_sum = engine.msm_g1(engine.prepare_g1(pk.a), witness)
    with phases.phase("MSM B (G2)"):
        b2_sum = engine.msm_g2(engine.prepare_g2(pk.b2), witness)
    with phases.phase("MSM B1 (G1)"):
        b1_sum = engine.msm_g1(engine.prepare_g1(pk.b1), witness)
    with phases.phase("MSM C (G1)"):
        c_sum = engine.msm_g1(engine.prepare_g1(pk.c), witness[pk.n_public + 1 :])
    with phases.phase("MSM H (G1)"):
        h_sum = engine.msm_g1(engine.prepare_g1(pk.h), h)
    with phases.phase("assemble"):
        r, s = secrets.randbelow(R), secrets.randbelow(R)
        delta_1 = _g1(pk.delta_1)
        a = bn.add(bn.add(_g1(a_sum), _g1(pk.alpha_1)), bn.multiply(delta_1, r))
        b = bn.add(bn.add(_g2(b2_sum), _g2(pk.beta_2)), bn.multiply(_g2(pk.delta_2), s))
        b1 = bn.add(bn.add(_g1(b1_sum), _g1(pk.beta_1)), bn.multiply(delta_1, s))
        c = bn.add(_g1(c_sum), _g1(h_sum))
        c = bn.add(c, bn.multiply(a, s))
        c = bn.add(c, bn.multiply(b1, r))
        c = bn.add(c, bn.multiply(delta_1, (-r * s) % R))
    return Proof(a, b, c), list(witness[1 : pk.n_public + 1])
