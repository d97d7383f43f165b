"""Conditional selection and the maximum of a list.

``select(c, a, b)`` = b + c * (a - b): 1 constraint, plus 1 to prove c boolean if needed.

``maximum(values, n)`` folds m <- select([m < v], v, m) over the list: no index or maximum
is ever supplied by the prover, each step is a proven comparison. Cost per element after
the first: n + 2 (comparison) + 1 (its bit proven boolean) + 1 (select), plus n + 1 per
input not yet range-checked.
"""

from __future__ import annotations

from typing import Sequence

from ..builder import CircuitError, ConstraintSystem, LinearCombination, Value, as_lc
from .boolean import assert_boolean
from .compare import is_less_than
from .ranges import assert_in_range


def select(api: ConstraintSystem, condition: Value, if_true: Value, if_false: Value) -> LinearCombination:
    """if_true when condition = 1, if_false when 0, as a single new wire."""
    condition, if_true, if_false = as_lc(condition), as_lc(if_true), as_lc(if_false)
    if condition.is_constant():
        if condition.constant_value not in (0, 1):
            raise CircuitError("select condition is a constant other than 0 or 1")
        return if_true if condition.constant_value else if_false
    assert_boolean(api, condition)
    with api.scope("select"):
        (out,) = api.hint(lambda c, t, f: t if c else f, condition, if_true, if_false, name="selected", kind="select")
        api.assert_mul(condition, if_true - if_false, out - if_false)
    return out


def maximum(api: ConstraintSystem, values: Sequence[Value], n: int) -> LinearCombination:
    """max(values) for n-bit unsigned values; the result is also n-bit."""
    if not values:
        raise CircuitError("maximum of an empty list")
    with api.scope("maximum"):
        best = as_lc(values[0])
        assert_in_range(api, best, n)  # also when the list has one element
        for value in values[1:]:
            best = select(api, is_less_than(api, best, value, n), value, best)
            api.record_bits(best, n)
    return best
