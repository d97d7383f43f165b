"""Groth16 proving, computed as snarkjs computes it (H on the odd coset, no division by Z).

With random r and s:
  A = sum w_i A_i + alpha + r delta            (G1)
  B = sum w_i B_i + beta + s delta             (G2, and B1 in G1 for C)
  C = sum_private w_i C_i + sum h_i H_i + s A + r B1 - r s delta
where h_i = a_i b_i - c_i on the odd points of the doubled domain (the bases H_i carry
the rest of h(tau) Z(tau) / delta, see reduction.h_bases_at).
"""

from __future__ import annotations

import secrets
from typing import Sequence

import numpy as np
from py_ecc import optimized_bn128 as bn

from zkmargin.circuits.r1cs import R1CS
from zkmargin.circuits.witness_program import limb_integers
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import g1_from_affine
from zkmargin.verifier.formats import Proof

from ..engine import Engine, G1Affine, G2Affine
from ..key_checks import g2_point
from ..mapped import release
from ..progress import Phases
from .reduction import quotient_evaluations
from .zkey import ProvingKey


def _g1(p: G1Affine):
    return bn.Z1 if p is None else g1_from_affine(*p)


def _g2(p: G2Affine):
    return g2_point(p, "the proof's B")


def _done_with(section) -> None:
    """A key section's phase is over: its pages leave this process (see mapped.py)."""
    release(getattr(section, "data", None))


def prove(
    pk: ProvingKey,
    witness: Sequence[int] | np.ndarray,
    engine: Engine,
    r1cs: R1CS | None = None,
    phases: Phases | None = None,
) -> tuple[Proof, list[int]]:
    """A proof and its public inputs. With ``r1cs``, an unsatisfied witness is refused
    (naming the first failing constraint) before any group operation. The witness is a list
    of integers or a compiled witness array (the engine's scalar form, passed through)."""
    phases = phases or Phases()
    if isinstance(witness, np.ndarray):  # compiled (api/witness.py): (n_vars, 4) standard-form limbs
        public = limb_integers(witness[1 : pk.n_public + 1])
        if r1cs is not None:
            witness = limb_integers(witness)
    else:
        public = [v % R for v in witness[1 : pk.n_public + 1]]
    if len(witness) != pk.n_vars:
        raise ValueError(f"witness has {len(witness)} values, the proving key expects {pk.n_vars}")
    if r1cs is not None:
        with phases.phase("check witness"):
            r1cs.check(witness)
    with phases.phase("witness to scalars"):
        scalars = engine.prepare_scalars(witness)  # once: H and four MSMs read it
    with phases.phase("H (NTT on the coset)"):
        h = quotient_evaluations(engine, pk.coefficients, scalars, pk.domain_size)
    _done_with(pk.coefficients)
    with phases.phase("MSM A (G1)"):
        a_sum = engine.msm_g1(engine.prepare_g1(pk.a), scalars)
    _done_with(pk.a)
    with phases.phase("MSM B (G2)"):
        b2_sum = engine.msm_g2(engine.prepare_g2(pk.b2), scalars)
    _done_with(pk.b2)
    with phases.phase("MSM B1 (G1)"):
        b1_sum = engine.msm_g1(engine.prepare_g1(pk.b1), scalars)
    _done_with(pk.b1)
    with phases.phase("MSM C (G1)"):
        c_sum = engine.msm_g1(engine.prepare_g1(pk.c), scalars[pk.n_public + 1 :])
    _done_with(pk.c)
    with phases.phase("MSM H (G1)"):
        h_sum = engine.msm_g1(engine.prepare_g1(pk.h), h)
    _done_with(pk.h)
    with phases.phase("assemble"):
        # A = a_sum + alpha + r delta, B = b_sum + beta + s delta (and B1 in G1),
        # C = c_sum + h_sum + s A + r B1 - r s delta: small MSMs over the key's points.
        r, s = secrets.randbelow(R), secrets.randbelow(R)
        g1 = engine.prepare_g1([a_sum, pk.alpha_1, pk.delta_1])
        a = engine.msm_g1(g1, [1, 1, r])
        b = engine.msm_g2(engine.prepare_g2([b2_sum, pk.beta_2, pk.delta_2]), [1, 1, s])
        b1 = engine.msm_g1(engine.prepare_g1([b1_sum, pk.beta_1, pk.delta_1]), [1, 1, s])
        c = engine.msm_g1(engine.prepare_g1([c_sum, h_sum, a, b1, pk.delta_1]), [1, 1, s, r, (-r * s) % R])
        proof = Proof(_g1(a), _g2(b), _g1(c))
    return proof, public
