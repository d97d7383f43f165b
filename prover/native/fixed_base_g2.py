# Generated from fixed_base_g1.py by python -m zkmargin.prover.native.generate: edit that file instead.
"""Many multiples s * G of G2's generator (setup), and Jacobian points back to affine.

A table of d * 2^(8j) * G for every byte d and position j makes a multiple cost at most 32
mixed additions; the results are normalised with one batch inversion in all.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .batch_affine_g2 import fq2_batch_invert
from .fq2 import FQ2_ONE, fq2_empty, fq2_is_zero, fq2_load, fq2_load_at, fq2_mul, fq2_square, fq2_store_at, fq2_zeros
from .g2 import G2_INFINITY, g2_add, g2_add_affine

TABLE_WINDOWS = 32  # 8-bit digits of a 256-bit scalar
_CHUNKS = 64  # parallel tasks: enough to keep both threads busy to the end


@njit(cache=True)
def g2_table(generator):
    """(32 * 256, 3, ...) Jacobian: entry [256 j + d] = d * 2^(8j) * G, G affine generator[0]."""
    table = fq2_zeros(TABLE_WINDOWS * 256, 3)
    base = (fq2_load_at(generator, 0, 0), fq2_load_at(generator, 0, 1), FQ2_ONE)
    for j in range(TABLE_WINDOWS):
        acc = G2_INFINITY
        for d in range(256):
            idx = j * 256 + d
            fq2_store_at(table, idx, 0, acc[0])
            fq2_store_at(table, idx, 1, acc[1])
            fq2_store_at(table, idx, 2, acc[2])
            acc = g2_add(acc, base)
        base = acc  # 256 * base
    return table


@njit(cache=True)
def g2_fixed_chunk(table, scalars, out, start, stop):
    for i in range(start, stop):
        acc = G2_INFINITY
        for j in range(TABLE_WINDOWS):
            d = (scalars[i, j >> 3] >> np.uint64(8 * (j & 7))) & np.uint64(255)
            if d != 0:
                idx = j * 256 + d
                acc = g2_add_affine(acc, fq2_load_at(table, idx, 0), fq2_load_at(table, idx, 1))
        fq2_store_at(out, i, 0, acc[0])
        fq2_store_at(out, i, 1, acc[1])
        fq2_store_at(out, i, 2, acc[2])


@njit(parallel=True, cache=True)
def g2_fixed_parallel(table, scalars, out):
    n = scalars.shape[0]
    for k in prange(_CHUNKS):
        g2_fixed_chunk(table, scalars, out, n * k // _CHUNKS, n * (k + 1) // _CHUNKS)


def g2_fixed_base(table: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """Jacobian s_i * G from an affine table (g2_to_affine of g2_table)."""
    out = fq2_zeros(scalars.shape[0], 3)
    g2_fixed_parallel(table, scalars, out)
    return out


@njit(cache=True)
def g2_to_affine(jacobian):
    """(n, 3, ...) Jacobian to (n, 2, ...) affine; infinity becomes (0, 0)."""
    n = jacobian.shape[0]
    z_inverses = np.ascontiguousarray(jacobian[:, 2])
    fq2_batch_invert(z_inverses, n, fq2_empty(n))
    out = fq2_zeros(n, 2)
    for i in range(n):
        z_inv = fq2_load(z_inverses, i)
        if fq2_is_zero(z_inv):
            continue
        z2 = fq2_square(z_inv)
        fq2_store_at(out, i, 0, fq2_mul(fq2_load_at(jacobian, i, 0), z2))
        fq2_store_at(out, i, 1, fq2_mul(fq2_load_at(jacobian, i, 1), fq2_mul(z2, z_inv)))
    return out
