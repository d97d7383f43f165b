"""Groth16 proving keys, stored as snarkjs ``.zkey`` files (magic "zkey", version 1).

Using snarkjs's own format means ``snarkjs groth16 prove`` accepts our keys and we can
prove from keys snarkjs made. Curve points are affine, each coordinate in Montgomery form
(x * 2^256 mod q); section-4 coefficients are stored as c * R^2 mod r (R = 2^256).
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass
from typing import Sequence

from zkmargin.circuits import binfile
from zkmargin.circuits.binfile import FIELD_BYTES, int_from_bytes, int_to_bytes, u32
from zkmargin.circuits.r1cs import R1CS
from zkmargin.verifier.curve import CURVE_ORDER, FIELD_MODULUS, g1_from_affine, g2_from_affine
from zkmargin.verifier.files import FormatError, atomic_write
from zkmargin.verifier.formats import VerifyingKey

from .engine import EncodedCoefficients, EncodedPoints, G1Affine, G2Affine

ZKEY_MAGIC = b"zkey"
GROTH16 = 1
_MONT_Q = (1 << 256) % FIELD_MODULUS

#: (matrix 0 = A / 1 = B, constraint row, wire, coefficient)
Coefficient = tuple[int, int, int, int]


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
    #: from a ceremony is written back with its record; None for a key made here.
    mpc: bytes | None = None

    def verifying_key(self) -> VerifyingKey:
        def g1(p: G1Affine):
            return g1_from_affine(*p)

        def g2(p: G2Affine):
            return g2_from_affine(*p)

        return VerifyingKey(g1(self.alpha_1), g2(self.beta_2), g2(self.gamma_2), g2(self.delta_2), tuple(g1(p) for p in self.ic))

    def check_matches(self, r1cs: R1CS) -> None:
        """Refuse a key made for another circuit: same sizes and the same A and B matrices."""
        if (self.n_vars, self.n_public, self.domain_size) != (r1cs.n_wires, r1cs.n_public, r1cs.domain_size()):
            raise FormatError(
                f"proving key is for a circuit with {self.n_vars} wires and {self.n_public} public inputs, "
                f"this circuit has {r1cs.n_wires} and {r1cs.n_public}: run setup for it"
            )
        # Compared in the file's encoding: decoding a key's ~25 entries a row into integers
        # one by one took longer than the proof itself.
        if EncodedCoefficients.encode(self.coefficients).data != EncodedCoefficients.encode(coefficients_of(r1cs)).data:
            raise FormatError("proving key was made for a different circuit of the same size: run setup for it")


def coefficients_of(r1cs: R1CS) -> list[Coefficient]:
    """Section 4: the A and B entries, then A[nConstraints + s][s] = 1 for s = 0..nPublic.

    The extra rows make the public wires' polynomials linearly independent, which Groth16's
    soundness needs and which snarkjs adds in the same way.
    """
    out: list[Coefficient] = []
    for row, con in enumerate(r1cs.constraints):
        out += [(0, row, wire, coef) for wire, coef in con.a.items()]
        out += [(1, row, wire, coef) for wire, coef in con.b.items()]
    out += [(0, r1cs.n_constraints + s, s, 1) for s in range(r1cs.n_public + 1)]
    return out


# ------------------------------------------------------------------ encoding
def _fq(value: int) -> bytes:
    return int_to_bytes(value * _MONT_Q % FIELD_MODULUS)


def g1_bytes(p: G1Affine) -> bytes:
    return bytes(64) if p is None else _fq(p[0]) + _fq(p[1])


def g2_bytes(p: G2Affine) -> bytes:
    if p is None:
        return bytes(128)
    (x0, x1), (y0, y1) = p
    return _fq(x0) + _fq(x1) + _fq(y0) + _fq(y1)


def _point_at(data: bytes, offset: int, group: int):
    return EncodedPoints(data[offset : offset + 64 * group], group)[0]


def _encoded(data: bytes, group: int, name: str, expected: int) -> EncodedPoints:
    if len(data) != 64 * group * expected:
        raise FormatError(f"{name}: expected {expected} points")
    return EncodedPoints(data, group)


def points_bytes(points: Sequence[G1Affine] | Sequence[G2Affine], group: int) -> bytes:
    """The file encoding of a list of points (free for EncodedPoints, which already are)."""
    if isinstance(points, EncodedPoints):
        return points.data
    encode = g1_bytes if group == 1 else g2_bytes
    return b"".join(encode(p) for p in points)  # type: ignore[arg-type]


def zkey_bytes(pk: ProvingKey) -> bytes:
    header = b"".join(
        [
            u32(FIELD_BYTES), int_to_bytes(FIELD_MODULUS),
            u32(FIELD_BYTES), int_to_bytes(CURVE_ORDER),
            u32(pk.n_vars), u32(pk.n_public), u32(pk.domain_size),
            g1_bytes(pk.alpha_1), g1_bytes(pk.beta_1), g2_bytes(pk.beta_2),
            g2_bytes(pk.gamma_2), g1_bytes(pk.delta_1), g2_bytes(pk.delta_2),
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
    _, s = binfile.read(path, ZKEY_MAGIC)
    if struct.unpack("<I", binfile.require(s, 1, name)[:4])[0] != GROTH16:
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
        n_vars, n_public, domain_size = struct.unpack_from("<III", h, off)
        off += 12
        if len(h) < off + 576:
            raise struct.error("short header")
        alpha_1, beta_1 = _point_at(h, off, 1), _point_at(h, off + 64, 1)
        beta_2, gamma_2 = _point_at(h, off + 128, 2), _point_at(h, off + 256, 2)
        delta_1, delta_2 = _point_at(h, off + 384, 1), _point_at(h, off + 448, 2)
    except struct.error:
        raise FormatError(f"{name}: header section is truncated") from None
    raw = binfile.require(s, 4, name)
    (count,) = struct.unpack_from("<I", raw, 0)
    if len(raw) != 4 + count * 44:
        raise FormatError(f"{name}: coefficient section has the wrong size")
    coefficients = EncodedCoefficients(raw[4:])
    return ProvingKey(
        n_vars, n_public, domain_size, alpha_1, beta_1, beta_2, gamma_2, delta_1, delta_2,
        ic=_encoded(binfile.require(s, 3, name), 1, f"{name} IC", n_public + 1),
        coefficients=coefficients,
        a=_encoded(binfile.require(s, 5, name), 1, f"{name} A", n_vars),
        b1=_encoded(binfile.require(s, 6, name), 1, f"{name} B1", n_vars),
        b2=_encoded(binfile.require(s, 7, name), 2, f"{name} B2", n_vars),
        c=_encoded(binfile.require(s, 8, name), 1, f"{name} C", n_vars - n_public - 1),
        h=_encoded(binfile.require(s, 9, name), 1, f"{name} H", domain_size),
        mpc=s.get(10),
    )

