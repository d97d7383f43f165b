"""The documented constraint cost of each gadget and of the margin circuit, pinned.

docs/architecture.md's cost table and the gadgets' docstrings quote these formulas; a change
to a gadget that moves its cost must move the documentation with it."""

import pytest

from zkmargin import api
from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.gadgets import (
    assert_between,
    assert_in_range,
    divide,
    is_less_than,
    maximum,
    poseidon_hash,
    poseidon_sponge,
)


def rows(build) -> int:
    cs = ConstraintSystem()
    build(cs)
    return cs.n_constraints


def inputs(cs, count):
    return [cs.private_input(f"x{k}") for k in range(count)]


@pytest.mark.parametrize("n", [8, 64, 170])
def test_is_less_than(n):
    def checked(cs):
        a, b = inputs(cs, 2)
        assert_in_range(cs, a, n), assert_in_range(cs, b, n)
        before = cs.n_constraints
        is_less_than(cs, a, b, n)
        cs.result = cs.n_constraints - before

    cs = ConstraintSystem()
    checked(cs)
    assert cs.result == n + 2
    assert rows(lambda cs: is_less_than(cs, *inputs(cs, 2), n)) == 3 * n + 4  # + (n + 1) per unchecked input


@pytest.mark.parametrize("qbits, divisor", [(64, 10**6), (128, 10**4), (20, 3)])
def test_divide(qbits, divisor):
    cost = rows(lambda cs: divide(cs, inputs(cs, 1)[0], divisor, qbits))
    assert cost == qbits + 2 * divisor.bit_length() + 4


@pytest.mark.parametrize("count, n", [(1, 64), (2, 64), (5, 32)])
def test_maximum(count, n):
    cost = rows(lambda cs: maximum(cs, inputs(cs, count), n))
    assert cost == count * (n + 1) + (count - 1) * (
        n + 4
    )  # range checks; per further element a comparison, its bit proven boolean, a select


@pytest.mark.parametrize("lo, hi, cost", [(10_000, 1 << 20, 2 * 21), (0, 1 << 36, 37), (5, 5 + (1 << 8), 9)])
def test_assert_between(lo, hi, cost):
    assert rows(lambda cs: assert_between(cs, inputs(cs, 1)[0], lo, hi)) == cost


def test_poseidon():
    assert rows(lambda cs: poseidon_hash(cs, inputs(cs, 2))) == 240
    assert rows(lambda cs: poseidon_hash(cs, inputs(cs, 16))) == 609
    # Poseidon(length) of a constant length is a constant; then 15 values a 16-input permutation, whose first
    # state is that constant, so three rows fold away
    assert rows(lambda cs: poseidon_sponge(cs, inputs(cs, 30))) == 2 * 609 - 3


@pytest.mark.parametrize("capacity, total", [((2, 1, 10, 1), 5_013), ((8, 4, 32, 1), 25_158), ((8, 4, 32, 2), 29_883)])
def test_margin_circuit_total(capacity, total):
    """The figures in docs/architecture.md's constraint-cost table."""
    assert api.margin_circuit(api.MarginCapacity(*capacity)).compile().n_constraints == total


@pytest.mark.parametrize("size, total", [(1, 36_235), (2, 48_011), (4, 71_555)])
def test_exchange_batch_total(size, total):
    """docs/architecture.md's batch cost at the default capacity: 24,463 once per batch (the
    parameters digest, two totals commitments, the batch hash) and 11,772 per account."""
    from zkmargin.circuits.exchange.batch import BatchShape, build_batch_circuit

    assert rows(lambda cs: build_batch_circuit(cs, BatchShape(api.DEFAULT_CAPACITY, size))) == total
