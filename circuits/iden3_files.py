"""iden3 ``.r1cs`` (v1) and ``.wtns`` (v2) files, as circom writes and snarkjs reads them."""

from __future__ import annotations

import os
import struct
from typing import Sequence

from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.files import FormatError, atomic_write

from . import binfile
from .binfile import FIELD_BYTES, int_from_bytes, int_to_bytes, u32, u64
from .r1cs import R1CS, Constraint

R1CS_MAGIC, WTNS_MAGIC = b"r1cs", b"wtns"


def _row_bytes(row: dict[int, int]) -> bytes:
    parts = [u32(len(row))]
    for wire in sorted(row):
        parts += [u32(wire), int_to_bytes(row[wire])]
    return b"".join(parts)


def r1cs_bytes(r1cs: R1CS) -> bytes:
    header = b"".join(
        [
            u32(FIELD_BYTES),
            int_to_bytes(CURVE_ORDER),
            u32(r1cs.n_wires),
            u32(0),  # public outputs: zkmargin exposes only public inputs
            u32(r1cs.n_public),
            u32(r1cs.n_private_inputs),
            u64(r1cs.n_wires),  # labels: one per wire
            u32(r1cs.n_constraints),
        ]
    )
    constraints = b"".join(_row_bytes(c.a) + _row_bytes(c.b) + _row_bytes(c.c) for c in r1cs.constraints)
    labels = b"".join(u64(i) for i in range(r1cs.n_wires))
    return binfile.encode(R1CS_MAGIC, 1, [(1, header), (2, constraints), (3, labels)])


def write_r1cs(r1cs: R1CS, path: str | os.PathLike) -> None:
    atomic_write(path, r1cs_bytes(r1cs))


def read_r1cs(path: str | os.PathLike) -> R1CS:
    name = str(path)
    version, sections = binfile.read(path, R1CS_MAGIC)
    if version != 1:
        raise FormatError(f"{name}: r1cs version {version} is not supported (expected 1)")
    header = binfile.require(sections, 1, name)
    (n8,) = struct.unpack_from("<I", header, 0)
    if n8 != FIELD_BYTES or int_from_bytes(header[4 : 4 + n8]) != CURVE_ORDER:
        raise FormatError(f"{name}: not over the BN254 scalar field")
    n_wires, n_out, n_pub_in, n_prv_in = struct.unpack_from("<IIII", header, 4 + n8)
    (n_constraints,) = struct.unpack_from("<I", header, 4 + n8 + 16 + 8)
    data, offset = binfile.require(sections, 2, name), 0

    def row() -> dict[int, int]:
        nonlocal offset
        (count,) = struct.unpack_from("<I", data, offset)
        offset += 4
        result = {}
        for _ in range(count):
            (wire,) = struct.unpack_from("<I", data, offset)
            result[wire] = int_from_bytes(data[offset + 4 : offset + 4 + n8])
            offset += 4 + n8
        return result

    try:
        constraints = [Constraint(row(), row(), row()) for _ in range(n_constraints)]
    except struct.error:
        raise FormatError(f"{name}: constraint section is truncated") from None
    return R1CS(n_wires, n_out + n_pub_in, n_prv_in, constraints)


def wtns_bytes(witness: Sequence[int]) -> bytes:
    header = u32(FIELD_BYTES) + int_to_bytes(CURVE_ORDER) + u32(len(witness))
    values = b"".join(int_to_bytes(v) for v in witness)
    return binfile.encode(WTNS_MAGIC, 2, [(1, header), (2, values)])


def write_wtns(witness: Sequence[int], path: str | os.PathLike) -> None:
    atomic_write(path, wtns_bytes(witness))


def read_wtns(path: str | os.PathLike) -> list[int]:
    name = str(path)
    _, sections = binfile.read(path, WTNS_MAGIC)
    header = binfile.require(sections, 1, name)
    (n8,) = struct.unpack_from("<I", header, 0)
    if n8 != FIELD_BYTES or int_from_bytes(header[4 : 4 + n8]) != CURVE_ORDER:
        raise FormatError(f"{name}: witness is not over the BN254 scalar field")
    (count,) = struct.unpack_from("<I", header, 4 + n8)
    data = binfile.require(sections, 2, name)
    if len(data) != count * n8:
        raise FormatError(f"{name}: expected {count} witness values")
    return [int_from_bytes(data[i * n8 : (i + 1) * n8]) for i in range(count)]
