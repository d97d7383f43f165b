"""The batch list EpochRegistry.sol checks paths against: a SHA-256 Merkle tree over the
epoch's batches, (tier, public hash) each.

SHA-256 rather than Poseidon because the EVM has it as a precompile (a few hundred gas a
node) and the list is public anyway: the account tree, whose paths must hide other
accounts, stays Poseidon and stays in the circuits. Leaves and inner nodes carry different
one-byte prefixes, so no inner node can be passed off as a batch.
"""

from __future__ import annotations

from hashlib import sha256
from typing import Sequence

#: Siblings a path carries; the contract's bytes32[MAX_DEPTH] (2^32 batches).
MAX_DEPTH = 32
ZERO = bytes(32)


def batch_leaf(tier: int, public_hash: int) -> bytes:
    return sha256(b"\x00" + tier.to_bytes(32, "big") + public_hash.to_bytes(32, "big")).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def depth(count: int) -> int:
    """ceil(log2(count)), as the contract's depth()."""
    return max(count - 1, 0).bit_length()


def _levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    if not leaves:
        raise ValueError("an epoch has at least one batch")
    level = list(leaves) + [ZERO] * ((1 << depth(len(leaves))) - len(leaves))
    levels = [level]
    while len(level) > 1:
        level = [_node(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        levels.append(level)
    return levels


def batches_root(leaves: Sequence[bytes]) -> bytes:
    return _levels(leaves)[-1][0]


def batch_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The siblings of leaf `index` from the bottom up, padded with zeros to MAX_DEPTH."""
    levels = _levels(leaves)
    path = [levels[k][(index >> k) ^ 1] for k in range(len(levels) - 1)]
    return path + [ZERO] * (MAX_DEPTH - len(path))
