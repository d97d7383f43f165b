"""snarkjs's binary encodings of curve points and sparse coefficients, kept as bytes.

The ``.zkey`` and ``.ptau`` files store points affine, each coordinate as 32 little-endian
bytes in Montgomery form (x * 2^256 mod q), all-zero for infinity; ``.zkey`` section 4 stores
sparse matrix entries as (u32 matrix, u32 row, u32 column, 32-byte value). Keys are large,
and an engine with Montgomery limbs of its own can use these bytes as they are, so points
and entries read from disk stay encoded and are decoded one at a time only on demand.
This module sits below the engines and the file formats because both speak it.
"""

from __future__ import annotations

import struct
from abc import abstractmethod
from collections.abc import Sequence as SequenceABC
from typing import Optional, Sequence

from zkmargin.verifier.curve import CURVE_ORDER, FIELD_MODULUS

G1Affine = Optional[tuple[int, int]]
G2Affine = Optional[tuple[tuple[int, int], tuple[int, int]]]

#: Montgomery's radix for both fields' 4 x 64-bit limbs.
MONTGOMERY_RADIX = 1 << 256
_TO_MONTGOMERY_Q = MONTGOMERY_RADIX % FIELD_MODULUS
_FROM_MONTGOMERY_Q = pow(MONTGOMERY_RADIX, -1, FIELD_MODULUS)
#: A stored coefficient c is c * 2^512 mod r: one Montgomery product with a plain witness
#: value then lands in Montgomery form.
COEFFICIENT_SCALE = pow(MONTGOMERY_RADIX, 2, CURVE_ORDER)
_COEFFICIENT_UNSCALE = pow(COEFFICIENT_SCALE, -1, CURVE_ORDER)
COEFFICIENT_BYTES = 44  # u32 matrix, u32 row, u32 column, 32-byte value

#: (matrix, row, column, value): one entry of a sparse matrix.
Coefficient = tuple[int, int, int, int]


class PackedRecords(SequenceABC):
    """Fixed-size records kept as the bytes of a file; subclasses say how one decodes."""

    item_size: int

    def __init__(self, data: bytes | memoryview):
        self.data = data if isinstance(data, memoryview) else bytes(data)  # a view of a file is kept, not copied
        if len(self.data) % self.item_size:
            raise ValueError(f"{len(self.data)} bytes is not a whole number of {type(self).__name__} records")

    @abstractmethod
    def _decode(self, raw: bytes):
        """One record's value from its bytes."""

    def __len__(self) -> int:
        return len(self.data) // self.item_size

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        return self._decode(self.data[index * self.item_size : (index + 1) * self.item_size])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, type(self)):
            return self.data == other.data
        if isinstance(other, SequenceABC):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class EncodedPoints(PackedRecords):
    """Affine points of G1 (group 1) or G2 (group 2) in the file encoding."""

    def __init__(self, data: bytes, group: int):
        self.group = group
        self.item_size = 64 * group
        super().__init__(data)

    def _decode(self, raw: bytes):
        if not any(raw):
            return None
        words = (int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32))
        c = [w * _FROM_MONTGOMERY_Q % FIELD_MODULUS for w in words]
        return (c[0], c[1]) if self.group == 1 else ((c[0], c[1]), (c[2], c[3]))


class EncodedCoefficients(PackedRecords):
    """Sparse matrix entries in the section-4 encoding; indexing gives (matrix, row, column, c)."""

    item_size = COEFFICIENT_BYTES

    @classmethod
    def encode(cls, coefficients: Sequence[Coefficient]) -> "EncodedCoefficients":
        """The bytes of (matrix, row, column, c) entries. A circuit repeats few distinct
        coefficients (1, -1, Poseidon's constants) across ~25 entries a row, so each value is
        converted once."""
        if isinstance(coefficients, cls):
            return coefficients
        head = struct.Struct("<III").pack
        values: dict[int, bytes] = {}

        def value_bytes(c: int) -> bytes:
            encoded = values.get(c)
            if encoded is None:
                encoded = values[c] = (c * COEFFICIENT_SCALE % CURVE_ORDER).to_bytes(32, "little")
            return encoded

        return cls(b"".join(head(m, row, column) + value_bytes(c) for m, row, column, c in coefficients))

    def _decode(self, raw: bytes):
        m, row, column = (int.from_bytes(raw[4 * k : 4 * k + 4], "little") for k in range(3))
        return m, row, column, int.from_bytes(raw[12:44], "little") * _COEFFICIENT_UNSCALE % CURVE_ORDER


def _coordinate_bytes(value: int) -> bytes:
    return (value * _TO_MONTGOMERY_Q % FIELD_MODULUS).to_bytes(32, "little")


def g1_bytes(p: G1Affine) -> bytes:
    return bytes(64) if p is None else _coordinate_bytes(p[0]) + _coordinate_bytes(p[1])


def g2_bytes(p: G2Affine) -> bytes:
    if p is None:
        return bytes(128)
    (x0, x1), (y0, y1) = p
    return b"".join(_coordinate_bytes(c) for c in (x0, x1, y0, y1))


def points_bytes(points: Sequence[G1Affine] | Sequence[G2Affine], group: int) -> bytes:
    """The file encoding of a list of points (free for EncodedPoints, which already are)."""
    if isinstance(points, EncodedPoints):
        return points.data
    encode = g1_bytes if group == 1 else g2_bytes
    return b"".join(encode(p) for p in points)  # type: ignore[arg-type]
