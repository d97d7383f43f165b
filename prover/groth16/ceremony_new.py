"""The initial phase-2 key of a circuit, from a prepared phase-1 ``.ptau``, as ``snarkjs zkey new``
makes it: byte for byte, because verifying a ceremony means rebuilding this key and
comparing (both snarkjs's ``zkey verify`` and ours do), so the two tools must agree on it.

With delta = gamma = 1 the queries are linear combinations of the ptau's Lagrange bases
L_i(tau) (section 12 in G1, 13 in G2, 14 alpha L_i, 15 beta L_i) for the circuit's domain:
A_j = sum A_ij L_i, B_j likewise in G1 and G2, and for each wire beta A_j + alpha B_j + C_j,
into IC (public wires) or C (private). H is the odd half of the doubled domain's Lagrange
block. The circuit hash is BLAKE2b-512 over the header points, then each query with its
length, H replaced by the points (tau^n - 1) tau^i G1, all in the uncompressed encoding
(plus, from 2^15 on, the extra value of ceremony_snarkjs_quirk.py).
"""

from __future__ import annotations

import hashlib
import struct

from py_ecc import optimized_bn128 as bn

from zkmargin.circuits.r1cs import R1CS
from zkmargin.verifier.curve import FIELD_MODULUS as Q
from zkmargin.verifier.curve import g1_affine, g2_affine
from zkmargin.verifier.files import FormatError

from ..encoding import EncodedCoefficients, EncodedPoints, g1_bytes, g2_bytes
from ..engine import Engine
from ..progress import Phases
from ..ptau_import import PtauFile
from .reduction import coefficients_of, domain_size
from .zkey import GROTH16
from .ceremony_snarkjs_quirk import extra_point, hashes_extra_point
from .ceremony_transcript import g1_uncompressed, uncompressed_from_encoded
from .ceremony_zkey import header_bytes

Terms = list[list[tuple[int, int]]]  # per output point: (basis row, coefficient)


def _combine(engine: Engine, bases: EncodedPoints, group: int, terms: Terms) -> bytes:
    if engine.name == "native":
        from ..native.scale import combine_encoded

        return combine_encoded(bases.data, group, terms)
    prepare, msm, encode = (
        (engine.prepare_g1, engine.msm_g1, g1_bytes) if group == 1 else (engine.prepare_g2, engine.msm_g2, g2_bytes)
    )
    out = []
    for wire in terms:
        if not wire:
            out.append(encode(None))
            continue
        out.append(encode(msm(prepare([bases[row] for row, _ in wire]), [c for _, c in wire])))  # type: ignore[arg-type]
    return b"".join(out)


def _affine_sub(p, q):
    """p - q for affine G1 points in integers (the points (tau^n - 1) tau^i G1 of the hash)."""
    if q is None:
        return p
    neg = (q[0], (Q - q[1]) % Q)
    if p is None:
        return neg
    if p[0] == neg[0]:
        return None if p[1] != neg[1] else g1_affine(bn.double((bn.FQ(p[0]), bn.FQ(p[1]), bn.FQ.one())))
    slope = (neg[1] - p[1]) * pow(neg[0] - p[0], -1, Q) % Q
    x = (slope * slope - p[0] - neg[0]) % Q
    return x, (slope * (p[0] - x) - p[1]) % Q


def _u32be(n: int) -> bytes:
    return struct.pack(">I", n)


