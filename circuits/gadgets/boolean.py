"""Booleans: wires constrained to {0, 1}.

Cost: ``assert_boolean`` 1 constraint (skipped when already proven); ``logical_and`` 1;
``logical_not`` 0 and ``logical_or`` 1 (inputs already proven boolean).
"""

from __future__ import annotations

from ..builder import ConstraintSystem, LinearCombination, Value, as_lc


def assert_boolean(api: ConstraintSystem, x: Value) -> None:
    """x * (x - 1) = 0, i.e. x is 0 or 1."""
    if api.known_bits(x) is not None and api.known_bits(x) <= 1:
        return
    with api.scope("boolean"):
        api.assert_mul(x, as_lc(x) - 1, 0)
    api.record_bits(x, 1)


def logical_not(api: ConstraintSystem, x: Value) -> LinearCombination:
    assert_boolean(api, x)
    return 1 - as_lc(x)


def logical_and(api: ConstraintSystem, x: Value, y: Value) -> LinearCombination:
    assert_boolean(api, x)
    assert_boolean(api, y)
    result = api.mul(x, y)
    api.record_bits(result, 1)
    return result


def logical_or(api: ConstraintSystem, x: Value, y: Value) -> LinearCombination:
    """x + y - x*y for booleans."""
    return as_lc(x) + y - logical_and(api, x, y)
