"""Uniqueness and blinded running totals: honest witnesses hold, malicious ones fail."""

from __future__ import annotations

import hashlib

import pytest

from zkmargin.circuits.gadgets.order import ID_BITS, assert_strictly_increasing
from zkmargin.circuits.gadgets.totals import chain_totals
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.exchange.manifest import ID_BITS as VERIFIER_ID_BITS, totals_commitment

from helpers import holds, replace_hint


def _ident(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:31], "big")


def _ordered(ids):
    def build(api):
        assert_strictly_increasing(api, [api.private_input(f"id{i}", v) for i, v in enumerate(ids)])

    return build


def test_identifier_width_is_shared_with_the_verifier():
    assert ID_BITS == VERIFIER_ID_BITS == 248 and _ident("alice") < 1 << ID_BITS


def test_strictly_increasing_identifiers_hold():
    ids = sorted(_ident(f"acct-{i}") for i in range(5))
    assert holds(_ordered(ids))
    assert holds(_ordered([0, 1, (1 << ID_BITS) - 1]))


@pytest.mark.parametrize(
    "ids",
    [
        [5, 5],  # a duplicate
        [9, 7],  # decreasing
        [3, 8, 8, 10],  # a duplicate inside a run
        [R - 1, 4],  # "wrapped": r - 1 is -1 mod r, below 4 only in the field
        [4, R - 1],  # r - 1 above everything as an integer, but not a 248-bit identifier
        [1 << ID_BITS, (1 << ID_BITS) + 1],  # ordered, but wider than identifiers are
    ],
)
def test_out_of_order_equal_or_wrapped_identifiers_fail(ids):
    assert not holds(_ordered(ids))


def test_forged_difference_bits_do_not_help():
    tamper = replace_hint("bits", lambda values: [1 - v if v in (0, 1) else v for v in values])
    assert not holds(_ordered([7, 5]), tamper)
    assert tamper.seen


def _chain(before, salt_before, sums, salt_after, c_before, c_after):
    def build(api):
        result = chain_totals(
            api,
            [api.private_input(f"t{i}", v % R) for i, v in enumerate(before)],
            api.private_input("salt_before", salt_before),
            [api.private_input(f"s{i}", v % R) for i, v in enumerate(sums)],
            api.private_input("salt_after", salt_after),
            api.public_input("T_before", c_before),
            api.public_input("T_after", c_after),
        )
        assert [api.value(x) for x in result] == [(b + s) % R for b, s in zip(before, sums)]

    return build


def test_totals_chain_matches_the_native_commitment():
    before, sums = [10, 0, 7, -3], [5, 2, 0, -4]
    after = [b + s for b, s in zip(before, sums)]
    c_before, c_after = totals_commitment(before, 111), totals_commitment(after, 222)
    assert holds(_chain(before, 111, sums, 222, c_before, c_after))
    assert not holds(_chain(before, 111, sums, 222, c_before, totals_commitment([16, 2, 7, -6], 222)))
    assert not holds(_chain(before, 112, sums, 222, c_before, c_after))  # wrong opening of T_before
    assert not holds(_chain([11, 0, 7, -3], 111, sums, 222, c_before, c_after))
    assert not holds(_chain(before, 111, [5, 2, 1, -4], 222, c_before, c_after))  # other batch sums


def test_the_salt_hides_equal_totals():
    assert totals_commitment([1, 2], 5) != totals_commitment([1, 2], 6)
    assert totals_commitment([1, 2], 5) != totals_commitment([1, 2, 0], 5)
