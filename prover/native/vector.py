"""Elementwise and sparse arithmetic on vectors of Fr elements ((n, 4) Montgomery limbs):
what a proof system does with evaluations between NTTs."""

from __future__ import annotations

import numpy as np
from numba import njit

from .field import fr_add, fr_mul, fr_sub


@njit(cache=True, nogil=True)
def sparse_products_into(matrix, row, column, values, scalars, a, b):
    """a[row] += v * scalars[column] (matrix 0) or b[row] += ... (matrix 1), entry by entry.
    ``values`` hold c * 2^512 (the .zkey form) and ``scalars`` plain limbs, so one Montgomery
    product lands in Montgomery form."""
    for k in range(matrix.shape[0]):
        w = column[k]
        v = (values[k, 0], values[k, 1], values[k, 2], values[k, 3])
        t = fr_mul(v, (scalars[w, 0], scalars[w, 1], scalars[w, 2], scalars[w, 3]))
        target = a if matrix[k] == 0 else b
        r = row[k]
        s = fr_add((target[r, 0], target[r, 1], target[r, 2], target[r, 3]), t)
        for limb in range(4):
            target[r, limb] = s[limb]


@njit(cache=True, nogil=True)
def hadamard_minus_into(a, b, c):
    """a * b - c elementwise (Montgomery), written to c."""
    for i in range(a.shape[0]):
        product = fr_mul((a[i, 0], a[i, 1], a[i, 2], a[i, 3]), (b[i, 0], b[i, 1], b[i, 2], b[i, 3]))
        p = fr_sub(product, (c[i, 0], c[i, 1], c[i, 2], c[i, 3]))
        for limb in range(4):
            c[i, limb] = p[limb]


@njit(cache=True, nogil=True)
def hadamard_into(a, b, out):
    """a * b elementwise (Montgomery), written to out."""
    for i in range(a.shape[0]):
        p = fr_mul((a[i, 0], a[i, 1], a[i, 2], a[i, 3]), (b[i, 0], b[i, 1], b[i, 2], b[i, 3]))
        for limb in range(4):
            out[i, limb] = p[limb]


@njit(cache=True, nogil=True)
def from_montgomery(a):
    """x * R -> x in place: a Montgomery product with plain 1."""
    one = (np.uint64(1), np.uint64(0), np.uint64(0), np.uint64(0))
    for i in range(a.shape[0]):
        p = fr_mul((a[i, 0], a[i, 1], a[i, 2], a[i, 3]), one)
        for limb in range(4):
            a[i, limb] = p[limb]
