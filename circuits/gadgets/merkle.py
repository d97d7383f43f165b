"""Binary Poseidon Merkle trees in-circuit: a batch's subtree root and a membership path.

Both hash Node = Poseidon(left, right) exactly as circuits.exchange.tree and
zkmargin.verifier.exchange.manifest.walk_path do, so the three agree (tests/test_exchange_tree.py).

Cost: ``subtree_root`` of 2^s leaves is 2^s - 1 two-input hashes, 240 each (2^s = 64:
15,120 constraints, 236 per leaf). ``merkle_root_from_path`` of depth d is d (240 + 1 + 1):
the hash, one product for the ordered pair and one boolean check on the index bit
(d = 28: 6,776).
"""

from __future__ import annotations

from typing import Sequence

from ..builder import CircuitError, ConstraintSystem, LinearCombination, Value, as_lc
from .boolean import assert_boolean
from .poseidon import poseidon_hash


def subtree_root(api: ConstraintSystem, leaves: Sequence[Value]) -> LinearCombination:
    """The root over 2^s leaf wires; nothing is hinted, every node is a proven hash."""
    if not leaves or len(leaves) & (len(leaves) - 1):
        raise CircuitError(f"a subtree needs a power-of-two number of leaves, got {len(leaves)}")
    level = [as_lc(leaf) for leaf in leaves]
    with api.scope("subtree_root"):
        while len(level) > 1:
            level = [poseidon_hash(api, [level[i], level[i + 1]]) for i in range(0, len(level), 2)]
    return level[0]


def merkle_root_from_path(
    api: ConstraintSystem, leaf: Value, index_bits: Sequence[Value], siblings: Sequence[Value]
) -> LinearCombination:
    """The root above ``leaf``, whose position has little-endian bits ``index_bits`` (proven boolean).

    With b the level's bit, node n and sibling m: left = n + b (m - n), right = n + m - left.
    b = 0 gives (n, m), b = 1 gives (m, n); the bit is constrained to {0, 1}, so no other
    pair (e.g. (n, n) from b = 1/2) can be formed. One product per level.
    """
    if len(index_bits) != len(siblings):
        raise CircuitError("a Merkle path needs one index bit per sibling")
    node = as_lc(leaf)
    with api.scope("merkle_path"):
        for bit, sibling in zip(index_bits, siblings):
            assert_boolean(api, bit)
            left = node + api.mul(bit, as_lc(sibling) - node)
            node = poseidon_hash(api, [left, node + sibling - left])
    return node


def assert_merkle_path(
    api: ConstraintSystem, leaf: Value, index_bits: Sequence[Value], siblings: Sequence[Value], root: Value
) -> None:
    """leaf sits at the given index under ``root``."""
    api.assert_equal(merkle_root_from_path(api, leaf, index_bits, siblings), root)
