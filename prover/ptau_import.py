"""Reading a phase-1 ``.ptau`` (Hermez's, the Perpetual Powers of Tau's or snarkjs's own) and
checking it: its BLAKE2b-512 against the hashes Hermez published, and its internal
consistency with pairings on a random sample of powers.

The file is memory-mapped, never read whole: Hermez's 2^28 file is 288 GB, and a circuit
needs only a slice of it (snarkjs reads sections into memory and runs out at large powers).

What the sampled check proves, compared with ``snarkjs powersoftau verify``: snarkjs
replays every contribution's proof of knowledge and checks every point with random linear
combinations of whole sections. Here, k random positions i are checked at once through a
random linear combination (r_i random 128-bit): sum r_i tau^(i+1) G1 and sum r_i tau^i G1
have ratio tau (the tau of tau G2), likewise for tau^i G2, alpha tau^i G1 and beta tau^i G1,
and beta G1 / G1 = beta G2 / G2. A point off the powers is caught when sampled, so a file
with a fraction f of bad points passes with probability about (1 - f)^k; a uniformly
corrupted or truncated file fails. The contribution history is not replayed: trust in
the ceremony itself rests on the published hash, which pins the file to the one that
Hermez's 54 contributors and beacon produced (and which others have verified exhaustively).
The Lagrange sections that phase 2 reads are checked separately, in full, for the one
domain a circuit uses (see ``check_lagrange``).
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import secrets
import struct
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from py_ecc import optimized_bn128 as bn

from zkmargin.circuits import binfile
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import FIELD_MODULUS, InvalidPoint, g1_from_affine, g2_from_affine
from zkmargin.verifier.files import FormatError

from .encoding import EncodedPoints
from .engine import Engine

PTAU_MAGIC = b"ptau"
G1_SIZE, G2_SIZE = 64, 128


@dataclass
class PtauFile:
    """A .ptau opened read-only and memory-mapped; sections are located, not loaded."""

    path: Path
    power: int
    ceremony_power: int
    sections: dict[int, tuple[int, int]]  # type -> (offset, size)
    _map: mmap.mmap = field(repr=False)

    @property
    def prepared(self) -> bool:
        """Whether ``snarkjs powersoftau prepare phase2`` (or our writer) added the Lagrange bases."""
        return all(k in self.sections for k in (12, 13, 14, 15))

    def points(self, section: int, first: int, count: int, group: int) -> EncodedPoints:
        size = G1_SIZE if group == 1 else G2_SIZE
        offset, length = self.require(section)
        if (first + count) * size > length:
            raise FormatError(f"{self.path}: section {section} holds fewer points than its power says")
        return EncodedPoints(self._map[offset + first * size : offset + (first + count) * size], group)

    def point(self, section: int, index: int, group: int):
        return self.points(section, index, 1, group)[0]

    def raw(self, offset: int, size: int) -> bytes:
        """Bytes at an absolute file offset (short at the end of the file)."""
        return self._map[offset : offset + size]

    def require(self, section: int) -> tuple[int, int]:
        if section not in self.sections:
            raise FormatError(f"{self.path}: missing section {section}")
        return self.sections[section]

    def close(self) -> None:
        self._map.close()

    def __enter__(self) -> "PtauFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_ptau(path: str | os.PathLike) -> PtauFile:
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:
        raise FormatError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        _, sections = binfile.section_table(data, PTAU_MAGIC, str(path))
        if 1 not in sections:
            raise FormatError(f"{path}: missing section 1")
        head = data[sections[1][0] : sections[1][0] + sections[1][1]]
        if len(head) < 44 or struct.unpack_from("<I", head)[0] != 32:
            raise FormatError(f"{path}: header section is malformed")
        if int.from_bytes(head[4:36], "little") != FIELD_MODULUS:
            raise FormatError(f"{path}: powers of tau are not for BN254")
        power, ceremony_power = struct.unpack_from("<II", head, 36)
        if not 1 <= power <= 28:
            raise FormatError(f"{path}: power {power} is out of range")
        ptau = PtauFile(path, power, ceremony_power, sections, data)
        n = 1 << power
        for kind, count_, size in (
            (2, 2 * n - 1, G1_SIZE),
            (3, n, G2_SIZE),
            (4, n, G1_SIZE),
            (5, n, G1_SIZE),
            (6, 1, G2_SIZE),
        ):
            if ptau.require(kind)[1] != count_ * size:
                raise FormatError(f"{path}: section {kind} should hold {count_} points for power {power}")
        return ptau
    except BaseException:
        data.close()
        raise


# ------------------------------------------------------------------ published hashes
def hermez_hashes() -> dict[int, dict[str, str]]:
    """{power: {"file", "blake2b_512"}} for Hermez's prepared files, powers 8-28 (source cited in the data file)."""
    text = resources.files("zkmargin.prover").joinpath("data/hermez_ptau_blake2b.json").read_text(encoding="utf-8")
    return {int(k): v for k, v in json.loads(text)["files"].items()}


def file_blake2b(path: str | os.PathLike, progress=None) -> str:
    """BLAKE2b-512 of the file, streamed in 16 MB blocks (the same digest as ``b2sum``)."""
    hasher = hashlib.blake2b(digest_size=64)
    total = os.path.getsize(path)
    done = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 24):
            hasher.update(block)
            done += len(block)
            if progress:
                progress(done, total)
    return hasher.hexdigest()


