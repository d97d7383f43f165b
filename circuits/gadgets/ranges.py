"""Range checks: unsigned (0 <= x < 2^n) and signed (-2^k <= x < 2^k, offset encoding).

A field element has no sign: -5 is r - 5, a 254-bit number. Signed values are therefore
shifted by 2^k into [0, 2^(k+1)) and decomposed; the top bit of the shifted value is the
sign (1 when x >= 0), proven rather than supplied.

Cost: ``assert_in_range`` n + 1 (free if already proven); ``assert_signed_in_range`` k + 2;
``assert_between`` n + 1, or 2 (n + 1) when hi - lo is not a power of two (n = bits of hi - lo - 1).
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


def assert_between(api: ConstraintSystem, x: Value, lo: int, hi: int) -> None:
    """lo <= x < hi (as integers, hi - lo <= 2^252).

    With n = bits(hi - lo - 1): x - lo in [0, 2^n) and hi - 1 - x in [0, 2^n). Their sum is the
    constant hi - 1 - lo, and two values below 2^n < r / 2 cannot wrap, so both are the true
    non-negative integer distances: lo <= x <= hi - 1. When hi - lo = 2^n the first suffices."""
    span = hi - lo
    if span < 1 or span > 1 << 252:
        raise ValueError(f"assert_between needs 1 <= hi - lo <= 2^252, got {span}")
    n = (span - 1).bit_length()
    offset = as_lc(x) - lo
    with api.scope("above_lo"):
        assert_in_range(api, offset, n)
    if span != 1 << n:
        with api.scope("below_hi"):
            assert_in_range(api, (span - 1) - offset, n)
