"""Batch-affine sums of G1 points, and the Montgomery-trick batch inversion behind them.

Adding affine points needs a field inversion each (the slope's denominator); inverting many
at once costs one inversion and three multiplications each (Montgomery's trick), so an
addition costs about 6 multiplications instead of a mixed Jacobian addition's 11. Pippenger's
buckets, the scalar-one points and fixed base's normalisation all go through ``fq_batch_invert``
(field.py's, and fq2.py's for G2, which inverts norms in Fq instead: re-exported here).

This file is a template for G2's: see generate.py.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .field import (
    Q_ONE,
    ZERO,
    fq_add,
    fq_batch_invert,
    fq_empty,
    fq_is_zero,
    fq_load,
    fq_mul,
    fq_square,
    fq_store,
    fq_store_at,
    fq_sub,
)
from .g1 import G1_INFINITY

__all__ = ["fq_batch_invert", "g1_sum_runs", "g1_sum_into"]

# Kinds of pair: an operand is infinity (copy the other), distinct x (add), equal points
# (double), opposite points (infinity).
_COPY, _ADD, _DOUBLE, _INFINITY = 0, 1, 2, 3


@njit(cache=True)
def g1_sum_runs(xs, ys, inf, starts, lengths):
    """Sum each run of affine points (run s: ``lengths[s]`` points from ``starts[s]``) into
    its first slot, in place; ``inf`` marks points at infinity, and ``lengths`` is consumed.

    Each round adds neighbours (2i, 2i + 1) of every run into slot i, so a run of length L
    becomes ceil(L / 2); slot i is never one a later pair of the round still reads. All the
    additions of a round share one batch inversion."""
    half = xs.shape[0] // 2 + 1
    left = np.empty(half, dtype=np.int64)
    out = np.empty(half, dtype=np.int64)
    kind = np.empty(half, dtype=np.int8)
    denominators = fq_empty(half)
    scratch = fq_empty(half)
    while True:
        count = 0
        for s in range(starts.shape[0]):
            base = starts[s]
            for p in range(lengths[s] // 2):
                i = base + 2 * p
                left[count], out[count] = i, base + p
                d = ZERO
                if inf[i] or inf[i + 1]:
                    kind[count] = _COPY
                else:
                    dx = fq_sub(fq_load(xs, i + 1), fq_load(xs, i))
                    if not fq_is_zero(dx):
                        kind[count] = _ADD
                        d = dx
                    elif fq_is_zero(fq_sub(fq_load(ys, i + 1), fq_load(ys, i))):
                        kind[count] = _DOUBLE
                        d = fq_add(fq_load(ys, i), fq_load(ys, i))
                    else:
                        kind[count] = _INFINITY
                fq_store(denominators, count, d)
                count += 1
        if count == 0:
            return
        fq_batch_invert(denominators, count, scratch)
        for k in range(count):
            i, o, kd = left[k], out[k], kind[k]
            if kd == _COPY:
                src = i + 1 if inf[i] else i
                fq_store(xs, o, fq_load(xs, src))
                fq_store(ys, o, fq_load(ys, src))
                inf[o] = inf[src]
            elif kd == _INFINITY:
                inf[o] = True
            else:
                x1, y1, x2 = fq_load(xs, i), fq_load(ys, i), fq_load(xs, i + 1)
                if kd == _ADD:
                    numerator = fq_sub(fq_load(ys, i + 1), y1)
                else:
                    xx = fq_square(x1)
                    numerator = fq_add(fq_add(xx, xx), xx)
                slope = fq_mul(numerator, fq_load(denominators, k))
                x3 = fq_sub(fq_sub(fq_square(slope), x1), x2)
                fq_store(xs, o, x3)
                fq_store(ys, o, fq_sub(fq_mul(slope, fq_sub(x1, x3)), y1))
                inf[o] = False
        for s in range(starts.shape[0]):
            length = lengths[s]
            if length & 1 and length > 1:
                src, dst = starts[s] + length - 1, starts[s] + length // 2
                fq_store(xs, dst, fq_load(xs, src))
                fq_store(ys, dst, fq_load(ys, src))
                inf[dst] = inf[src]
            lengths[s] = (length + 1) // 2


@njit(cache=True, nogil=True)
def g1_sum_into(points, first, last, out, row):
    """out[row] = the sum of the affine points[first:last] (Jacobian), as one batch-affine run."""
    m = last - first
    xs = np.ascontiguousarray(points[first:last, 0])
    ys = np.ascontiguousarray(points[first:last, 1])
    inf = np.zeros(m, dtype=np.bool_)
    total = G1_INFINITY
    if m > 0:
        g1_sum_runs(xs, ys, inf, np.zeros(1, dtype=np.int64), np.full(1, m, dtype=np.int64))
        if not inf[0]:
            total = (fq_load(xs, 0), fq_load(ys, 0), Q_ONE)
    fq_store_at(out, row, 0, total[0])
    fq_store_at(out, row, 1, total[1])
    fq_store_at(out, row, 2, total[2])
