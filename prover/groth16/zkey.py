"""Groth16 proving keys, stored as snarkjs ``.zkey`` files (magic "zkey", version 1).

Using snarkjs's own format means ``snarkjs groth16 prove`` accepts our keys and we can
prove from keys snarkjs made. Curve points are affine, each coordinate in Montgomery form
(x * 2^256 mod q); section-4 coefficients are stored as c * 2^512 mod r (see ../encoding.py).
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass, field
from typing import Sequence

from zkmargin.circuits import binfile
from zkmargin.circuits.binfile import FIELD_BYTES, int_from_bytes, int_to_bytes, u32
from zkmargin.circuits.r1cs import R1CS
from zkmargin.circuits.files import atomic_write
from zkmargin.verifier.curve import CURVE_ORDER, FIELD_MODULUS, G1_INFINITY, g1_from_affine, g2_from_affine
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.formats import VerifyingKey

from ..encoding import (
    COEFFICIENT_BYTES,
    Coefficient,
    EncodedCoefficients,
    EncodedPoints,
    G1Affine,
    G2Affine,
    g1_bytes,
    g2_bytes,
    points_bytes,
)
from ..key_checks import check_coefficients, check_header_point, check_points
from ..mapped import read_sections, release
from .reduction import coefficients_of, domain_size

ZKEY_MAGIC = b"zkey"
GROTH16 = 1


@dataclass
class ProvingKey:
    n_vars: int
    n_public: int
    domain_size: int
    alpha_1: G1Affine
    beta_1: G1Affine
    beta_2: G2Affine
    gamma_2: G2Affine
    delta_1: G1Affine
    delta_2: G2Affine
    ic: Sequence[G1Affine]
    coefficients: Sequence[Coefficient]  # a list, or EncodedCoefficients from a file
    # The query vectors are lists, or EncodedPoints when read from a file or made by an
    # engine that writes the encoding itself.
    a: Sequence[G1Affine]
    b1: Sequence[G1Affine]
    b2: Sequence[G2Affine]
    c: Sequence[G1Affine]  # private wires only: nVars - nPublic - 1 points
    h: Sequence[G1Affine]
    #: Section 10 as read (circuit hash and ceremony contributions), kept so that a key
    #: from a ceremony is written back with its record; None for a key made here. Not part of
    #: equality: two keys with the same points prove and verify the same statements.
    mpc: bytes | None = field(default=None, compare=False)

    def verifying_key(self) -> VerifyingKey:
        def g1(p: G1Affine):
            return G1_INFINITY if p is None else g1_from_affine(*p)

        def g2(p: G2Affine):
            return g2_from_affine(*p)

        ic = tuple(g1(p) for p in self.ic)
        return VerifyingKey(g1(self.alpha_1), g2(self.beta_2), g2(self.gamma_2), g2(self.delta_2), ic)

    def check_matches(self, r1cs: R1CS) -> None:
        """Refuse a key made for another circuit: same sizes and the same A and B matrices."""
        if (self.n_vars, self.n_public, self.domain_size) != (r1cs.n_wires, r1cs.n_public, domain_size(r1cs)):
            raise FormatError(
                f"proving key is for a circuit with {self.n_vars} wires and {self.n_public} public inputs, "
                f"this circuit has {r1cs.n_wires} and {r1cs.n_public}: run setup for it"
            )
        # Compared in the file's encoding: decoding a key's ~25 entries a row into integers
        # one by one took longer than the proof itself.
        if EncodedCoefficients.encode(self.coefficients).data != EncodedCoefficients.encode(coefficients_of(r1cs)).data:
            raise FormatError("proving key was made for a different circuit of the same size: run setup for it")


# ---------------------------------------------------------------------- file
def _encoded(data: bytes, group: int, name: str, expected: int) -> EncodedPoints:
    if len(data) != 64 * group * expected:
        raise FormatError(f"{name}: expected {expected} points")
    return EncodedPoints(data, group)


def zkey_bytes(pk: ProvingKey) -> bytes:
    header = b"".join(
        [
            u32(FIELD_BYTES),
            int_to_bytes(FIELD_MODULUS),
            u32(FIELD_BYTES),
            int_to_bytes(CURVE_ORDER),
            u32(pk.n_vars),
            u32(pk.n_public),
            u32(pk.domain_size),
            g1_bytes(pk.alpha_1),
            g1_bytes(pk.beta_1),
            g2_bytes(pk.beta_2),
            g2_bytes(pk.gamma_2),
            g1_bytes(pk.delta_1),
            g2_bytes(pk.delta_2),
        ]
    )
    coefs = u32(len(pk.coefficients)) + EncodedCoefficients.encode(pk.coefficients).data

    sections = [
        (1, u32(GROTH16)),
        (2, header),
        (3, points_bytes(pk.ic, 1)),
        (4, coefs),
        (5, points_bytes(pk.a, 1)),
        (6, points_bytes(pk.b1, 1)),
        (7, points_bytes(pk.b2, 2)),
        (8, points_bytes(pk.c, 1)),
        (9, points_bytes(pk.h, 1)),
    ]
    # Section 10 opens with a 64-byte circuit hash; snarkjs hashes the key as it builds it
    # from a ptau. Ours is BLAKE2b-512 of the sections above, and no MPC contributions.
    if pk.mpc is not None:
        sections.append((10, pk.mpc))
    else:
        digest = hashlib.blake2b(b"".join(data for _, data in sections), digest_size=64).digest()
        sections.append((10, digest + u32(0)))
    return binfile.encode(ZKEY_MAGIC, 1, sections)


def write_zkey(pk: ProvingKey, path: str | os.PathLike) -> None:
    atomic_write(path, zkey_bytes(pk))


def read_zkey(path: str | os.PathLike) -> ProvingKey:
    name = str(path)
    _, s = read_sections(path, ZKEY_MAGIC)  # mapped: prove() lets each section go after its phase
    kind = binfile.require(s, 1, name)
    if len(kind) < 4 or struct.unpack_from("<I", kind)[0] != GROTH16:
        raise FormatError(f"{name}: not a Groth16 proving key")
    h = binfile.require(s, 2, name)
    try:
        n8q = struct.unpack_from("<I", h, 0)[0]
        q = int_from_bytes(h[4 : 4 + n8q])
        off = 4 + n8q
        n8r = struct.unpack_from("<I", h, off)[0]
        r = int_from_bytes(h[off + 4 : off + 4 + n8r])
        off += 4 + n8r
        if (q, r) != (FIELD_MODULUS, CURVE_ORDER):
            raise FormatError(f"{name}: proving key is not for BN254")
        n_vars, n_public, n_domain = struct.unpack_from("<III", h, off)
        off += 12
        if len(h) < off + 576:
            raise struct.error("short header")
    except struct.error:
        raise FormatError(f"{name}: header section is truncated") from None
    if not n_public < n_vars or n_domain & (n_domain - 1) or not n_public < n_domain:
        raise FormatError(
            f"{name}: header sizes are inconsistent ({n_vars} wires, {n_public} public, domain {n_domain})"
        )

    def header_point(at: int, group: int, what: str):
        return check_header_point(
            _encoded(h[off + at : off + at + 64 * group], group, f"{name} {what}", 1), f"{name} {what}"
        )

    def points(section: int, group: int, what: str, count: int) -> EncodedPoints:
        checked = check_points(
            _encoded(binfile.require(s, section, name), group, f"{name} {what}", count), f"{name} {what}"
        )
        release(checked.data)  # checked; its MSM maps it back in when it runs
        return checked

    alpha_1, beta_1, beta_2 = (
        header_point(0, 1, "alpha_1"),
        header_point(64, 1, "beta_1"),
        header_point(128, 2, "beta_2"),
    )
    gamma_2, delta_1, delta_2 = (
        header_point(256, 2, "gamma_2"),
        header_point(384, 1, "delta_1"),
        header_point(448, 2, "delta_2"),
    )
    raw = binfile.require(s, 4, name)
    if len(raw) < 4 or len(raw) != 4 + struct.unpack_from("<I", raw)[0] * COEFFICIENT_BYTES:
        raise FormatError(f"{name}: coefficient section has the wrong size")
    coefficients = check_coefficients(raw[4:], f"{name} coefficients", n_vars, n_domain)
    release(coefficients.data)
    return ProvingKey(
        n_vars,
        n_public,
        n_domain,
        alpha_1,
        beta_1,
        beta_2,
        gamma_2,
        delta_1,
        delta_2,
        ic=points(3, 1, "IC", n_public + 1),
        coefficients=coefficients,
        a=points(5, 1, "A", n_vars),
        b1=points(6, 1, "B1", n_vars),
        b2=points(7, 2, "B2", n_vars),
        c=points(8, 1, "C", n_vars - n_public - 1),
        h=points(9, 1, "H", n_domain),
        mpc=bytes(s[10]) if 10 in s else None,
    )
