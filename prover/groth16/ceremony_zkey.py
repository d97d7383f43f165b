"""A phase-2 key as its raw sections: contributions rewrite only delta (in the header), the C and
H queries and the contribution record, and copy everything else byte for byte, as snarkjs
does, so keeping sections as bytes is both the fastest and the most faithful way to edit one.
"""

from __future__ import annotations

import os
import struct

from zkmargin.circuits import binfile
from zkmargin.circuits.binfile import FIELD_BYTES, int_to_bytes, u32
from zkmargin.verifier.curve import CURVE_ORDER, FIELD_MODULUS
from zkmargin.verifier.files import FormatError
from zkmargin.circuits.files import atomic_write

from ..encoding import EncodedPoints, G1Affine, G2Affine, g1_bytes, g2_bytes
from .zkey import GROTH16, ZKEY_MAGIC
from .ceremony_transcript import MPCParams, parse_mpc

#: Offsets inside section 2: 84 bytes of sizes and primes, then alpha1, beta1, beta2, gamma2, delta1, delta2.
HEADER_POINTS = 84
DELTA1, DELTA2, HEADER_SIZE = 468, 532, 660

Sections = dict[int, bytes]


def header_bytes(
    n_vars: int,
    n_public: int,
    domain: int,
    alpha_1: G1Affine,
    beta_1: G1Affine,
    beta_2: G2Affine,
    gamma_2: G2Affine,
    delta_1: G1Affine,
    delta_2: G2Affine,
) -> bytes:
    return b"".join(
        [
            u32(FIELD_BYTES),
            int_to_bytes(FIELD_MODULUS),
            u32(FIELD_BYTES),
            int_to_bytes(CURVE_ORDER),
            u32(n_vars),
            u32(n_public),
            u32(domain),
            g1_bytes(alpha_1),
            g1_bytes(beta_1),
            g2_bytes(beta_2),
            g2_bytes(gamma_2),
            g1_bytes(delta_1),
            g2_bytes(delta_2),
        ]
    )


def read_sections(path: str | os.PathLike) -> Sections:
    name = str(path)
    _, views = binfile.read(path, ZKEY_MAGIC)
    sections = {kind: bytes(view) for kind, view in views.items()}  # a ceremony rewrites them as bytes
    for kind in range(1, 11):
        binfile.require(sections, kind, name)
    if len(sections[1]) != 4 or struct.unpack("<I", sections[1])[0] != GROTH16:
        raise FormatError(f"{name}: not a Groth16 proving key")
    head = sections[2]
    if (
        len(head) != HEADER_SIZE
        or head[:4] != u32(FIELD_BYTES)
        or int.from_bytes(head[4:36], "little") != FIELD_MODULUS
    ):
        raise FormatError(f"{name}: proving key header is malformed or not for BN254")
    n_vars, n_public, domain = sizes(sections)
    for kind, count, group in (
        (3, n_public + 1, 1),
        (5, n_vars, 1),
        (6, n_vars, 1),
        (7, n_vars, 2),
        (8, n_vars - n_public - 1, 1),
        (9, domain, 1),
    ):
        if len(sections[kind]) != count * 64 * group:
            raise FormatError(f"{name}: section {kind} should hold {count} points")
    return sections


#: The order ``snarkjs zkey new`` writes sections in (contribute and beacon write 1 to 10):
#: an initial key from either tool is then the same file, byte for byte.
NEW_KEY_ORDER = (1, 2, 4, 3, 9, 8, 5, 6, 7, 10)


def write_sections(path: str | os.PathLike, sections: Sections, order: tuple[int, ...] | None = None) -> None:
    kinds = order or sorted(sections)
    atomic_write(path, binfile.encode(ZKEY_MAGIC, 1, [(k, sections[k]) for k in kinds]))


def sizes(sections: Sections) -> tuple[int, int, int]:
    """(nVars, nPublic, domainSize)."""
    return struct.unpack_from("<III", sections[2], 72)


def header_point(sections: Sections, offset: int, group: int):
    return EncodedPoints(sections[2][offset : offset + 64 * group], group)[0]


def with_delta(sections: Sections, delta_1: G1Affine, delta_2: G2Affine) -> bytes:
    head = sections[2]
    return head[:DELTA1] + g1_bytes(delta_1) + g2_bytes(delta_2) + head[HEADER_SIZE:]


def mpc_of(sections: Sections, name: str) -> MPCParams:
    return parse_mpc(sections[10], name)
