"""On-curve checks for a proving key's query vectors, compiled: the reader checks every point.

A key's A, B1, B2, C and H vectors hold hundreds of thousands of points at 2^16; checked
with Python integers they take as long as the proof itself (README: performance).
Points stay in the file's encoding (affine, Montgomery form), so with x' = xR and y' = yR
the Montgomery product gives y'y'/R = y^2 R and x'x'x'/R^2 = x^3 R: compare them with b R.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .fq2 import fq2_add, fq2_is_zero, fq2_mul
from .g2 import G2_INFINITY, g2_add_affine, g2_double
from .field import Q, R, fq_add, fq_mul, limbs

_Q = tuple(np.uint64(w) for w in limbs(Q))
_B1 = tuple(np.uint64(w) for w in limbs(3 * (1 << 256) % Q))
# b2 = 3 / (9 + u) in Fq2 (u^2 = -1): 3 (9 - u) / 82
_B2 = tuple(tuple(np.uint64(w) for w in limbs(c * pow(82, -1, Q) * (1 << 256) % Q)) for c in (27, Q - 3))


@njit(cache=True)
def _below_q(a) -> bool:
    for k in range(3, -1, -1):
        if a[k] != _Q[k]:
            return a[k] < _Q[k]
    return False


@njit(cache=True)
def _same(a, b) -> bool:
    return a[0] == b[0] and a[1] == b[1] and a[2] == b[2] and a[3] == b[3]


@njit(cache=True)
def _element(points, i, j):
    return (points[i, j, 0], points[i, j, 1], points[i, j, 2], points[i, j, 3])


@njit(cache=True, nogil=True)
def first_invalid_g1(points: np.ndarray) -> int:
    """Index of the first (n, 2, 4) point that is off y^2 = x^3 + 3 or has a coordinate >= q,
    else -1. All-zero is the point at infinity."""
    for i in range(points.shape[0]):
        x, y = _element(points, i, 0), _element(points, i, 1)
        if (x[0] | x[1] | x[2] | x[3] | y[0] | y[1] | y[2] | y[3]) == 0:
            continue
        if not (_below_q(x) and _below_q(y)):
            return i
        if not _same(fq_mul(y, y), fq_add(fq_mul(fq_mul(x, x), x), _B1)):
            return i
    return -1


@njit(cache=True, nogil=True)
def first_invalid_g2(points: np.ndarray) -> int:
    """The same for (n, 4, 4) points on the twist y^2 = x^3 + 3 / (9 + u)."""
    for i in range(points.shape[0]):
        zero = True
        for j in range(4):
            c = _element(points, i, j)
            if (c[0] | c[1] | c[2] | c[3]) != 0:
                zero = False
            if not _below_q(c):
                return i
        if zero:
            continue
        x = (_element(points, i, 0), _element(points, i, 1))
        y = (_element(points, i, 2), _element(points, i, 3))
        lhs, rhs = fq2_mul(y, y), fq2_add(fq2_mul(fq2_mul(x, x), x), _B2)
        if not (_same(lhs[0], rhs[0]) and _same(lhs[1], rhs[1])):
            return i
    return -1


_R_BITS = np.array([int(bit) for bit in bin(R)[2:]], dtype=np.uint8)  # most significant first


@njit(cache=True, nogil=True)
def first_outside_g2_subgroup(points: np.ndarray) -> int:
    """Index of the first on-curve (n, 4, 4) point P with [r]P != infinity, else -1: the
    twist's large cofactor admits points of other orders. py_ecc's multiply, at three key
    points, would cost half a small proof's time."""
    for i in range(points.shape[0]):
        x = (_element(points, i, 0), _element(points, i, 1))
        y = (_element(points, i, 2), _element(points, i, 3))
        if fq2_is_zero(x) and fq2_is_zero(y):
            continue
        acc = G2_INFINITY
        for bit in _R_BITS:
            acc = g2_double(acc)
            if bit:
                acc = g2_add_affine(acc, x, y)
        if not fq2_is_zero(acc[2]):
            return i
    return -1
