"""Gadgets: reusable, soundness-tested constraint patterns (see each module for its cost)."""

from .bits import assert_bits_at_most, to_bits, to_bits_strict
from .boolean import assert_boolean, logical_and, logical_not, logical_or
from .compare import assert_less_or_equal, assert_less_than, is_less_or_equal, is_less_than
from .fixedpoint import CEIL, FLOOR, divide, mul_fixed, to_fixed
from .poseidon import poseidon_hash, poseidon_sponge
from .ranges import assert_between, assert_in_range, assert_signed_in_range
from .select import maximum, select

__all__ = [
    "CEIL",
    "FLOOR",
    "assert_between",
    "assert_bits_at_most",
    "assert_boolean",
    "assert_in_range",
    "assert_less_or_equal",
    "assert_less_than",
    "assert_signed_in_range",
    "divide",
    "is_less_or_equal",
    "is_less_than",
    "logical_and",
    "logical_not",
    "logical_or",
    "maximum",
    "mul_fixed",
    "poseidon_hash",
    "poseidon_sponge",
    "select",
    "to_bits",
    "to_bits_strict",
    "to_fixed",
]
