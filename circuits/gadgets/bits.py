"""Bit decomposition.

``to_bits(x, n)`` for n <= 253 proves 0 <= x < 2^n: n boolean constraints plus one
recomposition row (n + 1 in all). Because 2^n < r, the recomposition cannot wrap and the
bits are unique.

``to_bits_strict(x)`` decomposes any field element into 254 bits. 2^254 > r, so without
more work x and x + r (when < 2^254) would both be accepted; the alias check proves the
bits, read as an integer, are at most r - 1. Cost: 254 + 1 + at most 254 (about 500).
"""

from __future__ import annotations

from zkmargin.verifier.curve import CURVE_ORDER

from ..builder import CircuitError, ConstraintSystem, LinearCombination, Value, as_lc, linear_sum
from .boolean import assert_boolean

MAX_SAFE_BITS = 253  # 2^253 < r
FIELD_BITS = CURVE_ORDER.bit_length()  # 254


def _decompose(api: ConstraintSystem, x: Value, n: int, name: str) -> list[LinearCombination]:
    bits = api.hint(lambda v: [(v >> i) & 1 for i in range(n)], x, count=n, name=name, kind="bits")
    for bit in bits:
        assert_boolean(api, bit)
    api.assert_equal(linear_sum(bit * (1 << i) for i, bit in enumerate(bits)), x)
    return bits


def to_bits(api: ConstraintSystem, x: Value, n: int) -> list[LinearCombination]:
    """Little-endian bits of x, proving 0 <= x < 2^n."""
    if not 1 <= n <= MAX_SAFE_BITS:
        raise CircuitError(f"to_bits supports 1..{MAX_SAFE_BITS} bits (use to_bits_strict for a full element)")
    x = as_lc(x)
    if x.is_constant():
        value = x.constant_value
        if value >> n:
            raise CircuitError(f"constant {value} does not fit in {n} bits")
        return [as_lc((value >> i) & 1) for i in range(n)]
    with api.scope(f"to_bits{n}"):
        bits = _decompose(api, x, n, "bits")
    api.record_bits(x, n)
    return bits


def assert_bits_at_most(api: ConstraintSystem, bits: list[LinearCombination], bound: int) -> None:
    """Prove that the little-endian boolean ``bits``, read as an integer, are <= ``bound``.

    Scanning from the top bit, keep ``equal`` = [all higher bits equal bound's]. Where the
    bound has a 0, a 1 bit while ``equal`` holds would make the value larger, so assert
    equal * bit = 0 (then ``equal`` carries on unchanged); where the bound has a 1,
    ``equal`` becomes equal * bit. One constraint per bit, no hints.
    """
    if bound >> len(bits):
        return  # every value of these bits is below the bound
    equal: LinearCombination = as_lc(1)
    with api.scope(f"bits_at_most({bound})"):
        for i in reversed(range(len(bits))):
            if (bound >> i) & 1:
                equal = api.mul(equal, bits[i])
            else:
                api.assert_mul(equal, bits[i], 0)


def to_bits_strict(api: ConstraintSystem, x: Value) -> list[LinearCombination]:
    """The unique 254-bit little-endian decomposition of a field element."""
    with api.scope("to_bits_strict"):
        bits = _decompose(api, x, FIELD_BITS, "bits")
        assert_bits_at_most(api, bits, CURVE_ORDER - 1)
    return bits
