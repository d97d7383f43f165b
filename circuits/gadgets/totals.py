"""Blinded running totals: T = sponge(totals, salt), chained from batch to batch.

A batch circuit takes the opening (totals_before, salt_before) and (salt_after) as private
inputs and proves
    sponge(totals_before, salt_before) = T_before,
    totals_after = totals_before + batch sums (linear, free),
    sponge(totals_after, salt_after) = T_after,
with T_before and T_after inside its public hash. Poseidon's collision resistance binds
each T to one totals vector; the random salt hides it, so only the totals the exchange
opens in the manifest (the last T_after) are revealed. Totals are field elements here:
the batch circuit range-checks the sums it adds, so the totals cannot wrap (their
magnitude is below 2^128 for any realistic book; the verifier refuses larger openings).
Must match zkmargin.verifier.exchange.manifest.totals_commitment exactly.

Cost: two sponges of n + 1 values, 609 constraints per 15 values (the length hash is a
constant, free): 2 * 609 * ceil((n + 1) / 15), e.g. 2,436 for 20 totals.
"""

from __future__ import annotations

from typing import Sequence

from ..builder import CircuitError, ConstraintSystem, LinearCombination, Value, as_lc
from .poseidon import poseidon_sponge


def totals_commitment(api: ConstraintSystem, totals: Sequence[Value], salt: Value) -> LinearCombination:
    return poseidon_sponge(api, [*totals, salt])


def chain_totals(
    api: ConstraintSystem,
    totals_before: Sequence[Value],
    salt_before: Value,
    batch_sums: Sequence[Value],
    salt_after: Value,
    commitment_before: Value,
    commitment_after: Value,
) -> list[LinearCombination]:
    """Prove commitment_after opens to totals_before + batch_sums; returns totals_after."""
    if len(totals_before) != len(batch_sums):
        raise CircuitError("the batch sums must match the totals vector")
    with api.scope("totals_chain"):
        api.assert_equal(totals_commitment(api, totals_before, salt_before), commitment_before)
        after = [as_lc(t) + s for t, s in zip(totals_before, batch_sums)]
        api.assert_equal(totals_commitment(api, after, salt_after), commitment_after)
    return after
