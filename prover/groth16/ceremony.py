"""Phase 2 of a Groth16 ceremony, compatible with snarkjs in both directions: contribute,
beacon, verify, and the key's origin for the proof bundle.

A contribution multiplies delta by a secret x (header delta1, delta2) and divides the C
("L") and H queries by it; it publishes x g1_s, g1_s and x hashToG2(transcript) so anyone
can check, with pairings, that the same x moved delta and that its author knew x. The key
is safe if any one contributor destroyed x. A final beacon, whose x derives from a public
random value by iterated hashing, makes the last contribution unbiasable.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

from py_ecc import optimized_bn128 as bn

from zkmargin.circuits.r1cs import R1CS
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import InvalidPoint, g1_affine, g2_affine
from zkmargin.verifier.files import FormatError

from ..encoding import EncodedPoints
from ..engine import Engine
from ..progress import Phases
from ..ptau_import import PtauFile, checked_g1, checked_g2
from .reduction import domain_size
from .ceremony_new import new_key
from .ceremony_rng import ChaCha, beacon_rng, entropy_rng, fr_from_rng, g1_from_rng, hash_to_g2
from .ceremony_transcript import BEACON, CONTRIBUTION, Contribution, MPCParams, g1_uncompressed, same_ratio
from .ceremony_zkey import DELTA1, DELTA2, Sections, header_point, mpc_of, sizes, with_delta


def _scale_g1(data: bytes, scalar: int, engine: Engine) -> bytes:
    """Every point of a file-encoded G1 section times one scalar."""
    if engine.name == "native":
        from ..native.scale import g1_scale_encoded

        return g1_scale_encoded(data, scalar)
    from ..encoding import g1_bytes

    points = EncodedPoints(data, 1)
    return b"".join(
        g1_bytes(None if p is None else g1_affine(bn.multiply((bn.FQ(p[0]), bn.FQ(p[1]), bn.FQ.one()), scalar)))
        for p in points
    )


def _point1(p):
    return (bn.FQ(p[0]), bn.FQ(p[1]), bn.FQ.one())


def _apply(
    sections: Sections,
    where: str,
    rng: ChaCha,
    kind: int,
    engine: Engine,
    phases: Phases,
    name: str | None,
    beacon: tuple[bytes, int] | None = None,
) -> tuple[Sections, Contribution]:
    mpc = mpc_of(sections, where)
    secret = fr_from_rng(rng)
    g1_s = g1_from_rng(rng)
    g1_sx = bn.multiply(g1_s, secret)
    hasher = mpc.transcript_hasher()
    hasher.update(g1_uncompressed(g1_affine(g1_s)) + g1_uncompressed(g1_affine(g1_sx)))
    transcript = hasher.digest()
    g2_spx = bn.multiply(hash_to_g2(transcript), secret)
    delta_1 = bn.multiply(_point1(header_point(sections, DELTA1, 1)), secret)
    (x0, x1), (y0, y1) = header_point(sections, DELTA2, 2)
    delta_2 = bn.multiply((bn.FQ2([x0, x1]), bn.FQ2([y0, y1]), bn.FQ2.one()), secret)
    contribution = Contribution(
        g1_affine(delta_1),
        g1_affine(g1_s),
        g1_affine(g1_sx),
        g2_affine(g2_spx),
        transcript,
        kind,
        name,
        beacon[1] if beacon else None,
        beacon[0] if beacon else None,
    )
    out = dict(sections)
    out[2] = with_delta(sections, g1_affine(delta_1), g2_affine(delta_2))
    inverse = pow(secret, -1, R)
    with phases.phase("scale L by 1/delta"):
        out[8] = _scale_g1(sections[8], inverse, engine)
    with phases.phase("scale H by 1/delta"):
        out[9] = _scale_g1(sections[9], inverse, engine)
    out[10] = MPCParams(mpc.cs_hash, [*mpc.contributions, contribution]).to_bytes()
    return out, contribution


def contribute(
    sections: Sections,
    where: str,
    engine: Engine,
    entropy: bytes = b"",
    name: str | None = None,
    phases: Phases | None = None,
) -> tuple[Sections, Contribution]:
    """One contributor's step; the secret mixes ``entropy`` with 64 bytes from os.urandom and
    lives only inside this call."""
    return _apply(sections, where, entropy_rng(entropy), CONTRIBUTION, engine, phases or Phases(), name)


MIN_BEACON_EXP, MAX_BEACON_EXP = 10, 63


def beacon(
    sections: Sections,
    where: str,
    engine: Engine,
    beacon_hash: bytes,
    iterations_exp: int,
    name: str | None = None,
    phases: Phases | None = None,
) -> tuple[Sections, Contribution]:
    """The final, public contribution: anyone can recompute its secret from the beacon value."""
    if not 0 < len(beacon_hash) < 256:
        raise FormatError("beacon value: expected 1 to 255 bytes (hexadecimal)")
    if not MIN_BEACON_EXP <= iterations_exp <= MAX_BEACON_EXP:
        raise FormatError(f"beacon iterations exponent: expected {MIN_BEACON_EXP} to {MAX_BEACON_EXP}")
    phases = phases or Phases()
    with phases.phase(f"beacon: 2^{iterations_exp} SHA-256 iterations"):
        rng = beacon_rng(beacon_hash, iterations_exp)
    return _apply(sections, where, rng, BEACON, engine, phases, name, (beacon_hash, iterations_exp))


# ------------------------------------------------------------------ verification
@dataclass
class ContributionReport:
    index: int
    hash: str
    name: str | None
    beacon: bool
    beacon_hash: str | None = None
    iterations_exp: int | None = None


@dataclass
class CeremonyReport:
    ok: bool
    circuit_hash: str
    contributions: list[ContributionReport] = field(default_factory=list)
    failure: str | None = None


def verify_chain(mpc: MPCParams, delta_1, delta_2) -> tuple[list[ContributionReport], str | None]:
    """Each contribution's transcript, proof of knowledge and delta step, in order; a beacon's
    key recomputed from its published value. Returns the reports and the first failure."""
    reports: list[ContributionReport] = []
    hasher = MPCParams(mpc.cs_hash, []).transcript_hasher()
    current = bn.G1
    for i, c in enumerate(mpc.contributions, start=1):
        label = f"contribution #{i}"
        try:
            g1_s, g1_sx = checked_g1(c.g1_s, f"{label} g1_s"), checked_g1(c.g1_sx, f"{label} g1_sx")
            g2_spx, after = checked_g2(c.g2_spx, f"{label} g2_spx"), checked_g1(c.delta_after, f"{label} delta")
        except InvalidPoint as exc:
            return reports, str(exc)
        mine = hasher.copy()
        mine.update(g1_uncompressed(c.g1_s) + g1_uncompressed(c.g1_sx))
        if mine.digest() != c.transcript:
            return reports, f"{label}: transcript hash does not follow the earlier contributions"
        g2_sp = hash_to_g2(c.transcript)
        if not same_ratio(g1_s, g1_sx, g2_sp, g2_spx):
            return reports, f"{label}: proof of knowledge fails (g1 and g2 public keys differ)"
        if not same_ratio(current, after, g2_sp, g2_spx):
            return reports, f"{label}: delta does not follow its public key"
        if c.kind == BEACON:
            if c.beacon_hash is None or c.iterations_exp is None:
                return reports, f"{label}: beacon without its value or iteration count"
            rng = beacon_rng(c.beacon_hash, c.iterations_exp)
            secret = fr_from_rng(rng)
            expected = g1_from_rng(rng)
            if g1_affine(expected) != c.g1_s or g1_affine(bn.multiply(expected, secret)) != c.g1_sx:
                return reports, f"{label}: beacon key does not derive from the published beacon value"
        elif c.kind != CONTRIBUTION:
            return reports, f"{label}: unknown contribution type {c.kind}"
        reports.append(
            ContributionReport(
                i,
                c.hash().hex(),
                c.name,
                c.kind == BEACON,
                c.beacon_hash.hex() if c.beacon_hash else None,
                c.iterations_exp,
            )
        )
        hasher.update(c.public_key_bytes())
        current = after
    if g1_affine(current) != g1_affine(delta_1):
        return reports, "delta1 in the header is not the last contribution's delta"
    if not same_ratio(bn.G1, delta_1, bn.G2, delta_2):
        return reports, "delta2 does not match delta1"
    return reports, None


def _random_combination(data: bytes, scalars: list[int], engine: Engine):
    point = engine.msm_g1(engine.prepare_g1(EncodedPoints(data, 1)), scalars)
    return bn.Z1 if point is None else _point1(point)


def verify(
    sections: Sections,
    where: str,
    r1cs: R1CS,
    ptau: PtauFile,
    engine: Engine,
    phases: Phases | None = None,
    check_ptau_lagrange: bool = True,
) -> CeremonyReport:
    """Everything ``snarkjs zkey verify`` checks: the key is this circuit's initial key from
    this ptau with delta changed only by the recorded contributions. The queries that change
    (L = C, H) are compared with the initial ones by one random linear combination each
    (128-bit scalars): e(sum r_i L0_i, delta) = e(sum r_i L_i, G2)."""
    phases = phases or Phases()
    mpc = mpc_of(sections, where)
    blank = CeremonyReport(False, mpc.cs_hash.hex())
    if check_ptau_lagrange:
        from ..ptau_import import check_lagrange

        with phases.phase("check the ptau's Lagrange bases for this domain"):
            n = domain_size(r1cs)
            problem = None
            if n <= 1 << ptau.power:  # else new_key refuses below
                problem = check_lagrange(ptau, n, engine) or check_lagrange(ptau, 2 * n, engine, g1_only=True)
        if problem:
            blank.failure = f"ptau: {problem}"
            return blank
    initial, cs_hash = new_key(r1cs, ptau, engine, phases)  # reports its own phases
    if cs_hash != mpc.cs_hash:
        blank.failure = "the key was not made for this circuit and ptau (circuit hash differs)"
        return blank
    if sizes(sections) != sizes(initial):
        blank.failure = "circuit sizes differ from the initial key"
        return blank
    if sections[2][:468] != initial[2][:468]:
        blank.failure = "alpha, beta or gamma differ from the initial key"
        return blank
    for kind, what in ((3, "IC"), (4, "coefficients"), (5, "A"), (6, "B1"), (7, "B2")):
        if sections[kind] != initial[kind]:
            blank.failure = f"section {kind} ({what}) differs from the initial key"
            return blank
    try:
        delta_1 = checked_g1(header_point(sections, DELTA1, 1), "delta1")
        delta_2 = checked_g2(header_point(sections, DELTA2, 2), "delta2")
    except InvalidPoint as exc:
        blank.failure = str(exc)
        return blank
    with phases.phase("contribution chain"):
        reports, failure = verify_chain(mpc, delta_1, delta_2)
    report = CeremonyReport(failure is None, mpc.cs_hash.hex(), reports, failure)
    if failure:
        return report
    with phases.phase("L and H against the initial key"):
        for kind, what in ((8, "L (C query)"), (9, "H")):
            count = len(sections[kind]) // 64
            if count == 0:
                continue
            scalars = [secrets.randbits(128) for _ in range(count)]
            before = _random_combination(initial[kind], scalars, engine)
            after = _random_combination(sections[kind], scalars, engine)
            if bn.is_inf(before) or not same_ratio(before, after, delta_2, bn.G2):
                report.ok, report.failure = False, f"{what} query is not the initial one divided by delta"
                return report
    return report


# ------------------------------------------------------------------ origin
def key_origin(zkey_path_or_sections: str | os.PathLike | Sections | object) -> dict:
    """How a key was made, for the proof bundle and ``zkmargin verify``'s warning:
    {"kind": "ceremony" | "development", "contributions": [hash hex...], "beacon": bool,
    "circuit_hash": hex}. A key with no contributions is "development": its delta is
    known (1 for an initial ceremony key, the setup party's for ``zkmargin setup``). This
    reads the record only; ``verify`` is what checks it."""
    if isinstance(zkey_path_or_sections, dict):
        raw = zkey_path_or_sections.get(10, b"")
    elif hasattr(zkey_path_or_sections, "mpc"):
        raw = zkey_path_or_sections.mpc or b""  # type: ignore[union-attr]
    else:
        from .ceremony_zkey import read_sections

        raw = read_sections(zkey_path_or_sections)[10]  # type: ignore[arg-type]
    if not raw:
        return {"kind": "development", "contributions": [], "beacon": False, "circuit_hash": None}
    from .ceremony_transcript import parse_mpc

    mpc = parse_mpc(raw, "proving key")
    hashes = [c.hash().hex() for c in mpc.contributions]
    return {
        "kind": "ceremony" if hashes else "development",
        "contributions": hashes,
        "beacon": any(c.kind == BEACON for c in mpc.contributions),
        "circuit_hash": mpc.cs_hash.hex(),
    }
