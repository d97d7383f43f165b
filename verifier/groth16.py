"""Groth16 verification over BN254 with py_ecc: one proof, or many at once.

One proof: e(A, B) = e(alpha, beta) e(IC(x), gamma) e(C, delta) is checked as the product
e(-A, B) e(alpha, beta) e(IC(x), gamma) e(C, delta) = 1 of four Miller loops and a single
final exponentiation, about a quarter of four separate pairings.
Many proofs under one key: each proof's equation raised to a fresh random 128-bit r_i, and
multiplied, folds into prod e(-r_i A_i, B_i) e(sum r_i alpha, beta) e(sum r_i IC(x_i), gamma)
e(sum r_i C_i, delta) = 1: n + 3 Miller loops and one final exponentiation. If any proof is
invalid the product is 1 only when the r_i hit a root of a nonzero linear relation between
exponents (probability 2^-128). A failing set is halved until the bad proofs are named.
"""

from __future__ import annotations

import secrets
from typing import Any, Sequence

from py_ecc import optimized_bn128 as bn

from .curve import CURVE_ORDER
from .files import FormatError
from .formats import Proof, VerifyingKey


def _checked(vk: VerifyingKey, public_inputs: Sequence[int]) -> Sequence[int]:
    if len(public_inputs) != vk.n_public:
        raise FormatError(f"the verification key expects {vk.n_public} public inputs, got {len(public_inputs)}")
    for i, value in enumerate(public_inputs):
        if not 0 <= value < CURVE_ORDER:
            raise FormatError(f"public input {i} is not below the field modulus r")
    return public_inputs


def public_input_commitment(vk: VerifyingKey, public_inputs: Sequence[int]) -> tuple:
    """IC(x) = IC_0 + sum_i x_i IC_i, the public inputs folded into one G1 point."""
    acc = vk.ic[0]
    for value, base in zip(_checked(vk, public_inputs), vk.ic[1:]):
        if value:
            acc = bn.add(acc, bn.multiply(base, value))
    return acc


def _holds(vk: VerifyingKey, weighted: list[tuple[int, Proof, Sequence[int]]]) -> bool:
    """The folded equation above for (r_i, proof_i, x_i); with one proof and r = 1 it is plain verification."""
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


def verify(vk: VerifyingKey, proof: Proof, public_inputs: Sequence[int]) -> bool:
    """True when the proof is valid for these public inputs under this key.

    Raises FormatError for inputs that cannot be checked at all (wrong count, values >= r);
    the points inside vk and proof were validated when they were parsed.
    """
    return _holds(vk, [(1, proof, _checked(vk, public_inputs))])


def batch_verify(items: Sequence[tuple[VerifyingKey, Proof, Sequence[int]]]) -> list[int]:
    """Indices of the invalid (key, proof, public inputs) triples, [] when all verify; one final
    exponentiation per key when all are valid."""
    groups: dict[int, list[int]] = {}
    for i, (vk, _, inputs) in enumerate(items):
        _checked(vk, inputs)
        groups.setdefault(id(vk), []).append(i)
    return sorted(i for group in groups.values() for i in _bisect(items, group))


def _bisect(items: Sequence[Any], group: list[int]) -> list[int]:
    weights = [1] if len(group) == 1 else [secrets.randbits(128) | 1 for _ in group]
    if _holds(items[group[0]][0], [(w, *items[i][1:]) for w, i in zip(weights, group)]):
        return []
    half = len(group) // 2
    return group if len(group) == 1 else _bisect(items, group[:half]) + _bisect(items, group[half:])