def new_key(r1cs: R1CS, ptau: PtauFile, engine: Engine, phases: Phases | None = None) -> tuple[dict[int, bytes], bytes]:
    """The initial key's sections and its circuit hash (csHash)."""
    phases = phases or Phases()
    n = domain_size(r1cs)
    if n > 1 << ptau.power:
        raise FormatError(
            f"{ptau.path}: the circuit needs powers of tau up to 2^{n.bit_length() - 1}, this file has 2^{ptau.power}"
        )
    if not ptau.prepared:
        raise FormatError(f"{ptau.path}: not prepared for phase 2 (run snarkjs powersoftau prepare phase2)")
    n_pub = r1cs.n_public
    first = n - 1
    tau_g1, tau_g2 = ptau.points(12, first, n, 1), ptau.points(13, first, n, 2)
    alpha_tau, beta_tau = ptau.points(14, first, n, 1), ptau.points(15, first, n, 1)

    a: Terms = [[] for _ in range(r1cs.n_wires)]
    b: Terms = [[] for _ in range(r1cs.n_wires)]
    # IC and C share one list per wire, each term tagged with the basis it uses.
    mixed: list[list[tuple[int, int, int]]] = [[] for _ in range(r1cs.n_wires)]
    for row, con in enumerate(r1cs.constraints):
        for wire, coef in con.a.items():
            a[wire].append((row, coef))
            mixed[wire].append((15, row, coef))
        for wire, coef in con.b.items():
            b[wire].append((row, coef))
            mixed[wire].append((14, row, coef))
        for wire, coef in con.c.items():
            mixed[wire].append((12, row, coef))
    for s in range(n_pub + 1):
        a[s].append((r1cs.n_constraints + s, 1))
        mixed[s].append((15, r1cs.n_constraints + s, 1))

    # IC/C mix three bases: lay them side by side as one array of 3n points.
    stacked = EncodedPoints(tau_g1.data + alpha_tau.data + beta_tau.data, 1)
    shift = {12: 0, 14: n, 15: 2 * n}
    mixed_terms: Terms = [[(shift[kind] + row, coef) for kind, row, coef in wire] for wire in mixed]

    with phases.phase("queries A, B1, B2"):
        sec_a = _combine(engine, tau_g1, 1, a)
        sec_b1 = _combine(engine, tau_g1, 1, b)
        sec_b2 = _combine(engine, tau_g2, 2, b)
    with phases.phase("queries IC, C"):
        sec_ic = _combine(engine, stacked, 1, mixed_terms[: n_pub + 1])
        sec_c = _combine(engine, stacked, 1, mixed_terms[n_pub + 1 :])
    with phases.phase("query H"):
        doubled = ptau.points(12, 2 * n - 1, 2 * n, 1).data
        sec_h = b"".join(doubled[(2 * i + 1) * 64 : (2 * i + 2) * 64] for i in range(n))

    alpha_1, beta_1 = ptau.point(4, 0, 1), ptau.point(5, 0, 1)
    beta_2 = ptau.point(6, 0, 2)
    g1, g2 = g1_affine(bn.G1), g2_affine(bn.G2)
    coefficients = coefficients_of(r1cs)
    sections = {
        1: struct.pack("<I", GROTH16),
        2: header_bytes(r1cs.n_wires, n_pub, n, alpha_1, beta_1, beta_2, g2, g1, g2),
        3: sec_ic,
        4: struct.pack("<I", len(coefficients)) + EncodedCoefficients.encode(coefficients).data,
        5: sec_a,
        6: sec_b1,
        7: sec_b2,
        8: sec_c,
        9: sec_h,
    }

    with phases.phase("circuit hash"):
        hasher = hashlib.blake2b(digest_size=64)
        hasher.update(uncompressed_from_encoded(sections[2][84:212], 1))  # alpha1, beta1
        hasher.update(uncompressed_from_encoded(sections[2][212:468], 2))  # beta2, gamma2
        hasher.update(uncompressed_from_encoded(sections[2][468:532], 1))  # delta1
        hasher.update(uncompressed_from_encoded(sections[2][532:660], 2))  # delta2
        hasher.update(_u32be(n_pub + 1) + uncompressed_from_encoded(sec_ic, 1))
        powers = ptau.points(2, 0, 2 * n - 1, 1)
        hasher.update(_u32be(n - 1))
        z_points = b"".join(g1_bytes(_affine_sub(powers[i + n], powers[i])) for i in range(n - 1))
        hasher.update(uncompressed_from_encoded(z_points, 1))
        if hashes_extra_point(n):
            # tau^(2n-1) G1 where section 2 would hold it: past its end when n is the ptau's power
            offset, _ = ptau.require(2)
            beyond = bytes(ptau.raw(offset + (2 * n - 1) * 64, 64)).ljust(64, b"\0")
            hasher.update(g1_uncompressed(extra_point(beyond, powers[n - 1])))
        for data, group in ((sec_c, 1), (sec_a, 1), (sec_b1, 1), (sec_b2, 2)):
            hasher.update(_u32be(len(data) // (64 * group)) + uncompressed_from_encoded(data, group))
    cs_hash = hasher.digest()
    sections[10] = cs_hash + struct.pack("<I", 0)
    return sections, cs_hash
