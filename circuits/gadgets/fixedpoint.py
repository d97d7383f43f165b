"""Fixed-point numbers: exact decimal conversion out of circuit, proven division in circuit.

Amounts are integers counting units of 1/scale. Conversions and divisions take an
explicit rounding direction, because a solvency proof must always round against the
prover: requirements up, collateral down.

In-circuit cost: ``divide`` (either rounding) = (qbits + 1) + 2 * (bits(d) + 1) + 1, that is
qbits + 2 bits(d) + 4 rows; ``mul_fixed`` adds one product row (and its inputs' range checks).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

from ..builder import CircuitError, ConstraintSystem, LinearCombination, Value, as_lc
from .bits import MAX_SAFE_BITS
from .ranges import assert_in_range

FLOOR, CEIL = "floor", "ceil"


def parse_decimal(text: str | int | Decimal, where: str = "value") -> Decimal:
    """A decimal from a string or int, refusing binary floats (they are already rounded)."""
    if isinstance(text, bool) or isinstance(text, float):
        raise ValueError(f'{where}: give decimals as strings ("1.05"), not binary floats')
    try:
        value = Decimal(text) if isinstance(text, (int, Decimal)) else Decimal(str(text).strip())
    except InvalidOperation:
        raise ValueError(f"{where}: {text!r} is not a decimal number") from None
    if not value.is_finite():
        raise ValueError(f"{where}: {text!r} is not a finite number")
    return value


def to_fixed(value: str | int | Decimal, scale: int, rounding: str = FLOOR, where: str = "value") -> int:
    """round(value * scale) in the given direction, exactly."""
    scaled = parse_decimal(value, where) * scale
    mode = ROUND_FLOOR if rounding == FLOOR else ROUND_CEILING
    return int(scaled.to_integral_value(rounding=mode))


def divide(
    api: ConstraintSystem, x: Value, divisor: int, quotient_bits: int, rounding: str = FLOOR
) -> LinearCombination:
    """x / divisor rounded down or up, for 0 <= x and a constant divisor > 0.

    Proves x' = q * divisor + rem with 0 <= rem < divisor (strictly: a remainder equal to
    the divisor is how Binance's v2 circuit let a quotient be off by one) and q < 2^qbits,
    where x' is x (floor) or x + divisor - 1 (ceil). The bounds keep q * divisor + rem below
    r, so the field equation is an integer equation and (q, rem) is unique.
    """
    if divisor <= 0:
        raise CircuitError("divisor must be positive")
    if quotient_bits + divisor.bit_length() + 1 > MAX_SAFE_BITS:
        raise CircuitError("quotient and divisor too wide: q * divisor + rem could wrap modulo r")
    numerator = as_lc(x) + (divisor - 1 if rounding == CEIL else 0)
    with api.scope(f"divide_{rounding}({divisor})"):
        q, rem = api.hint(
            lambda v: divmod(v, divisor), numerator, count=2, name="quotient_remainder", kind="divmod", param=divisor
        )
        assert_in_range(api, q, quotient_bits)
        rem_bits = divisor.bit_length()
        assert_in_range(api, rem, rem_bits)
        assert_in_range(api, as_lc(divisor - 1) - rem, rem_bits)  # rem <= divisor - 1
        api.assert_equal(q * divisor + rem, numerator)
    return q


def mul_fixed(
    api: ConstraintSystem, a: Value, b: Value, scale: int, bits: int, rounding: str = FLOOR
) -> LinearCombination:
    """a * b / scale for a, b in [0, 2^bits): the product of two fixed-point numbers."""
    assert_in_range(api, a, bits)
    assert_in_range(api, b, bits)
    with api.scope("mul_fixed"):
        return divide(api, api.mul(a, b), scale, 2 * bits, rounding)
