"""Groth16 verification over BN254 with py_ecc.

The check e(A, B) = e(alpha, beta) * e(IC(x), gamma) * e(C, delta) is evaluated as one
product of four Miller loops, e(-A, B) e(alpha, beta) e(IC(x), gamma) e(C, delta), followed
by a single final exponentiation, which costs about a quarter of four separate pairings.
"""

from __future__ import annotations

from typing import Sequence

from py_ecc import optimized_bn128 as bn

from .curve import CURVE_ORDER
from .files import FormatError
from .formats import Proof, VerifyingKey


def public_input_commitment(vk: VerifyingKey, public_inputs: Sequence[int]) -> tuple:
    """IC(x) = IC_0 + sum_i x_i IC_i, the public inputs folded into one G1 point."""
    if len(public_inputs) != vk.n_public:
        raise FormatError(
            f"the verification key expects {vk.n_public} public inputs, got {len(public_inputs)}"
        )
    acc = vk.ic[0]
    for i, (value, base) in enumerate(zip(public_inputs, vk.ic[1:])):
        if not 0 <= value < CURVE_ORDER:
            raise FormatError(f"public input {i} is not below the field modulus r")
        if value:
            acc = bn.add(acc, bn.multiply(base, value))
    return acc


def verify(vk: VerifyingKey, proof: Proof, public_inputs: Sequence[int]) -> bool:
    """True when the proof is valid for these public inputs under this key.

    Raises FormatError for inputs that cannot be checked at all (wrong count, values >= r);
    the points inside vk and proof were validated when they were parsed.
    """
    vk_x = public_input_commitment(vk, public_inputs)
    product = bn.FQ12.one()
    for g2, g1 in ((proof.b, bn.neg(proof.a)), (vk.beta_2, vk.alpha_1), (vk.gamma_2, vk_x), (vk.delta_2, proof.c)):
        product = product * bn.pairing(g2, g1, final_exponentiate=False)
    return bn.final_exponentiate(product) == bn.FQ12.one()
