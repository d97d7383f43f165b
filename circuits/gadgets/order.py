"""Uniqueness of accounts: identifiers strictly increasing across consecutive leaves.

Identifiers are made outside the circuit as the first 31 bytes of SHA-256 of the account
name, read big-endian: integers in [0, 2^248) (zkmargin.verifier.exchange.manifest.ID_BITS).
248 bits keep a birthday collision between two names near 2^-124 for 10^6 accounts, and
leave room below r (2^253.6) for the comparison not to wrap.

Soundness of id_i < id_{i+1}: each id is decomposed into 248 bits (so 0 <= id < 2^248 as an
integer, not merely mod r), then id_{i+1} - id_i - 1 is decomposed into 248 bits. If
id_{i+1} <= id_i as integers, that difference is r - (id_i - id_{i+1} + 1) > r - 2^248 > 2^248
mod r, which has no 248-bit decomposition; so no witness passes for equal, decreasing or
"wrapped" (>= 2^248, e.g. r - 1) identifiers. Strict order across a batch forbids any
duplicate within it; the verifier checks last_id(b) < first_id(b + 1) across batches.

Cost: 249 per identifier (its range check) plus 249 per consecutive pair: ~498 per account.
"""

from __future__ import annotations

from typing import Sequence

from ..builder import ConstraintSystem, Value
from .compare import assert_less_than

ID_BITS = 248


def assert_strictly_increasing(api: ConstraintSystem, ids: Sequence[Value], n: int = ID_BITS) -> None:
    """ids[0] < ids[1] < ... as n-bit integers (each one range-checked too)."""
    with api.scope("strictly_increasing"):
        for previous, current in zip(ids, ids[1:]):
            assert_less_than(api, previous, current, n)