def match_published(digest: str) -> dict[str, str | int] | None:
    for power, entry in hermez_hashes().items():
        if entry["blake2b_512"] == digest:
            return {"power": power, **entry}
    return None


# ------------------------------------------------------------------ consistency
def checked_g1(p, what: str):
    if p is None:
        raise InvalidPoint(f"{what} is the point at infinity")
    return g1_from_affine(*p, name=what)


def checked_g2(p, what: str):
    if p is None:
        raise InvalidPoint(f"{what} is the point at infinity")
    return g2_from_affine(*p, name=what)


def _same_ratio(a1, b1, a2, b2) -> bool:
    from .groth16.ceremony_transcript import same_ratio

    return same_ratio(a1, b1, a2, b2)


def _combine(points, scalars, add=bn.add, mul=bn.multiply, zero=None):
    acc = zero
    for p, s in zip(points, scalars):
        term = mul(p, s)
        acc = term if acc is None else add(acc, term)
    return acc


@dataclass
class SampleReport:
    power: int
    samples: int
    ok: bool
    failure: str | None = None


def check_sample(ptau: PtauFile, samples: int = 32) -> SampleReport:
    """Pairing checks on ``samples`` random positions per section, combined so that the cost
    is 2 MSMs of ``samples`` points and one pairing product per relation, whatever the power."""
    n = 1 << ptau.power
    try:
        g1, g2 = bn.G1, bn.G2
        if ptau.point(2, 0, 1) != (1, 2) or ptau.point(3, 0, 2) != bn_affine_g2():
            return SampleReport(ptau.power, samples, False, "the first powers are not the generators")
        tau_g2 = checked_g2(ptau.point(3, 1, 2), "tau G2")
        beta_g2 = checked_g2(ptau.point(6, 0, 2), "beta G2")
        tau_g1 = checked_g1(ptau.point(2, 1, 1), "tau G1")
        beta_g1 = checked_g1(ptau.point(5, 0, 1), "beta G1")

        def pick(limit: int) -> list[int]:
            return [secrets.randbelow(limit) for _ in range(min(samples, limit))]

        def pairs(section: int, limit: int, group: int):
            positions = pick(limit)
            scalars = [secrets.randbits(128) | 1 for _ in positions]
            lift = checked_g1 if group == 1 else checked_g2
            lo = [lift(ptau.point(section, i, group), f"section {section} point {i}") for i in positions]
            hi = [lift(ptau.point(section, i + 1, group), f"section {section} point {i + 1}") for i in positions]
            return _combine(lo, scalars), _combine(hi, scalars)

        for section, limit, what in (
            (2, 2 * n - 2, "tau^i G1"),
            (4, n - 1, "alpha tau^i G1"),
            (5, n - 1, "beta tau^i G1"),
        ):
            lo, hi = pairs(section, limit, 1)
            if not _same_ratio(lo, hi, g2, tau_g2):
                return SampleReport(ptau.power, samples, False, f"{what}: consecutive powers do not share tau")
        lo, hi = pairs(3, n - 1, 2)
        if not _same_ratio(g1, tau_g1, lo, hi):
            return SampleReport(ptau.power, samples, False, "tau^i G2: consecutive powers do not share tau")
        if not _same_ratio(g1, beta_g1, g2, beta_g2):
            return SampleReport(ptau.power, samples, False, "beta G1 and beta G2 disagree")
    except InvalidPoint as exc:
        return SampleReport(ptau.power, samples, False, str(exc))
    return SampleReport(ptau.power, samples, True)


def bn_affine_g2():
    from zkmargin.verifier.curve import g2_affine

    return g2_affine(bn.G2)


def check_lagrange(ptau: PtauFile, domain_size: int, engine: Engine, g1_only: bool = False) -> str | None:
    """The Lagrange block for ``domain_size`` in sections 12-15 against the monomial powers,
    in full: for a random polynomial p of degree < N, sum p(w^i) L_i(tau) = p(tau) = sum c_j
    tau^j, so one NTT and two MSMs per section decide it (a wrong point escapes with
    probability about 1/r). ``g1_only``: section 12 alone, which also holds the doubled
    domain that H comes from; its top power tau^(2N-1) is not in the file, so there p has
    degree < 2N - 1. Returns the failure, or None."""
    if not ptau.prepared:
        return "the file is not prepared for phase 2 (no Lagrange sections): run snarkjs powersoftau prepare phase2"
    known = min(domain_size, ptau.require(2)[1] // G1_SIZE)
    coefficients = [secrets.randbelow(R) for _ in range(known)] + [0] * (domain_size - known)
    rho = engine.ntt(coefficients)
    first = domain_size - 1
    checks = ((12, 2, 1, "tau"), (13, 3, 2, "tau G2"), (14, 4, 1, "alpha tau"), (15, 5, 1, "beta tau"))
    for lag, mono, group, what in checks[:1] if g1_only else checks:
        prep, msm = (engine.prepare_g1, engine.msm_g1) if group == 1 else (engine.prepare_g2, engine.msm_g2)
        left = msm(prep(ptau.points(lag, first, domain_size, group)), rho)
        right = msm(prep(ptau.points(mono, 0, known, group)), coefficients[:known])
        if left != right:
            return f"Lagrange basis ({what}) for domain {domain_size} does not match the powers"
    return None
