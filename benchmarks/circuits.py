"""Synthetic circuits of a chosen size in the two witness shapes that matter for proving.

Dense: a chain of products, so nearly every wire is a random-looking field element and
every MSM scalar is full width. Range-check-heavy: 64-bit values decomposed into bits, as
margin circuits do for every amount, so most scalars are 0 or 1 and cost no bucket work.
"""

from __future__ import annotations

import random

from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.gadgets import to_bits
from zkmargin.circuits.r1cs import R1CS
from zkmargin.verifier.curve import CURVE_ORDER as R

SHAPES = ("dense", "range")


def build(shape: str, size: int, seed: int = 1) -> tuple[R1CS, list[int]]:
    """A circuit filling the Groth16 domain of ``size`` rows (a power of two) as far as its
    shape allows, with one public output, and a satisfying witness."""
    rng = random.Random(seed)
    api = ConstraintSystem()
    rows = size - 2 - 1  # snarkjs adds a row for the constant wire and each public input
    if shape == "dense":
        x = api.private_input("x", rng.randrange(R))
        for k in range(rows - 1):
            x = api.mul(x, x + k + 1)
    elif shape == "range":
        x = api.private_input("x", 0)
        for k in range((rows - 1) // 65):  # 64 booleans and a recomposition per value
            value = api.private_input(f"v{k}", rng.getrandbits(64))
            to_bits(api, value, 64)
            x = x + value
    else:
        raise ValueError(f"unknown shape {shape!r}; choose from {', '.join(SHAPES)}")
    api.assert_equal(x, api.public_input("out", api.value(x)))
    return api.compile(), api.witness()
