"""Groth16 batch verification: many proofs, one final exponentiation per key.

Each proof's equation e(A, B) = e(alpha, beta) e(IC(x), gamma) e(C, delta), raised to a fresh
random 128-bit r_i and multiplied, folds into prod e(-r_i A_i, B_i) e(sum r_i alpha, beta)
e(sum r_i IC(x_i), gamma) e(sum r_i C_i, delta) = 1: n + 3 Miller loops and one final
exponentiation. If any proof is invalid the product is 1 only when the r_i hit a root of a
nonzero linear relation between exponents (probability 2^-128). A failing set is halved
until the bad proofs are named. One proof is checked with r = 1, as plain verification.
"""

from __future__ import annotations

import secrets
from typing import Any, Sequence

from py_ecc import optimized_bn128 as bn

from ..curve import CURVE_ORDER
from ..formats import Proof, VerifyingKey
from ..groth16 import public_input_commitment


def _holds(vk: VerifyingKey, weighted: list[tuple[int, Proof, Sequence[int]]]) -> bool:
    """The folded equation for (r_i, proof_i, x_i)."""
    total = sum(r for r, _, _ in weighted) % CURVE_ORDER
    folded = [sum(r * x[j] for r, _, x in weighted) % CURVE_ORDER for j in range(vk.n_public)]
    ic = bn.add(public_input_commitment(vk, folded), bn.multiply(vk.ic[0], (total - 1) % CURVE_ORDER))
    c, pairs = bn.Z1, [(vk.beta_2, bn.multiply(vk.alpha_1, total)), (vk.gamma_2, ic)]
    for r, proof, _ in weighted:
        c = bn.add(c, bn.multiply(proof.c, r))
        pairs.append((proof.b, bn.neg(bn.multiply(proof.a, r))))
    product = bn.FQ12.one()
    for g2, g1 in pairs + [(vk.delta_2, c)]:
        product = product * bn.pairing(g2, g1, final_exponentiate=False)  # py_ecc: a pair with O gives 1
    return bn.final_exponentiate(product) == bn.FQ12.one()


def batch_verify(items: Sequence[tuple[VerifyingKey, Proof, Sequence[int]]]) -> list[int]:
    """Indices of the invalid (key, proof, public inputs) triples, [] when all verify; one final
    exponentiation per key when all are valid. Inputs that cannot be checked at all (a wrong
    count, a value >= r) raise FormatError, as single verification does."""
    groups: dict[int, list[int]] = {}
    for i, (vk, _, inputs) in enumerate(items):
        public_input_commitment(vk, inputs)  # the count and ranges, before any pairing
        groups.setdefault(id(vk), []).append(i)
    return sorted(i for group in groups.values() for i in _bisect(items, group))


def _bisect(items: Sequence[Any], group: list[int]) -> list[int]:
    weights = [1] if len(group) == 1 else [secrets.randbits(128) | 1 for _ in group]
    if _holds(items[group[0]][0], [(w, *items[i][1:]) for w, i in zip(weights, group)]):
        return []
    half = len(group) // 2
    return group if len(group) == 1 else _bisect(items, group[:half]) + _bisect(items, group[half:])
