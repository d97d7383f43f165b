"""The arithmetic engine interface: multi-scalar multiplication, fixed-base tables and NTTs.

Everything expensive in setup and proving goes through one of these few calls, so a
faster engine (native code) can replace the reference one without touching the protocol
code. Points cross the boundary as affine integer coordinates, never as engine objects:
G1 (x, y), G2 ((x.c0, x.c1), (y.c0, y.c1)), None for the point at infinity.
"""

from __future__ import annotations

import struct
from abc import ABC, abstractmethod
from collections.abc import Sequence as SequenceABC
from typing import Any, Optional, Sequence

from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import FIELD_MODULUS as Q

G1Affine = Optional[tuple[int, int]]
G2Affine = Optional[tuple[tuple[int, int], tuple[int, int]]]

_MONT_INV = pow(1 << 256, -1, Q)
#: .zkey section 4 stores a coefficient c as c * R2 mod r (R = 2^256).
R2 = pow(1 << 256, 2, R)
_R2_INV = pow(R2, -1, R)
COEFFICIENT_BYTES = 44  # u32 matrix, u32 row, u32 wire, 32-byte value


class _Encoded(SequenceABC):
    """Fixed-size records kept as the bytes of a file, decoded one at a time on demand.

    Keys are large and an engine with Montgomery limbs of its own can use these bytes as
    they are, so keys read from disk stay encoded."""

    item_size: int

    def __init__(self, data: bytes):
        self.data = bytes(data)
        if len(self.data) % self.item_size:
            raise ValueError(f"{len(self.data)} bytes is not a whole number of {type(self).__name__} records")

    def _decode(self, raw: bytes):
        raise NotImplementedError

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


class EncodedPoints(_Encoded):
    """Affine points in the .zkey/.ptau encoding: each coordinate (G2: c0 then c1) as 32
    little-endian bytes in Montgomery form, all-zero for infinity."""

    def __init__(self, data: bytes, group: int):
        self.group = group
        self.item_size = 64 * group
        super().__init__(data)

    def _decode(self, raw: bytes):
        if not any(raw):
            return None
        c = [int.from_bytes(raw[i : i + 32], "little") * _MONT_INV % Q for i in range(0, len(raw), 32)]
        return (c[0], c[1]) if self.group == 1 else ((c[0], c[1]), (c[2], c[3]))


class EncodedCoefficients(_Encoded):
    """The A and B matrix entries in .zkey section-4 form: (matrix, row, wire) as u32 and the
    coefficient as c * R2 mod r. Indexing gives (m, row, wire, c)."""

    item_size = COEFFICIENT_BYTES

    @classmethod
    def encode(cls, coefficients: Sequence[tuple[int, int, int, int]]) -> "EncodedCoefficients":
        """The section-4 bytes of (m, row, wire, c) entries. A circuit repeats few distinct
        coefficients (1, -1, Poseidon's constants) across ~25 entries a row, so each value is
        converted once."""
        if isinstance(coefficients, cls):
            return coefficients
        head = struct.Struct("<III").pack
        values: dict[int, bytes] = {}

        def value_bytes(c: int) -> bytes:
            encoded = values.get(c)
            if encoded is None:
                encoded = values[c] = (c * R2 % R).to_bytes(32, "little")
            return encoded

        return cls(b"".join(head(m, row, wire) + value_bytes(c) for m, row, wire, c in coefficients))

    def _decode(self, raw: bytes):
        m, row, wire = (int.from_bytes(raw[4 * k : 4 * k + 4], "little") for k in range(3))
        return m, row, wire, int.from_bytes(raw[12:44], "little") * _R2_INV % R


class Engine(ABC):
    name: str = "abstract"

    def load(self) -> None:
        """Get compiled code ready before the first real call, so that timings of the first
        phase measure work, not loading (the native engine loads numba's cached machine code)."""

    @abstractmethod
    def prepare_g1(self, points: Sequence[G1Affine]) -> Any:
        """Convert bases (a list of affine points or EncodedPoints) into the engine's own form."""

    @abstractmethod
    def prepare_g2(self, points: Sequence[G2Affine]) -> Any: ...

    def prepare_scalars(self, values: Sequence[int]) -> Any:
        """Convert scalars once (a witness feeds four MSMs); slicing must still work."""
        return list(values)

    @abstractmethod
    def msm_g1(self, bases: Any, scalars: Sequence[int]) -> G1Affine:
        """sum_i scalars[i] * bases[i] (scalars reduced, 0 <= s < r)."""

    @abstractmethod
    def msm_g2(self, bases: Any, scalars: Sequence[int]) -> G2Affine: ...

    @abstractmethod
    def fixed_base_g1(self, scalars: Sequence[int]) -> Sequence[G1Affine]:
        """[s * G1 for s in scalars]: setup's many multiples of the generator (a list, or
        EncodedPoints when the engine produces the file encoding directly)."""

    @abstractmethod
    def fixed_base_g2(self, scalars: Sequence[int]) -> Sequence[G2Affine]: ...

    @abstractmethod
    def ntt(self, values: Sequence[int], inverse: bool = False) -> list[int]:
        """Evaluations on the domain of size len(values) from coefficients, or back."""

    def quotient_evaluations(self, coefficients: Sequence[tuple[int, int, int, int]], witness: Sequence[int], n: int) -> Sequence[int]:
        """h_i = a_i b_i - c_i on the odd coset of the 2n domain, where a and b are the A and
        B rows applied to the witness (from the key's coefficients) and c = a * b on the domain."""
        a, b = [0] * n, [0] * n
        for matrix, row, wire, coef in coefficients:
            target = a if matrix == 0 else b
            target[row] = (target[row] + coef * witness[wire]) % R
        c = [x * y % R for x, y in zip(a, b)]
        a_odd, b_odd, c_odd = (self.odd_coset(v) for v in (a, b, c))
        return [(x * y - z) % R for x, y, z in zip(a_odd, b_odd, c_odd)]

    def odd_coset(self, evaluations: Sequence[int]) -> list[int]:
        """From evaluations on the n domain to evaluations on the odd points of the 2n one."""
        from .domain import root_of_unity

        n = len(evaluations)
        coefficients = self.ntt(evaluations, inverse=True)
        shift, factor = root_of_unity(n.bit_length()), 1
        for i in range(n):
            coefficients[i] = coefficients[i] * factor % R
            factor = factor * shift % R
        return self.ntt(coefficients)


_ENGINES: dict[str, type[Engine]] = {}


def register(cls: type[Engine]) -> type[Engine]:
    _ENGINES[cls.name] = cls
    return cls


def available() -> list[str]:
    return sorted(_ENGINES)


def get_engine(name: str | None = None) -> Engine:
    """The named engine, or the fastest one that works on this machine."""
    from . import reference_engine  # noqa: F401  (registers itself)

    try:
        from . import native  # noqa: F401  (registers itself when numba imports)
    except ImportError:
        pass
    if name is None:
        name = "native" if "native" in _ENGINES else "reference"
    try:
        return _ENGINES[name]()
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; available: {', '.join(available())}") from None
