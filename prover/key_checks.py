"""Checks on what a .zkey holds, run as it is read: every point on the curve with coordinates
below q, the header's G2 points in the order-r subgroup, coefficient indices within the key.

Compiled code (prover/native/points.py, through the engine's kernels) does the point checks
where the kernels load: with Python integers the default key's ~120,000 points would cost a
quarter of a proof (README: performance).
"""

from __future__ import annotations

import numpy as np
from py_ecc import optimized_bn128 as bn

from zkmargin.circuits.witness_program import limbs_below
from zkmargin.verifier.curve import CURVE_ORDER, FIELD_MODULUS, InvalidPoint, g2_from_affine
from zkmargin.verifier.files import FormatError

from .encoding import EncodedCoefficients, EncodedPoints, G1Affine, G2Affine, points_bytes
from .native.pool import row_ranges, run_tasks


POINTS_PER_TASK = 1 << 14  # a check task's least share of a section


def _compiled():
    """The engine's compiled kernels, or None where they cannot load (no numba)."""
    try:
        from .native.kernels import kernels
    except ImportError:
        return None
    try:
        return kernels()
    except ImportError:
        return None


def _first_invalid(points: EncodedPoints) -> int:
    """Index of the first point off the curve or with a coordinate >= q (all zeros is
    infinity), else -1. Compiled where the kernels load, Python integers otherwise."""
    compiled = _compiled()
    if compiled is None:
        array = np.frombuffer(points.data, dtype="<u8").reshape(len(points), 2 * points.group, 4)
        below = limbs_below(array.reshape(-1, 4), FIELD_MODULUS).reshape(len(points), -1).all(axis=1)
        curve, b = (bn.FQ, bn.b) if points.group == 1 else (bn.FQ2, bn.b2)
        for i, p in enumerate(points):
            if not below[i] or p is not None and not bn.is_on_curve((curve(p[0]), curve(p[1]), curve.one()), b):
                return i
        return -1
    array = np.frombuffer(points.data, dtype="<u8").reshape(len(points), 2 * points.group, 4)
    check = compiled.first_invalid_g1 if points.group == 1 else compiled.first_invalid_g2
    # In row ranges, one a thread (the key's sections are the larger part of reading it).
    ranges = row_ranges(len(points), POINTS_PER_TASK)
    found = [-1] * len(ranges)

    def first_in(k: int) -> None:
        lo, hi = ranges[k]
        index = int(check(array[lo:hi]))
        found[k] = -1 if index < 0 else lo + index

    run_tasks([lambda k=k: first_in(k) for k in range(len(ranges))])
    return min((index for index in found if index >= 0), default=-1)


def check_points(points: EncodedPoints, name: str) -> EncodedPoints:
    """A section's points, each on the curve: an off-curve point would end a proof in a traceback."""
    index = _first_invalid(points)
    if index >= 0:
        where = name if len(points) == 1 else f"{name}: point {index}"
        raise FormatError(f"{where} is not on the BN254 curve{' twist' if points.group == 2 else ''} (or not below q)")
    return points


def _outside_g2_subgroup(encoded: EncodedPoints, point: G2Affine, name: str) -> bool:
    """Whether an on-curve G2 point has [r]P != infinity: compiled where the kernels load
    (0.5 ms), py_ecc's multiply by r otherwise (50-120 ms a point)."""
    compiled = _compiled()
    if compiled is not None:
        return compiled.first_outside_g2_subgroup(np.frombuffer(encoded.data, dtype="<u8").reshape(1, 4, 4)) >= 0
    try:
        g2_from_affine(*point, name)
    except InvalidPoint:
        return True
    return False


def check_header_point(encoded: EncodedPoints, name: str) -> G1Affine | G2Affine:
    """alpha, beta, gamma, delta: on the curve, not infinity, and G2 ones in the order-r subgroup."""
    point = check_points(encoded, name)[0]
    if point is None:
        raise FormatError(f"{name} is the point at infinity")
    if encoded.group == 2 and _outside_g2_subgroup(encoded, point, name):
        raise FormatError(f"{name} is not in the prime-order subgroup of G2")
    return point


def g2_point(point: G2Affine, name: str):
    """A G2 point the prover computed, as py_ecc's, once on the twist and in the order-r
    subgroup, checked as a key's are (verifier/curve.py's g2_from_affine would spend 50 ms
    of a proof on py_ecc's multiply by r)."""
    if point is None:
        return bn.Z2
    encoded = EncodedPoints(points_bytes([point], 2), 2)
    check_points(encoded, name)
    if _outside_g2_subgroup(encoded, point, name):
        raise InvalidPoint(f"{name} is not in the prime-order subgroup of G2")
    return bn.FQ2(list(point[0])), bn.FQ2(list(point[1])), bn.FQ2.one()


def check_coefficients(raw: bytes, name: str, n_vars: int, domain_size: int) -> EncodedCoefficients:
    """Section 4's entries index the witness and the domain in compiled code: check the indices."""
    entries = np.frombuffer(raw, dtype=[("m", "<u4"), ("row", "<u4"), ("wire", "<u4"), ("value", "<u8", (4,))])
    if not ((entries["m"] <= 1).all() and (entries["row"] < domain_size).all() and (entries["wire"] < n_vars).all()):
        raise FormatError(f"{name}: a coefficient names a matrix, row or wire outside the key's sizes")
    if not limbs_below(entries["value"], CURVE_ORDER).all():
        raise FormatError(f"{name}: a coefficient is not below r")
    return EncodedCoefficients(raw)
