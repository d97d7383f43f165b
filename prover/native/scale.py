"""Many G1 points times one scalar: a phase-2 contribution's delta^-1 applied to the L and H queries.

Neither an MSM (one sum) nor the fixed-base tables (one base) fit this, so each point gets
its own double-and-add over the scalar's bits, in parallel across points, and one batch
inversion returns them to affine. Input and output are the file encoding (affine,
Montgomery limbs, infinity all zeros), so a key's sections go through without conversion.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .field import Q, R, ZERO, fq_load_at, fq_store_at, fq_sub
from .fixed_base_g1 import g1_to_affine
from .fixed_base_g2 import g2_to_affine
from .fq2 import fq2_load_at, fq2_store_at
from .g1 import G1_INFINITY, g1_add_affine, g1_double
from .g2 import G2_INFINITY, g2_add_affine, g2_double

_Q_WORDS = np.array([(Q >> (64 * k)) & 0xFFFFFFFFFFFFFFFF for k in range(4)], dtype=np.uint64)


@njit(parallel=True, cache=True)
def _g1_scale_all(points, bits):
    n = points.shape[0]
    out = np.zeros((n, 3, 4), dtype=np.uint64)
    for i in prange(n):
        x = fq_load_at(points, i, 0)
        y = fq_load_at(points, i, 1)
        if x[0] == 0 and x[1] == 0 and x[2] == 0 and x[3] == 0 and y[0] == 0 and y[1] == 0 and y[2] == 0 and y[3] == 0:
            continue  # infinity stays all zeros (Z = 0)
        acc = G1_INFINITY
        for b in bits:
            acc = g1_double(acc)
            if b:
                acc = g1_add_affine(acc, x, y)
        fq_store_at(out, i, 0, acc[0])
        fq_store_at(out, i, 1, acc[1])
        fq_store_at(out, i, 2, acc[2])
    return out


def g1_scale_encoded(data: bytes, scalar: int) -> bytes:
    """Every point of ``data`` (file-encoded G1 points, coordinates reduced) times ``scalar``."""
    count = len(data) // 64
    if count == 0:
        return b""
    points = np.frombuffer(data, dtype="<u8").reshape(count, 2, 4)
    bits = np.array([int(b) for b in bin(scalar)[2:]], dtype=np.uint8)
    affine = g1_to_affine(_g1_scale_all(points, bits))
    return affine.astype("<u8").tobytes()


# ------------------------------------------------------------------ sparse combinations
# out[w] = sum over terms t of wire w: scalar_t * bases[row_t]. A circuit's initial phase-2
# key is one such product per query (A, B1, B2, C, IC): a few terms per wire over the
# Lagrange bases, too small for a bucketed MSM each, too many wires to call one per wire.


@njit(parallel=True, cache=True)
def _g1_combine(bases, rows, scalars, negate, starts):
    wires = starts.shape[0] - 1
    out = np.zeros((wires, 3, 4), dtype=np.uint64)
    for w in prange(wires):
        # Straus with one-bit windows: the wire's terms share one chain of doublings, so
        # 23 terms of 254 bits cost 254 doublings and ~23 x 127 additions, not 23 ladders.
        acc = G1_INFINITY
        for k in range(255, -1, -1):
            acc = g1_double(acc)
            limb, shift = k // 64, np.uint64(k % 64)
            for t in range(starts[w], starts[w + 1]):
                if (scalars[t, limb] >> shift) & np.uint64(1):
                    y = fq_load_at(bases, rows[t], 1)
                    acc = g1_add_affine(acc, fq_load_at(bases, rows[t], 0), fq_sub(ZERO, y) if negate[t] else y)
        fq_store_at(out, w, 0, acc[0])
        fq_store_at(out, w, 1, acc[1])
        fq_store_at(out, w, 2, acc[2])
    return out


@njit(parallel=True, cache=True)
def _g2_combine(bases, rows, scalars, negate, starts):
    wires = starts.shape[0] - 1
    out = np.zeros((wires, 3, 2, 4), dtype=np.uint64)
    for w in prange(wires):
        acc = G2_INFINITY
        for k in range(255, -1, -1):
            acc = g2_double(acc)
            limb, shift = k // 64, np.uint64(k % 64)
            for t in range(starts[w], starts[w + 1]):
                if (scalars[t, limb] >> shift) & np.uint64(1):
                    y = fq2_load_at(bases, rows[t], 1)
                    if negate[t]:
                        y = (fq_sub(ZERO, y[0]), fq_sub(ZERO, y[1]))
                    acc = g2_add_affine(acc, fq2_load_at(bases, rows[t], 0), y)
        fq2_store_at(out, w, 0, acc[0])
        fq2_store_at(out, w, 1, acc[1])
        fq2_store_at(out, w, 2, acc[2])
    return out


def combine_encoded(bases: bytes, group: int, terms: list[list[tuple[int, int]]]) -> bytes:
    """For each output, sum of scalar * bases[row] over its (row, scalar) terms; ``bases`` and
    the result in the file encoding (infinity bases must not occur: Lagrange bases never are)."""
    size = 64 * group
    shape = (len(bases) // size, 2, 4) if group == 1 else (len(bases) // size, 2, 2, 4)
    array = np.frombuffer(bases, dtype="<u8").reshape(shape)
    flat = [term for wire in terms for term in wire]
    starts = np.zeros(len(terms) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(wire) for wire in terms])
    rows = np.array([row for row, _ in flat], dtype=np.int64)
    # A scalar above r/2 is used as -(r - s) times the point: circuits are full of -1 and
    # other "negative" coefficients, which would otherwise cost a full 254-bit ladder each.
    reduced = [s % R for _, s in flat]
    negate = np.array([s > R // 2 for s in reduced], dtype=np.bool_)
    small = [R - s if neg else s for s, neg in zip(reduced, negate)]
    words = [[(s >> (64 * k)) & 0xFFFFFFFFFFFFFFFF for k in range(4)] for s in small]
    scalars = np.array(words, dtype=np.uint64).reshape(len(flat), 4)
    if group == 1:
        affine = g1_to_affine(_g1_combine(array, rows, scalars, negate, starts))
    else:
        affine = g2_to_affine(_g2_combine(array, rows, scalars, negate, starts))
    return affine.astype("<u8").tobytes()
