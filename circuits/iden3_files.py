"""iden3 ``.r1cs`` (v1) and ``.wtns`` (v2) files, as circom writes and snarkjs reads them."""

from __future__ import annotations

import os
import struct
from typing import Sequence

import numpy as np

from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.files import FormatError
from .files import atomic_write

from . import binfile
from .binfile import FIELD_BYTES, int_from_bytes, int_to_bytes, u32, u64
from .r1cs import R1CS, Constraint
from .witness_program import limb_integers, limbs_below

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


def _field_header(header: bytes, name: str, what: str) -> int:
    """The n8 and prime that open both headers: BN254's r, 32 bytes; the offset after them."""
    (n8,) = binfile.unpack("<I", header, 0, name, "header")
    if n8 != FIELD_BYTES or int_from_bytes(header[4 : 4 + n8]) != CURVE_ORDER:
        raise FormatError(f"{name}: {what} is not over the BN254 scalar field")
    return 4 + n8


def read_r1cs(path: str | os.PathLike) -> R1CS:
    """Strictly: counts against the section sizes before any list is built, wires below
    nWires, coefficients below r, and nothing after the last constraint."""
    name = str(path)
    version, sections = binfile.read(path, R1CS_MAGIC)
    if version != 1:
        raise FormatError(f"{name}: r1cs version {version} is not supported (expected 1)")
    header = binfile.require(sections, 1, name)
    at = _field_header(header, name, "constraint system")
    n_wires, n_out, n_pub_in, n_prv_in, _, n_constraints = binfile.unpack("<IIIIQI", header, at, name, "header")
    if 1 + n_out + n_pub_in + n_prv_in > n_wires:
        raise FormatError(f"{name}: header counts more inputs than its {n_wires} wires")
    data, offset = binfile.require(sections, 2, name), 0
    if n_constraints * 12 > len(data):  # three u32 term counts per constraint at least
        raise FormatError(f"{name}: {n_constraints} constraints cannot fit in a {len(data)}-byte section")

    def row() -> dict[int, int]:
        nonlocal offset
        (count,) = struct.unpack_from("<I", data, offset)
        offset += 4
        if offset + count * (4 + n8) > len(data):
            raise struct.error("row past the end")
        result = {}
        for _ in range(count):
            (wire,) = struct.unpack_from("<I", data, offset)
            value = int_from_bytes(data[offset + 4 : offset + 4 + n8])
            if wire >= n_wires or value >= CURVE_ORDER:
                raise FormatError(
                    f"{name}: constraint term names wire {wire} of {n_wires} or a coefficient not below r"
                )
            result[wire] = value
            offset += 4 + n8
        return result

    n8 = FIELD_BYTES
    try:
        constraints = [Constraint(row(), row(), row()) for _ in range(n_constraints)]
    except struct.error:
        raise FormatError(f"{name}: constraint section is truncated") from None
    if offset != len(data):
        raise FormatError(f"{name}: {len(data) - offset} bytes follow the last constraint")
    return R1CS(n_wires, n_out + n_pub_in, n_prv_in, constraints)


def wtns_bytes(witness: Sequence[int]) -> bytes:
    header = u32(FIELD_BYTES) + int_to_bytes(CURVE_ORDER) + u32(len(witness))
    values = b"".join(int_to_bytes(v) for v in witness)
    return binfile.encode(WTNS_MAGIC, 2, [(1, header), (2, values)])


def write_wtns(witness: Sequence[int], path: str | os.PathLike) -> None:
    atomic_write(path, wtns_bytes(witness))


def read_wtns_limbs(path: str | os.PathLike) -> np.ndarray:
    """The witness as (n, 4) little-endian uint64 limbs over the file's bytes: the form the
    prover's MSMs take (a compiled witness's), with no Python integer per value."""
    name = str(path)
    version, sections = binfile.read(path, WTNS_MAGIC)
    if version != 2:
        raise FormatError(f"{name}: wtns version {version} is not supported (expected 2)")
    header = binfile.require(sections, 1, name)
    (count,) = binfile.unpack("<I", header, _field_header(header, name, "witness"), name, "header")
    data = binfile.require(sections, 2, name)
    if len(data) != count * FIELD_BYTES:
        raise FormatError(f"{name}: expected {count} witness values")
    values = np.frombuffer(data, dtype="<u8").reshape(count, 4)
    if not limbs_below(values, CURVE_ORDER).all():
        raise FormatError(f"{name}: a witness value is not below r")
    return values


def read_wtns(path: str | os.PathLike) -> list[int]:
    return limb_integers(read_wtns_limbs(path))
