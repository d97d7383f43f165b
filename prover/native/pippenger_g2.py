# Generated from pippenger_g1.py by python -m zkmargin.prover.native.generate: edit that file instead.
"""Pippenger's windows over G2: each window's buckets filled and summed, the windows and
the scalar-one sums run as parallel tasks, then combined.

Each window counting-sorts its points by bucket, sums every bucket batch-affine, then sums
the buckets by running sums in Jacobian form. Points whose scalar is one skip the buckets:
they are summed as batch-affine runs, extra tasks for the threads beside the windows.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .batch_affine_g2 import g2_sum_into, g2_sum_runs
from .digits import bucket_order
from .fq2 import FQ2_ZERO, fq2_empty, fq2_load, fq2_load_at, fq2_store, fq2_store_at, fq2_sub, fq2_zeros
from .g2 import G2_INFINITY, g2_add, g2_add_affine, g2_double

# numba's parallel analysis trips over the tuple-heavy curve code, so each prange body only
# calls a separately compiled function for its task.


@njit(cache=True)
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


@njit(parallel=True, cache=True)
def g2_windows(points, digits, buckets, ones, windows):
    """Rows below digits.shape[0]: Pippenger's windows; the rows after: partial sums of the
    points whose scalar is one, split evenly. All rows are tasks for the threads."""
    count = digits.shape[0]
    parts = windows.shape[0] - count
    m = ones.shape[0]
    for task in prange(windows.shape[0]):
        if task < count:
            g2_window(points, digits, task, buckets, windows)
        else:
            k = task - count
            g2_sum_into(ones, m * k // parts, m * (k + 1) // parts, windows, task)


@njit(cache=True)
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


def g2_pippenger(points: np.ndarray, digits: np.ndarray, c: int, ones: np.ndarray, ones_tasks: int) -> np.ndarray:
    """sum digits-weighted points plus the sum of ``ones``, as a (1, 3, ...) Jacobian point."""
    count = digits.shape[0]
    windows = fq2_zeros(count + ones_tasks, 3)
    g2_windows(points, digits, 1 << (c - 1), ones, windows)
    return g2_combine(windows, c, count)
