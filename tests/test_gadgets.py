"""Every gadget: honest witnesses pass, and a prover who lies in a hint or an input fails.

A malicious prover controls every private wire, i.e. every hint; `replace_hint` gives it
that power. Each attack below is one a real circuit has fallen to (see soundness.md).
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.circuits.builder import CircuitError, ConstraintSystem
from zkmargin.circuits.gadgets import (
    CEIL,
    FLOOR,
    assert_boolean,
    assert_in_range,
    assert_less_or_equal,
    assert_less_than,
    assert_signed_in_range,
    divide,
    is_less_or_equal,
    is_less_than,
    logical_and,
    logical_or,
    maximum,
    mul_fixed,
    select,
    to_bits,
    to_bits_strict,
    to_fixed,
)
from zkmargin.circuits.gadgets.bits import assert_bits_at_most
from zkmargin.verifier.curve import CURVE_ORDER as R

from helpers import holds, replace_hint, run_circuit


# ------------------------------------------------------------------ boolean
@pytest.mark.parametrize("value, ok", [(0, True), (1, True), (2, False), (R - 1, False)])
def test_boolean(value, ok):
    assert holds(lambda api: assert_boolean(api, api.private_input("b", value))) is ok


def test_boolean_logic_and_costs():
    def build(api):
        x, y = api.private_input("x", 1), api.private_input("y", 0)
        api.assert_equal(logical_and(api, x, y), 0)
        api.assert_equal(logical_or(api, x, y), 1)

    api, r1cs, witness, _ = run_circuit(build)
    assert r1cs.first_unsatisfied(witness) is None
    assert r1cs.n_constraints == 2 + 2 + 2  # two booleans, and/or products, two equalities


def test_logical_and_rejects_tampered_product():
    def build(api):
        logical_and(api, api.private_input("x", 1), api.private_input("y", 1))

    assert not holds(build, replace_hint("product", lambda v: [0]))


# --------------------------------------------------------------------- bits
def test_to_bits_cost_and_values():
    api, r1cs, witness, bits = run_circuit(lambda api: to_bits(api, api.private_input("x", 13), 8))
    assert [api.value(b) for b in bits] == [1, 0, 1, 1, 0, 0, 0, 0]
    assert r1cs.n_constraints == 9


@pytest.mark.parametrize("value, n, ok", [(255, 8, True), (256, 8, False), (R - 1, 8, False), (0, 1, True)])
def test_range_check(value, n, ok):
    assert holds(lambda api: assert_in_range(api, api.private_input("x", value), n)) is ok


def test_range_check_rejects_non_boolean_bits_that_recompose():
    # x = 2^8 needs 9 bits; the prover tries bits [2, 1, 1, ..., 1]: 2 + 2 + 4 + ... + 128 = 256.
    def build(api):
        assert_in_range(api, api.private_input("x", 256), 8)

    tamper = replace_hint("bits", lambda v: [2] + [1] * 7)
    assert not holds(build, tamper) and tamper.seen


def test_range_check_rejects_negative_as_huge_element():
    # -1 is r - 1: the "negative number wraps" attack.
    assert not holds(lambda api: assert_in_range(api, api.private_input("x", -1), 64))


def test_strict_decomposition_rejects_alias():
    # For small x, x + r < 2^254 is a second 254-bit decomposition; the alias check refuses it.
    def build(api):
        to_bits_strict(api, api.private_input("x", 5))

    assert holds(build)
    alias = 5 + R
    tamper = replace_hint("bits", lambda v: [(alias >> i) & 1 for i in range(254)])
    assert not holds(build, tamper) and tamper.seen


def test_strict_decomposition_accepts_r_minus_one():
    assert holds(lambda api: to_bits_strict(api, api.private_input("x", R - 1)))


@given(value=st.integers(0, 2**12 - 1), bound=st.integers(0, 2**12 - 1))
@settings(max_examples=60, deadline=None)
def test_bits_at_most_matches_integer_comparison(value, bound):
    def build(api):
        bits = to_bits(api, api.private_input("x", value), 12)
        assert_bits_at_most(api, bits, bound)

    assert holds(build) is (value <= bound)


# ------------------------------------------------------------------- signed
@pytest.mark.parametrize(
    "value, ok, sign",
    [
        (0, True, 1),
        (5, True, 1),
        (-5, True, 0),
        (2**15 - 1, True, 1),
        (-(2**15), True, 0),
        (2**15, False, None),
        (-(2**15) - 1, False, None),
    ],
)
def test_signed_range_and_sign_bit(value, ok, sign):
    result = {}

    def build(api):
        result["sign"] = assert_signed_in_range(api, api.private_input("x", value), 15)

    api, r1cs, witness, _ = run_circuit(build)
    assert (r1cs.first_unsatisfied(witness) is None) is ok
    if ok:
        assert api.value(result["sign"]) == sign


def test_signed_sign_bit_cannot_be_flipped():
    def build(api):
        assert_signed_in_range(api, api.private_input("x", -5), 15)

    # Claim "non-negative" by flipping the top bit of the offset decomposition.
    tamper = replace_hint("bits", lambda v: v[:-1] + [1 - v[-1]])
    assert not holds(build, tamper)


# ------------------------------------------------------------- comparisons
@given(a=st.integers(0, 2**16 - 1), b=st.integers(0, 2**16 - 1))
@settings(max_examples=40, deadline=None)
def test_is_less_than_matches_integers(a, b):
    out = {}

    def build(api):
        x, y = api.private_input("a", a), api.private_input("b", b)
        out["lt"] = is_less_than(api, x, y, 16)
        out["le"] = is_less_or_equal(api, x, y, 16)

    api, r1cs, witness, _ = run_circuit(build)
    assert r1cs.first_unsatisfied(witness) is None
    assert api.value(out["lt"]) == int(a < b) and api.value(out["le"]) == int(a <= b)


def test_is_less_than_rejects_out_of_range_input():
    # circomlib's LessThan(10) says r - 1 < 10; ours range-checks first.
    def build(api):
        api.assert_equal(is_less_than(api, api.private_input("a", R - 1), api.private_input("b", 10), 10), 1)

    assert not holds(build)


def test_is_less_than_result_cannot_be_flipped():
    def build(api):
        is_less_than(api, api.private_input("a", 7), api.private_input("b", 3), 8)

    tamper = replace_hint("is_less_than8/to_bits9/bits", lambda v: v[:-1] + [1 - v[-1]])
    assert not holds(build, tamper) and tamper.seen


@pytest.mark.parametrize(
    "a, b, le, lt", [(3, 3, True, False), (2, 3, True, True), (4, 3, False, False), (0, 255, True, True)]
)
def test_asserted_comparisons(a, b, le, lt):
    assert holds(lambda api: assert_less_or_equal(api, api.private_input("a", a), api.private_input("b", b), 8)) is le
    assert holds(lambda api: assert_less_than(api, api.private_input("a", a), api.private_input("b", b), 8)) is lt


def test_comparison_input_checks_are_not_repeated():
    def build(api):
        a, b = api.private_input("a", 1), api.private_input("b", 2)
        assert_less_or_equal(api, a, b, 32)
        assert_less_or_equal(api, a, b, 32)

    _, r1cs, _, _ = run_circuit(build)
    assert r1cs.n_constraints == 3 * 33 + 33  # a, b once each; the difference twice


# ---------------------------------------------------------------- select/max
def test_select_and_tampering():
    def build(cond):
        def inner(api):
            c = api.private_input("c", cond)
            out = select(api, c, api.private_input("t", 10), api.private_input("f", 20))
            api.assert_equal(out, 10 if cond == 1 else 20)

        return inner

    assert holds(build(1)) and holds(build(0))
    assert not holds(build(2))  # a non-boolean condition
    assert not holds(build(1), replace_hint("selected", lambda v: [20]))


@given(values=st.lists(st.integers(0, 2**20 - 1), min_size=1, max_size=6))
@settings(max_examples=30, deadline=None)
def test_maximum_equals_python_max(values):
    out = {}

    def build(api):
        wires = [api.private_input(f"v{i}", v) for i, v in enumerate(values)]
        out["max"] = maximum(api, wires, 20)

    api, r1cs, witness, _ = run_circuit(build)
    assert r1cs.first_unsatisfied(witness) is None
    assert api.value(out["max"]) == max(values)


def test_maximum_cannot_be_understated():
    # The prover wants max(5, 9, 7) to come out as 5: it must lie in a comparison or select.
    def build(api):
        wires = [api.private_input(f"v{i}", v) for i, v in enumerate([5, 9, 7])]
        maximum(api, wires, 8)

    for label, lie in (("selected", lambda v: [5]), ("to_bits9/bits", lambda v: v[:-1] + [1 - v[-1]])):
        tamper = replace_hint(label, lie)
        assert not holds(build, tamper) and tamper.seen


def test_maximum_rejects_out_of_range_values():
    assert not holds(lambda api: maximum(api, [api.private_input("a", 3), api.private_input("b", R - 2)], 8))


# -------------------------------------------------------------- fixed point
def test_to_fixed_rounds_in_the_requested_direction_exactly():
    assert to_fixed("1.005", 100, FLOOR) == 100 and to_fixed("1.005", 100, CEIL) == 101
    assert to_fixed("-1.005", 100, FLOOR) == -101
    assert to_fixed("0.1", 10**18) == 10**17  # no binary-float error
    with pytest.raises(ValueError):
        to_fixed(0.1, 100)  # floats are refused
    with pytest.raises(ValueError):
        to_fixed("abc", 100)


@pytest.mark.parametrize("x, d, rounding, q", [(10, 3, FLOOR, 3), (10, 3, CEIL, 4), (9, 3, CEIL, 3), (0, 7, FLOOR, 0)])
def test_divide(x, d, rounding, q):
    out = {}

    def build(api):
        out["q"] = divide(api, api.private_input("x", x), d, 16, rounding)

    api, r1cs, witness, _ = run_circuit(build)
    assert r1cs.first_unsatisfied(witness) is None and api.value(out["q"]) == q


def test_divide_rejects_remainder_equal_to_divisor():
    # The Binance v2 bug: a remainder bound of <= instead of < lets q be one too small.
    def build(api):
        divide(api, api.private_input("x", 9), 3, 16)

    tamper = replace_hint("quotient_remainder", lambda v: [v[0] - 1, v[1] + 3])
    assert not holds(build, tamper) and tamper.seen


def test_divide_rejects_wrapped_quotient():
    def build(api):
        divide(api, api.private_input("x", 9), 3, 16)

    # q = (9 - 1) / 3 as a field element, remainder 1: satisfies q*3 + 1 = 9 mod r, but q is huge.
    q = (8 * pow(3, -1, R)) % R
    assert not holds(build, replace_hint("quotient_remainder", lambda v: [q, 1]))


def test_mul_fixed_rounds_against_the_prover():
    out = {}

    def build(api):
        a, b = api.private_input("a", 150), api.private_input("b", 333)  # 1.50 * 3.33 at scale 100
        out["down"] = mul_fixed(api, a, b, 100, 16, FLOOR)
        out["up"] = mul_fixed(api, a, b, 100, 16, CEIL)

    api, r1cs, witness, _ = run_circuit(build)
    assert r1cs.first_unsatisfied(witness) is None
    assert (api.value(out["down"]), api.value(out["up"])) == (499, 500)  # 4.995


def test_divide_refuses_widths_that_could_wrap():
    with pytest.raises(CircuitError):
        divide(ConstraintSystem(), 5, 3, 252)
