# Generated from pippenger_g1.py by python -m zkmargin.prover.native.generate: edit that file instead.
"""Pippenger's windows over G2: each window's buckets filled and summed, and the windows
combined. pippenger.py runs the windows and the scalar-one sums as tasks on threads.

Each window counting-sorts its points by bucket, sums every bucket batch-affine, then sums
the buckets by running sums in Jacobian form. Points whose scalar is one skip the buckets:
they are summed as batch-affine runs, extra tasks for the threads beside the windows.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .batch_affine_g2 import g2_sum_runs
from .digits import bucket_order
from .fq2 import FQ2_ZERO, fq2_empty, fq2_load, fq2_load_at, fq2_store, fq2_store_at, fq2_sub, fq2_zeros
from .g2 import G2_INFINITY, g2_add, g2_add_affine, g2_double


@njit(cache=True, nogil=True)
def g2_window(points, digits, w, buckets, windows):
    """windows[w] = sum over buckets b of b * (the points whose digit in window w is +-b)."""
    order, negative, starts, counts = bucket_order(digits, w, buckets)
    m = order.shape[0]
    xs = fq2_empty(m)
    ys = fq2_empty(m)
    inf = np.zeros(m, dtype=np.bool_)
    for k in range(m):
        i = order[k]
        y = fq2_load_at(points, i, 1)
        if negative[k]:
            y = fq2_sub(FQ2_ZERO, y)
        fq2_store(xs, k, fq2_load_at(points, i, 0))
        fq2_store(ys, k, y)
    g2_sum_runs(xs, ys, inf, starts, counts)
    running = G2_INFINITY
    total = G2_INFINITY
    for b in range(buckets, 0, -1):
        s = starts[b]
        if counts[b] > 0 and not inf[s]:
            running = g2_add_affine(running, fq2_load(xs, s), fq2_load(ys, s))
        total = g2_add(total, running)
    fq2_store_at(windows, w, 0, total[0])
    fq2_store_at(windows, w, 1, total[1])
    fq2_store_at(windows, w, 2, total[2])


@njit(cache=True, nogil=True)
def g2_combine(windows, c, count):
    """sum_w windows[w] 2^(c w) over the first ``count`` rows, plus the rows after them."""
    result = G2_INFINITY
    for w in range(count - 1, -1, -1):
        for _ in range(c):
            result = g2_double(result)
        result = g2_add(result, (fq2_load_at(windows, w, 0), fq2_load_at(windows, w, 1), fq2_load_at(windows, w, 2)))
    for w in range(count, windows.shape[0]):
        result = g2_add(result, (fq2_load_at(windows, w, 0), fq2_load_at(windows, w, 1), fq2_load_at(windows, w, 2)))
    out = fq2_zeros(1, 3)
    fq2_store_at(out, 0, 0, result[0])
    fq2_store_at(out, 0, 1, result[1])
    fq2_store_at(out, 0, 2, result[2])
    return out
