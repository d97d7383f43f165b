"""Range checks: unsigned (0 <= x < 2^n) and signed (-2^k <= x < 2^k, offset encoding).

A field element has no sign: -5 is r - 5, a 254-bit number. Signed values are therefore
shifted by 2^k into [0, 2^(k+1)) and decomposed; the top bit of the shifted value is the
sign (1 when x >= 0), proven rather than supplied.

Cost: ``assert_in_range`` n + 1 (free if already proven); ``assert_signed_in_range`` k + 2.
"""

from __future__ import annotations

from ..builder import ConstraintSystem, LinearCombination, Value, as_lc
from .bits import to_bits


def assert_in_range(api: ConstraintSystem, x: Value, n: int) -> None:
    """0 <= x < 2^n (as integers, n <= 253)."""
    known = api.known_bits(x)
    if known is not None and known <= n:
        return
    to_bits(api, x, n)


def assert_signed_in_range(api: ConstraintSystem, x: Value, k: int) -> LinearCombination:
    """-2^k <= x < 2^k, returning the proven bit [x >= 0]."""
    with api.scope(f"signed{k}"):
        bits = to_bits(api, as_lc(x) + (1 << k), k + 1)
    return bits[k]


def signed_value(value: int, modulus: int) -> int:
    """Read a field element as a signed integer in (-r/2, r/2)."""
    return value - modulus if value > modulus // 2 else value
