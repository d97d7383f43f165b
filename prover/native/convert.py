"""Python integers to and from (n, 4) uint64 limb arrays, at the engine's edge. numba-free:
a proof imports it before any kernel."""

from __future__ import annotations

import numpy as np


def limbs(value: int) -> tuple[int, int, int, int]:
    return tuple((value >> (64 * i)) & 0xFFFFFFFFFFFFFFFF for i in range(4))  # type: ignore[return-value]


def to_array(values, modulus: int, montgomery: bool) -> np.ndarray:
    """Python ints -> (n, 4) uint64 limbs, optionally in Montgomery form."""
    if montgomery:
        values = [(v << 256) % modulus for v in values]
    data = b"".join(int(v).to_bytes(32, "little") for v in values)
    return np.frombuffer(data, dtype="<u8").reshape(len(values), 4).copy()


def from_array(array: np.ndarray, modulus: int, montgomery: bool) -> list[int]:
    raw = np.ascontiguousarray(array, dtype="<u8").tobytes()
    values = [int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32)]
    if montgomery:
        inverse = pow(1 << 256, -1, modulus)
        values = [v * inverse % modulus for v in values]
    return values
