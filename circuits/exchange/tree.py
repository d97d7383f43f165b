"""The account tree: a binary Poseidon Merkle tree in two levels, stored in ONE binary file.

Shape. Leaves are account commitments in identifier order. They are cut into batches of
B = 2^s leaves; the last batch is filled with PADDING_LEAF. Each batch's subtree (depth s)
is what a batch circuit hashes; the top tree (depth t = ceil(log2(batches))) is hashed by
the verifier over the batch roots, and at every top level an odd node count is completed
with a 0 node. Node(l + 1, i) = Poseidon(Node(l, 2i), Node(l, 2i + 1)). A leaf's path is its
s in-batch siblings then its t top siblings, and bit l of its global index says whether
its level-l node is a right child, so zkmargin.verifier.exchange.manifest.walk_path checks both at once.

File format (all integers big-endian):
    offset 0   8 bytes  magic b"ZKMTREE1"
    offset 8   u32      s, the subtree depth (B = 2^s)
    offset 12  u32      t, the top depth
    offset 16  u64      accounts (real leaves; the rest of the last batch is padding)
    offset 24  u64      batches
    offset 32  levels 0 .. s + t, each a run of 32-byte nodes (field elements < r):
               level 0 has batches * B nodes, level l + 1 has ceil(count(l) / 2).
A path is cut out by seeking to s + t sibling nodes, so a 10^6-account file (64 MB) is
never read whole to serve one user.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Sequence

from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.poseidon import poseidon

from ..files import atomic_write

MAGIC = b"ZKMTREE1"
_HEADER = struct.Struct(">8sIIQQ")
NODE = 32
PADDING_LEAF = 0  # the leaf of an empty slot; the batch circuit proves padding slots contribute nothing
MAX_DEPTH = 40


def _pair(left: int, right: int) -> int:
    return poseidon([left, right])


@dataclass(frozen=True)
class TreeShape:
    subtree_depth: int
    top_depth: int
    accounts: int
    batches: int

    @property
    def batch_size(self) -> int:
        return 1 << self.subtree_depth

    def level_counts(self) -> list[int]:
        counts = [self.batches * self.batch_size]
        for _ in range(self.subtree_depth + self.top_depth):
            counts.append((counts[-1] + 1) // 2)
        return counts

    def level_offsets(self) -> list[int]:
        offsets, at = [], _HEADER.size
        for count in self.level_counts():
            offsets.append(at)
            at += count * NODE
        return offsets + [at]


def shape_for(accounts: int, subtree_depth: int) -> TreeShape:
    if accounts < 1 or not 0 <= subtree_depth <= 20:
        raise ValueError("a tree needs at least one account and a subtree depth of 0..20")
    batches = -(-accounts // (1 << subtree_depth))
    return TreeShape(subtree_depth, (batches - 1).bit_length(), accounts, batches)


def build_levels(leaves: Sequence[int], subtree_depth: int) -> tuple[TreeShape, list[list[int]]]:
    """Every level of the tree, leaves first; the last level holds the root alone."""
    shape = shape_for(len(leaves), subtree_depth)
    level = list(leaves) + [PADDING_LEAF] * (shape.level_counts()[0] - len(leaves))
    levels = [level]
    for _ in range(shape.subtree_depth + shape.top_depth):
        level = level + [0] * (len(level) % 2)
        level = [_pair(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        levels.append(level)
    return shape, levels


def subtree_root(leaves: Sequence[int]) -> int:
    """The root over one batch's 2^s leaves (the number the batch circuit publishes)."""
    level = list(leaves)
    if len(level) & (len(level) - 1) or not level:
        raise ValueError("a subtree needs a power-of-two number of leaves")
    while len(level) > 1:
        level = [_pair(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def write_tree(path: str | os.PathLike, leaves: Sequence[int], subtree_depth: int) -> TreeShape:
    """Build the tree and write it all-or-nothing; returns its shape (the root is ``read_root``)."""
    shape, levels = build_levels(leaves, subtree_depth)
    parts = [_HEADER.pack(MAGIC, shape.subtree_depth, shape.top_depth, shape.accounts, shape.batches)]
    parts += [b"".join(node.to_bytes(NODE, "big") for node in level) for level in levels]
    atomic_write(path, b"".join(parts))
    return shape


@dataclass(frozen=True)
class InclusionPath:
    leaf_index: int
    leaf: int
    batch_path: tuple[int, ...]  # s siblings, bottom up
    top_path: tuple[int, ...]  # t siblings, bottom up

    @property
    def siblings(self) -> tuple[int, ...]:
        return self.batch_path + self.top_path


class TreeFile:
    """Random access to a tree file: a path costs s + t seeks of 32 bytes."""

    def __init__(self, path: str | os.PathLike):
        self.file = Path(path)
        self._handle: BinaryIO = open(self.file, "rb")
        try:
            self.shape = self._read_header()
        except BaseException:
            self._handle.close()
            raise

    def _read_header(self) -> TreeShape:
        raw = self._handle.read(_HEADER.size)
        if len(raw) != _HEADER.size or raw[:8] != MAGIC:
            raise FormatError(f"{self.file}: not a zkmargin tree file (bad magic or short header)")
        _, s, t, accounts, batches = _HEADER.unpack(raw)
        if s + t > MAX_DEPTH or batches < 1 or not (batches - 1) * (1 << s) < accounts <= batches << s:
            raise FormatError(f"{self.file}: inconsistent tree header")
        shape = TreeShape(s, t, accounts, batches)
        if shape.top_depth != (batches - 1).bit_length():
            raise FormatError(f"{self.file}: the top depth does not match the batch count")
        if os.fstat(self._handle.fileno()).st_size != shape.level_offsets()[-1]:
            raise FormatError(f"{self.file}: the file size does not match its header")
        return shape

    def node(self, level: int, index: int) -> int:
        """Node (level, index); an index past the level's end is the 0 that completes an odd level."""
        if index >= self.shape.level_counts()[level]:
            return 0
        self._handle.seek(self.shape.level_offsets()[level] + index * NODE)
        value = int.from_bytes(self._handle.read(NODE), "big")
        if value >= CURVE_ORDER:
            raise FormatError(f"{self.file}: node ({level}, {index}) is not a field element")
        return value

    def root(self) -> int:
        return self.node(self.shape.subtree_depth + self.shape.top_depth, 0)

    def batch_root(self, batch: int) -> int:
        return self.node(self.shape.subtree_depth, batch)

    def path(self, leaf_index: int) -> InclusionPath:
        if not 0 <= leaf_index < self.shape.accounts:
            raise FormatError(f"leaf index {leaf_index} is not an account of this tree (0..{self.shape.accounts - 1})")
        siblings = [self.node(level, (leaf_index >> level) ^ 1) for level in range(len(self.shape.level_counts()) - 1)]
        s = self.shape.subtree_depth
        return InclusionPath(leaf_index, self.node(0, leaf_index), tuple(siblings[:s]), tuple(siblings[s:]))

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> "TreeFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
