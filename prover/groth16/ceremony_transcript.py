"""A phase-2 key's contribution record (.zkey section 10) and snarkjs's transcript hashing.

Section 10 holds the circuit hash (BLAKE2b-512 of the initial key) and, per contribution,
delta after it, the proof of knowledge of its secret (g1_s, g1_sx = x g1_s, g2_spx = x g2_sp
with g2_sp = hashToG2(transcript)), the transcript hash, the kind (1 = beacon) and optional
parameters (name, and for a beacon its iteration exponent and value). Hashes are taken
over points in snarkjs's "uncompressed" encoding: coordinates big-endian, plain (not
Montgomery), G2 coordinates as c1 then c0, infinity all zeros.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from py_ecc import optimized_bn128 as bn

from zkmargin.verifier.curve import FIELD_MODULUS as Q
from zkmargin.verifier.curve import g1_affine, g2_affine
from zkmargin.verifier.files import FormatError

from ..encoding import EncodedPoints, G1Affine, G2Affine, g1_bytes, g2_bytes

CONTRIBUTION = 0
BEACON = 1
_MONT_INV = pow(1 << 256, -1, Q)


def _be(v: int) -> bytes:
    return v.to_bytes(32, "big")


def g1_uncompressed(p: G1Affine) -> bytes:
    return bytes(64) if p is None else _be(p[0]) + _be(p[1])


def g2_uncompressed(p: G2Affine) -> bytes:
    if p is None:
        return bytes(128)
    (x0, x1), (y0, y1) = p
    return _be(x1) + _be(x0) + _be(y1) + _be(y0)


def uncompressed_from_encoded(data: bytes, group: int) -> bytes:
    """File-encoded points (Montgomery, little-endian) to the uncompressed hash encoding."""
    words = [int.from_bytes(data[i : i + 32], "little") * _MONT_INV % Q for i in range(0, len(data), 32)]
    if group == 2:  # c0, c1 -> c1, c0 for each coordinate
        words = [w for k in range(0, len(words), 2) for w in (words[k + 1], words[k])]
    return b"".join(_be(w) for w in words)


def g1_of(point) -> G1Affine:
    """Affine integers of a py_ecc G1 point."""
    return g1_affine(point)


def g2_of(point) -> G2Affine:
    return g2_affine(point)


@dataclass
class Contribution:
    delta_after: G1Affine
    g1_s: G1Affine
    g1_sx: G1Affine
    g2_spx: G2Affine
    transcript: bytes
    kind: int = CONTRIBUTION
    name: str | None = None
    iterations_exp: int | None = None
    beacon_hash: bytes | None = None

    def public_key_bytes(self) -> bytes:
        """What snarkjs's ``hashPubKey`` feeds a hasher."""
        return (
            g1_uncompressed(self.delta_after)
            + g1_uncompressed(self.g1_s)
            + g1_uncompressed(self.g1_sx)
            + g2_uncompressed(self.g2_spx)
            + self.transcript
        )

    def hash(self) -> bytes:
        """The contribution hash a contributor publishes and a verifier prints."""
        return hashlib.blake2b(self.public_key_bytes(), digest_size=64).digest()

    def _parameters(self) -> bytes:
        out = b""
        if self.name:
            name = self.name[:64].encode("utf-8")[:255]
            out += bytes([1, len(name)]) + name
        if self.kind == BEACON:
            assert self.iterations_exp is not None and self.beacon_hash is not None
            out += bytes([2, self.iterations_exp, 3, len(self.beacon_hash)]) + self.beacon_hash
        return out

    def to_bytes(self) -> bytes:
        params = self._parameters()
        return (
            g1_bytes(self.delta_after)
            + g1_bytes(self.g1_s)
            + g1_bytes(self.g1_sx)
            + g2_bytes(self.g2_spx)
            + self.transcript
            + struct.pack("<II", self.kind, len(params))
            + params
        )


@dataclass
class MPCParams:
    cs_hash: bytes
    contributions: list[Contribution]

    def to_bytes(self) -> bytes:
        return (
            self.cs_hash
            + struct.pack("<I", len(self.contributions))
            + b"".join(c.to_bytes() for c in self.contributions)
        )

    def transcript_hasher(self):
        """BLAKE2b over the circuit hash and every earlier contribution's public key: the
        next contribution's transcript continues it with its own g1_s and g1_sx."""
        hasher = hashlib.blake2b(self.cs_hash, digest_size=64)
        for c in self.contributions:
            hasher.update(c.public_key_bytes())
        return hasher


def _parse_parameters(raw: bytes, c: Contribution, where: str) -> None:
    pos, last = 0, 0
    while pos < len(raw):
        kind = raw[pos]
        if kind <= last:
            raise FormatError(f"{where}: contribution parameters are not sorted")
        last = kind
        if kind == 2:
            if pos + 2 > len(raw):
                raise FormatError(f"{where}: truncated contribution parameter")
            c.iterations_exp = raw[pos + 1]
            pos += 2
            continue
        if kind not in (1, 3) or pos + 2 > len(raw) or pos + 2 + raw[pos + 1] > len(raw):
            raise FormatError(f"{where}: unknown or truncated contribution parameter {kind}")
        value = raw[pos + 2 : pos + 2 + raw[pos + 1]]
        if kind == 1:
            c.name = value.decode("utf-8", errors="replace")
        else:
            c.beacon_hash = bytes(value)
        pos += 2 + len(value)


def parse_mpc(raw: bytes, where: str) -> MPCParams:
    """Section 10; every point is decoded (not yet checked: the verifier does that)."""
    raw = bytes(raw)  # a view of the file's section: names and hashes are sliced as bytes below
    try:
        cs_hash = raw[:64]
        (count,) = struct.unpack_from("<I", raw, 64)
        pos, out = 68, []
        for _ in range(count):
            p = EncodedPoints(raw[pos : pos + 320], 1)
            g2 = EncodedPoints(raw[pos + 192 : pos + 320], 2)
            pos += 320
            transcript = raw[pos : pos + 64]
            kind, size = struct.unpack_from("<II", raw, pos + 64)
            pos += 72
            if len(transcript) != 64 or pos + size > len(raw):
                raise struct.error
            c = Contribution(p[0], p[1], p[2], g2[0], bytes(transcript), kind)
            _parse_parameters(raw[pos : pos + size], c, where)
            pos += size
            out.append(c)
    except (struct.error, ValueError, IndexError):
        raise FormatError(f"{where}: contributions section (10) is truncated or malformed") from None
    if pos != len(raw) or len(cs_hash) != 64:
        raise FormatError(f"{where}: contributions section (10) has trailing bytes")
    return MPCParams(bytes(cs_hash), out)


def same_ratio(g1_a, g1_b, g2_a, g2_b) -> bool:
    """e(g1_a, g2_b) == e(g1_b, g2_a): g1_b / g1_a and g2_b / g2_a are the same secret.

    One product of two Miller loops and one final exponentiation; zero points refused as
    snarkjs's ``sameRatio`` refuses them (they make every ratio look equal)."""
    if any(bn.is_inf(p) for p in (g1_a, g1_b, g2_a, g2_b)):
        return False
    product = bn.pairing(g2_b, g1_a, final_exponentiate=False) * bn.pairing(
        g2_a, bn.neg(g1_b), final_exponentiate=False
    )
    return bn.final_exponentiate(product) == bn.FQ12.one()
