"""Comparisons of n-bit unsigned values (n <= 252), each range-checking its inputs.

circomlib's LessThan trusts its inputs to be n-bit, so LessThan(r - 1, 10) says "true".
Here both sides are range-checked first (once per wire: repeats are free), then
a - b + 2^n, which lies in [1, 2^(n+1)), is decomposed and its top bit read.

Cost (inputs already checked): ``is_less_than`` n + 2; ``assert_less_or_equal`` and
``assert_less_than`` n + 1. Unchecked inputs add n + 1 each.
"""

from __future__ import annotations

from ..builder import CircuitError, ConstraintSystem, LinearCombination, Value, as_lc
from .bits import MAX_SAFE_BITS, to_bits
from .ranges import assert_in_range


def _check_inputs(api: ConstraintSystem, a: Value, b: Value, n: int) -> None:
    if not 1 <= n <= MAX_SAFE_BITS - 1:
        raise CircuitError(f"comparisons support 1..{MAX_SAFE_BITS - 1} bits, got {n}")
    assert_in_range(api, a, n)
    assert_in_range(api, b, n)


def is_less_than(api: ConstraintSystem, a: Value, b: Value, n: int) -> LinearCombination:
    """The proven bit [a < b] for 0 <= a, b < 2^n."""
    with api.scope(f"is_less_than{n}"):
        _check_inputs(api, a, b, n)
        bits = to_bits(api, as_lc(a) - b + (1 << n), n + 1)
    return 1 - bits[n]


def is_less_or_equal(api: ConstraintSystem, a: Value, b: Value, n: int) -> LinearCombination:
    return 1 - is_less_than(api, b, a, n)


def assert_less_or_equal(api: ConstraintSystem, a: Value, b: Value, n: int) -> None:
    """a <= b for 0 <= a, b < 2^n: b - a must itself be an n-bit number.

    If a > b then b - a = r - (a - b) >= r - 2^n, far above 2^n, so no witness passes.
    """
    with api.scope(f"assert_le{n}"):
        _check_inputs(api, a, b, n)
        to_bits(api, as_lc(b) - a, n)


def assert_less_than(api: ConstraintSystem, a: Value, b: Value, n: int) -> None:
    with api.scope(f"assert_lt{n}"):
        _check_inputs(api, a, b, n)
        to_bits(api, as_lc(b) - a - 1, n)
