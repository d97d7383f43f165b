"""Many multiples s * G of G1's generator (setup), and Jacobian points back to affine.

A table of d * 2^(8j) * G for every byte d and position j makes a multiple cost at most 32
mixed additions; the results are normalised with one batch inversion in all.

This file is a template for G2's: see generate.py.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .batch_affine_g1 import fq_batch_invert
from .field import Q_ONE, fq_empty, fq_is_zero, fq_load, fq_load_at, fq_mul, fq_square, fq_store_at, fq_zeros
from .g1 import G1_INFINITY, g1_add, g1_add_affine

TABLE_WINDOWS = 32  # 8-bit digits of a 256-bit scalar
_CHUNKS = 64  # parallel tasks: enough to keep both threads busy to the end


@njit(cache=True)
def g1_table(generator):
    """(32 * 256, 3, ...) Jacobian: entry [256 j + d] = d * 2^(8j) * G, G affine generator[0]."""
    table = fq_zeros(TABLE_WINDOWS * 256, 3)
    base = (fq_load_at(generator, 0, 0), fq_load_at(generator, 0, 1), Q_ONE)
    for j in range(TABLE_WINDOWS):
        acc = G1_INFINITY
        for d in range(256):
            idx = j * 256 + d
            fq_store_at(table, idx, 0, acc[0])
            fq_store_at(table, idx, 1, acc[1])
            fq_store_at(table, idx, 2, acc[2])
            acc = g1_add(acc, base)
        base = acc  # 256 * base
    return table


@njit(cache=True)
def g1_fixed_chunk(table, scalars, out, start, stop):
    for i in range(start, stop):
        acc = G1_INFINITY
        for j in range(TABLE_WINDOWS):
            d = (scalars[i, j >> 3] >> np.uint64(8 * (j & 7))) & np.uint64(255)
            if d != 0:
                idx = j * 256 + d
                acc = g1_add_affine(acc, fq_load_at(table, idx, 0), fq_load_at(table, idx, 1))
        fq_store_at(out, i, 0, acc[0])
        fq_store_at(out, i, 1, acc[1])
        fq_store_at(out, i, 2, acc[2])


@njit(parallel=True, cache=True)
def g1_fixed_parallel(table, scalars, out):
    n = scalars.shape[0]
    for k in prange(_CHUNKS):
        g1_fixed_chunk(table, scalars, out, n * k // _CHUNKS, n * (k + 1) // _CHUNKS)


def g1_fixed_base(table: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """Jacobian s_i * G from an affine table (g1_to_affine of g1_table)."""
    out = fq_zeros(scalars.shape[0], 3)
    g1_fixed_parallel(table, scalars, out)
    return out


@njit(cache=True)
def g1_to_affine(jacobian):
    """(n, 3, ...) Jacobian to (n, 2, ...) affine; infinity becomes (0, 0)."""
    n = jacobian.shape[0]
    z_inverses = np.ascontiguousarray(jacobian[:, 2])
    fq_batch_invert(z_inverses, n, fq_empty(n))
    out = fq_zeros(n, 2)
    for i in range(n):
        z_inv = fq_load(z_inverses, i)
        if fq_is_zero(z_inv):
            continue
        z2 = fq_square(z_inv)
        fq_store_at(out, i, 0, fq_mul(fq_load_at(jacobian, i, 0), z2))
        fq_store_at(out, i, 1, fq_mul(fq_load_at(jacobian, i, 1), fq_mul(z2, z_inv)))
    return out
