"""Pippenger multi-scalar multiplication and fixed-base tables for G1 and G2, with numba.

MSM: scalars are cut into c-bit windows; each window (one numba thread each, via prange)
adds every point into the bucket of its digit with a mixed Jacobian-affine addition, then
sums the buckets by running sums; windows are combined with c doublings each. Fixed base
(setup's s * G for many s): a table of d * 2^(8j) * G for every byte d and position j, so a
multiple costs at most 32 mixed additions; results are normalised with one inversion in all.

Arrays: G1 affine (n, 2, 4) and Jacobian (n, 3, 4) uint64 Montgomery limbs; G2 adds an Fq2
axis: (n, 2, 2, 4) and (n, 3, 2, 4). Scalars (n, 4) plain limbs.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .curve import (
    FQ2_ONE,
    G1_INFINITY,
    G2_INFINITY,
    fq2_inv,
    fq2_is_zero,
    fq2_mul,
    fq2_square,
    g1_add,
    g1_add_affine,
    g1_double,
    g2_add,
    g2_add_affine,
    g2_double,
)
from .field import Q_ONE, fq_inv, fq_mul, is_zero

SCALAR_BITS = 254


@njit(cache=True)
def _fq(a, i, k):
    return (a[i, k, 0], a[i, k, 1], a[i, k, 2], a[i, k, 3])


@njit(cache=True)
def _put_fq(a, i, k, v):
    a[i, k, 0] = v[0]
    a[i, k, 1] = v[1]
    a[i, k, 2] = v[2]
    a[i, k, 3] = v[3]


@njit(cache=True)
def _fq2(a, i, k):
    return ((a[i, k, 0, 0], a[i, k, 0, 1], a[i, k, 0, 2], a[i, k, 0, 3]), (a[i, k, 1, 0], a[i, k, 1, 1], a[i, k, 1, 2], a[i, k, 1, 3]))


@njit(cache=True)
def _put_fq2(a, i, k, v):
    for half in range(2):
        for limb in range(4):
            a[i, k, half, limb] = v[half][limb]


@njit(cache=True)
def _digit(scalars, i, shift, c):
    limb = shift >> 6
    offset = shift & 63
    value = scalars[i, limb] >> np.uint64(offset)
    if offset + c > 64 and limb < 3:
        value |= scalars[i, limb + 1] << np.uint64(64 - offset)
    return value & np.uint64((1 << c) - 1)


# --------------------------------------------------------------------- MSM
# numba's parallel analysis trips over the tuple-heavy curve code, so each prange body
# only calls a separately compiled function for its window.


@njit(cache=True)
def _g1_window(points, scalars, c, w, windows):
    n_buckets = (1 << c) - 1
    buckets = np.zeros((n_buckets, 3, 4), dtype=np.uint64)
    for k in range(n_buckets):
        _put_fq(buckets, k, 0, Q_ONE)
        _put_fq(buckets, k, 1, Q_ONE)
    for i in range(points.shape[0]):
        d = _digit(scalars, i, w * c, c)
        if d != 0:
            k = d - 1
            b = g1_add_affine((_fq(buckets, k, 0), _fq(buckets, k, 1), _fq(buckets, k, 2)), _fq(points, i, 0), _fq(points, i, 1))
            _put_fq(buckets, k, 0, b[0])
            _put_fq(buckets, k, 1, b[1])
            _put_fq(buckets, k, 2, b[2])
    running = G1_INFINITY
    total = G1_INFINITY
    for k in range(n_buckets - 1, -1, -1):
        running = g1_add(running, (_fq(buckets, k, 0), _fq(buckets, k, 1), _fq(buckets, k, 2)))
        total = g1_add(total, running)
    _put_fq(windows, w, 0, total[0])
    _put_fq(windows, w, 1, total[1])
    _put_fq(windows, w, 2, total[2])


@njit(parallel=True, cache=True)
def _g1_windows(points, scalars, c, windows):
    for w in prange(windows.shape[0]):
        _g1_window(points, scalars, c, w, windows)


@njit(cache=True)
def _g1_combine(windows, c):
    result = G1_INFINITY
    for w in range(windows.shape[0] - 1, -1, -1):
        for _ in range(c):
            result = g1_double(result)
        result = g1_add(result, (_fq(windows, w, 0), _fq(windows, w, 1), _fq(windows, w, 2)))
    out = np.zeros((1, 3, 4), dtype=np.uint64)
    _put_fq(out, 0, 0, result[0])
    _put_fq(out, 0, 1, result[1])
    _put_fq(out, 0, 2, result[2])
    return out


def g1_msm(points: np.ndarray, scalars: np.ndarray, c: int) -> np.ndarray:
    """sum scalars[i] * points[i] as a (1, 3, 4) Jacobian point."""
    windows = np.zeros(((SCALAR_BITS + c - 1) // c, 3, 4), dtype=np.uint64)
    _g1_windows(points, scalars, c, windows)
    return _g1_combine(windows, c)


@njit(cache=True)
def _g2_window(points, scalars, c, w, windows):
    n_buckets = (1 << c) - 1
    buckets = np.zeros((n_buckets, 3, 2, 4), dtype=np.uint64)
    for k in range(n_buckets):
        _put_fq2(buckets, k, 0, FQ2_ONE)
        _put_fq2(buckets, k, 1, FQ2_ONE)
    for i in range(points.shape[0]):
        d = _digit(scalars, i, w * c, c)
        if d != 0:
            k = d - 1
            b = g2_add_affine((_fq2(buckets, k, 0), _fq2(buckets, k, 1), _fq2(buckets, k, 2)), _fq2(points, i, 0), _fq2(points, i, 1))
            _put_fq2(buckets, k, 0, b[0])
            _put_fq2(buckets, k, 1, b[1])
            _put_fq2(buckets, k, 2, b[2])
    running = G2_INFINITY
    total = G2_INFINITY
    for k in range(n_buckets - 1, -1, -1):
        running = g2_add(running, (_fq2(buckets, k, 0), _fq2(buckets, k, 1), _fq2(buckets, k, 2)))
        total = g2_add(total, running)
    _put_fq2(windows, w, 0, total[0])
    _put_fq2(windows, w, 1, total[1])
    _put_fq2(windows, w, 2, total[2])


@njit(parallel=True, cache=True)
def _g2_windows(points, scalars, c, windows):
    for w in prange(windows.shape[0]):
        _g2_window(points, scalars, c, w, windows)


@njit(cache=True)
def _g2_combine(windows, c):
    result = G2_INFINITY
    for w in range(windows.shape[0] - 1, -1, -1):
        for _ in range(c):
            result = g2_double(result)
        result = g2_add(result, (_fq2(windows, w, 0), _fq2(windows, w, 1), _fq2(windows, w, 2)))
    out = np.zeros((1, 3, 2, 4), dtype=np.uint64)
    _put_fq2(out, 0, 0, result[0])
    _put_fq2(out, 0, 1, result[1])
    _put_fq2(out, 0, 2, result[2])
    return out


def g2_msm(points: np.ndarray, scalars: np.ndarray, c: int) -> np.ndarray:
    windows = np.zeros(((SCALAR_BITS + c - 1) // c, 3, 2, 4), dtype=np.uint64)
    _g2_windows(points, scalars, c, windows)
    return _g2_combine(windows, c)


# ------------------------------------------------------------ fixed base
TABLE_WINDOWS = 32  # 8-bit digits of a 256-bit scalar


@njit(cache=True)
def g1_table(generator):
    """(32, 256, 3, 4) Jacobian: entry [j, d] = d * 2^(8j) * G."""
    table = np.zeros((TABLE_WINDOWS * 256, 3, 4), dtype=np.uint64)
    base = (_fq(generator, 0, 0), _fq(generator, 0, 1), Q_ONE)
    for j in range(TABLE_WINDOWS):
        acc = G1_INFINITY
        for d in range(256):
            idx = j * 256 + d
            _put_fq(table, idx, 0, acc[0])
            _put_fq(table, idx, 1, acc[1])
            _put_fq(table, idx, 2, acc[2])
            acc = g1_add(acc, base)
        base = acc  # 256 * base
    return table


@njit(cache=True)
def _g1_fixed_chunk(table, scalars, out, start, stop):
    for i in range(start, stop):
        acc = G1_INFINITY
        for j in range(TABLE_WINDOWS):
            d = (scalars[i, j >> 3] >> np.uint64(8 * (j & 7))) & np.uint64(255)
            if d != 0:
                idx = j * 256 + d
                acc = g1_add_affine(acc, _fq(table, idx, 0), _fq(table, idx, 1))
        _put_fq(out, i, 0, acc[0])
        _put_fq(out, i, 1, acc[1])
        _put_fq(out, i, 2, acc[2])


def g1_fixed_base(table: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """Jacobian s_i * G from an affine table (32 * 256, 2, 4)."""
    out = np.zeros((scalars.shape[0], 3, 4), dtype=np.uint64)
    _g1_fixed_parallel(table, scalars, out)
    return out


@njit(cache=True)
def g1_to_affine(jacobian):
    """Batch normalisation with one inversion (Montgomery's trick); infinity stays (0, 0)."""
    n = jacobian.shape[0]
    prefix = np.zeros((n, 1, 4), dtype=np.uint64)
    acc = Q_ONE
    for i in range(n):
        _put_fq(prefix, i, 0, acc)
        z = _fq(jacobian, i, 2)
        if not is_zero(z):
            acc = fq_mul(acc, z)
    inv = fq_inv(acc)
    out = np.zeros((n, 2, 4), dtype=np.uint64)
    for i in range(n - 1, -1, -1):
        z = _fq(jacobian, i, 2)
        if is_zero(z):
            continue
        z_inv = fq_mul(inv, _fq(prefix, i, 0))
        inv = fq_mul(inv, z)
        z2 = fq_mul(z_inv, z_inv)
        _put_fq(out, i, 0, fq_mul(_fq(jacobian, i, 0), z2))
        _put_fq(out, i, 1, fq_mul(_fq(jacobian, i, 1), fq_mul(z2, z_inv)))
    return out


@njit(cache=True)
def g2_table(generator):
    table = np.zeros((TABLE_WINDOWS * 256, 3, 2, 4), dtype=np.uint64)
    base = (_fq2(generator, 0, 0), _fq2(generator, 0, 1), FQ2_ONE)
    for j in range(TABLE_WINDOWS):
        acc = G2_INFINITY
        for d in range(256):
            idx = j * 256 + d
            _put_fq2(table, idx, 0, acc[0])
            _put_fq2(table, idx, 1, acc[1])
            _put_fq2(table, idx, 2, acc[2])
            acc = g2_add(acc, base)
        base = acc
    return table


@njit(cache=True)
def _g2_fixed_chunk(table, scalars, out, start, stop):
    for i in range(start, stop):
        acc = G2_INFINITY
        for j in range(TABLE_WINDOWS):
            d = (scalars[i, j >> 3] >> np.uint64(8 * (j & 7))) & np.uint64(255)
            if d != 0:
                idx = j * 256 + d
                acc = g2_add_affine(acc, _fq2(table, idx, 0), _fq2(table, idx, 1))
        _put_fq2(out, i, 0, acc[0])
        _put_fq2(out, i, 1, acc[1])
        _put_fq2(out, i, 2, acc[2])


@njit(parallel=True, cache=True)
def _g1_fixed_parallel(table, scalars, out):
    n = scalars.shape[0]
    for k in prange(64):
        _g1_fixed_chunk(table, scalars, out, n * k // 64, n * (k + 1) // 64)


@njit(parallel=True, cache=True)
def _g2_fixed_parallel(table, scalars, out):
    n = scalars.shape[0]
    for k in prange(64):
        _g2_fixed_chunk(table, scalars, out, n * k // 64, n * (k + 1) // 64)


def g2_fixed_base(table: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    out = np.zeros((scalars.shape[0], 3, 2, 4), dtype=np.uint64)
    _g2_fixed_parallel(table, scalars, out)
    return out


@njit(cache=True)
def g2_to_affine(jacobian):
    n = jacobian.shape[0]
    prefix = np.zeros((n, 1, 2, 4), dtype=np.uint64)
    acc = FQ2_ONE
    for i in range(n):
        _put_fq2(prefix, i, 0, acc)
        z = _fq2(jacobian, i, 2)
        if not fq2_is_zero(z):
            acc = fq2_mul(acc, z)
    inv = fq2_inv(acc)
    out = np.zeros((n, 2, 2, 4), dtype=np.uint64)
    for i in range(n - 1, -1, -1):
        z = _fq2(jacobian, i, 2)
        if fq2_is_zero(z):
            continue
        z_inv = fq2_mul(inv, _fq2(prefix, i, 0))
        inv = fq2_mul(inv, z)
        z2 = fq2_square(z_inv)
        _put_fq2(out, i, 0, fq2_mul(_fq2(jacobian, i, 0), z2))
        _put_fq2(out, i, 1, fq2_mul(_fq2(jacobian, i, 1), fq2_mul(z2, z_inv)))
    return out
