"""Pippenger's windows over G1: each window's buckets filled and summed, and the windows
combined. pippenger.py runs the windows and the scalar-one sums as tasks on threads.

Each window counting-sorts its points by bucket, sums every bucket batch-affine, then sums
the buckets by running sums in Jacobian form. Points whose scalar is one skip the buckets:
they are summed as batch-affine runs, extra tasks for the threads beside the windows.

This file is a template for G2's: see generate.py.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .batch_affine_g1 import g1_sum_runs
from .digits import bucket_order
from .field import ZERO, fq_empty, fq_load, fq_load_at, fq_store, fq_store_at, fq_sub, fq_zeros
from .g1 import G1_INFINITY, g1_add, g1_add_affine, g1_double


@njit(cache=True, nogil=True)
def g1_window(points, digits, w, buckets, windows):
    """windows[w] = sum over buckets b of b * (the points whose digit in window w is +-b)."""
    order, negative, starts, counts = bucket_order(digits, w, buckets)
    m = order.shape[0]
    xs = fq_empty(m)
    ys = fq_empty(m)
    inf = np.zeros(m, dtype=np.bool_)
    for k in range(m):
        i = order[k]
        y = fq_load_at(points, i, 1)
        if negative[k]:
            y = fq_sub(ZERO, y)
        fq_store(xs, k, fq_load_at(points, i, 0))
        fq_store(ys, k, y)
    g1_sum_runs(xs, ys, inf, starts, counts)
    running = G1_INFINITY
    total = G1_INFINITY
    for b in range(buckets, 0, -1):
        s = starts[b]
        if counts[b] > 0 and not inf[s]:
            running = g1_add_affine(running, fq_load(xs, s), fq_load(ys, s))
        total = g1_add(total, running)
    fq_store_at(windows, w, 0, total[0])
    fq_store_at(windows, w, 1, total[1])
    fq_store_at(windows, w, 2, total[2])


@njit(cache=True, nogil=True)
def g1_combine(windows, c, count):
    """sum_w windows[w] 2^(c w) over the first ``count`` rows, plus the rows after them."""
    result = G1_INFINITY
    for w in range(count - 1, -1, -1):
        for _ in range(c):
            result = g1_double(result)
        result = g1_add(result, (fq_load_at(windows, w, 0), fq_load_at(windows, w, 1), fq_load_at(windows, w, 2)))
    for w in range(count, windows.shape[0]):
        result = g1_add(result, (fq_load_at(windows, w, 0), fq_load_at(windows, w, 1), fq_load_at(windows, w, 2)))
    out = fq_zeros(1, 3)
    fq_store_at(out, 0, 0, result[0])
    fq_store_at(out, 0, 1, result[1])
    fq_store_at(out, 0, 2, result[2])
    return out
