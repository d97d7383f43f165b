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

from .batch_affine_g2 import _ADD, _DOUBLE, _INFINITY, fq2_batch_invert, g2_sum_runs
from .digits import bucket_order
from .fq2 import (
    FQ2_ONE,
    FQ2_ZERO,
    fq2_add,
    fq2_empty,
    fq2_empty_points,
    fq2_is_zero,
    fq2_load,
    fq2_load_at,
    fq2_mul,
    fq2_square,
    fq2_store,
    fq2_store_at,
    fq2_sub,
    fq2_zeros,
)
from .g2 import G2_INFINITY, g2_add, g2_add_affine, g2_double

# A window's batch of bucket additions: buckets // BATCH_DIVISOR, within [BATCH_MIN, BATCH_MAX].
BATCH_DIVISOR, BATCH_MIN, BATCH_MAX = 4, 64, 1024
# Windows with fewer buckets sort their points by bucket instead of streaming them.
STREAM_BUCKETS = 2048

@njit(cache=True)
def _g2_flush(bx, by, full, busy, targets, kinds, px, py, denominators, scratch, count):
    """Every queued addition at once, sharing one inversion: bucket targets[k] += (px[k], py[k]).

    Two plain additions at a time, their steps interleaved: each addition is a chain of
    three dependent products, and two chains side by side keep the multiplier busy (the
    batch's buckets are distinct, so the two never touch the same bucket)."""
    fq2_batch_invert(denominators, count, scratch)
    k = 0
    while k < count:
        if k + 1 < count and kinds[k] == _ADD and kinds[k + 1] == _ADD:
            b, c = targets[k], targets[k + 1]
            busy[b] = False
            busy[c] = False
            x1, y1 = fq2_load(bx, b), fq2_load(by, b)
            u1, v1 = fq2_load(bx, c), fq2_load(by, c)
            slope = fq2_mul(fq2_sub(fq2_load(py, k), y1), fq2_load(denominators, k))
            other = fq2_mul(fq2_sub(fq2_load(py, k + 1), v1), fq2_load(denominators, k + 1))
            x3 = fq2_sub(fq2_sub(fq2_square(slope), x1), fq2_load(px, k))
            u3 = fq2_sub(fq2_sub(fq2_square(other), u1), fq2_load(px, k + 1))
            y3 = fq2_sub(fq2_mul(slope, fq2_sub(x1, x3)), y1)
            v3 = fq2_sub(fq2_mul(other, fq2_sub(u1, u3)), v1)
            fq2_store(bx, b, x3)
            fq2_store(by, b, y3)
            fq2_store(bx, c, u3)
            fq2_store(by, c, v3)
            k += 2
            continue
        b = targets[k]
        busy[b] = False
        kind = kinds[k]
        if kind == _INFINITY:
            full[b] = False
        else:
            x1, y1 = fq2_load(bx, b), fq2_load(by, b)
            if kind == _ADD:
                numerator = fq2_sub(fq2_load(py, k), y1)
            else:
                xx = fq2_square(x1)
                numerator = fq2_add(fq2_add(xx, xx), xx)
            slope = fq2_mul(numerator, fq2_load(denominators, k))
            x3 = fq2_sub(fq2_sub(fq2_square(slope), x1), fq2_load(px, k))
            fq2_store(bx, b, x3)
            fq2_store(by, b, fq2_sub(fq2_mul(slope, fq2_sub(x1, x3)), y1))
        k += 1


@njit(cache=True)
def _g2_window_sorted(points, digits, w, buckets, windows):
    """g2_window for few buckets: the points counting-sorted by bucket, then each bucket's
    run summed pairwise in rounds, a round's additions (all buckets') sharing one inversion."""
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
def g2_window(points, digits, w, buckets, windows):
    """windows[w] = sum over buckets b of b * (the points whose digit in window w is +-b).

    The points are read in their own order and added straight into affine buckets, a batch
    of additions to distinct buckets at a time sharing one inversion (``_g2_flush``). A point
    whose bucket is already in the batch waits for the next batch, or, when ``size`` points
    already wait or it has waited once already (scalars crowding into few buckets), is added
    to the bucket's Jacobian part, so that skewed digits cost a mixed addition a point, not a
    batch each. Then the buckets
    are summed by running sums in Jacobian form.

    With fewer than STREAM_BUCKETS buckets a batch would be too small to pay for its
    inversion: the points are sorted by bucket instead (``_g2_window_sorted``).

    Everything a point needs is inline in this one loop: a call taking arrays costs numba's
    reference counting on each array, several times the work of the point itself."""
    if buckets < STREAM_BUCKETS:
        _g2_window_sorted(points, digits, w, buckets, windows)
        return
    n = digits.shape[1]
    size = min(max(buckets // BATCH_DIVISOR, BATCH_MIN), BATCH_MAX)
    bx = fq2_empty(buckets + 1)
    by = fq2_empty(buckets + 1)
    full = np.zeros(buckets + 1, dtype=np.bool_)  # bucket b holds an affine point
    busy = np.zeros(buckets + 1, dtype=np.bool_)  # bucket b is in the batch
    jacobian = fq2_empty_points(buckets + 1, 3)  # bucket b's Jacobian part, where mixed[b]
    mixed = np.zeros(buckets + 1, dtype=np.bool_)
    targets = np.empty(size, dtype=np.int64)
    kinds = np.empty(size, dtype=np.int8)
    px = fq2_empty(size)
    py = fq2_empty(size)
    denominators = fq2_empty(size)
    scratch = fq2_empty(size)
    waiting = np.empty(size, dtype=np.int64)  # points for the next batch
    retry = np.empty(size, dtype=np.int64)  # the points that waited, offered again after a flush
    n_waiting = 0
    n_retry = 0
    k = 0
    count = 0
    i = 0
    while True:
        if k < n_retry:
            j = retry[k]
            k += 1
            retried = True
        elif count < size and i < n:
            j = i
            i += 1
            retried = False
        elif count == 0 and n_waiting == 0:
            break
        else:
            if count:
                _g2_flush(bx, by, full, busy, targets, kinds, px, py, denominators, scratch, count)
                count = 0
            waiting, retry = retry, waiting
            n_retry, n_waiting, k = n_waiting, 0, 0
            continue
        d = digits[w, j]
        if d == 0:
            continue
        b = abs(d)
        x2 = fq2_load_at(points, j, 0)
        y2 = fq2_load_at(points, j, 1)
        if d < 0:
            y2 = fq2_sub(FQ2_ZERO, y2)
        if busy[b] or count == size:
            if n_waiting < size and not (retried and busy[b]):
                waiting[n_waiting] = j
                n_waiting += 1
            else:
                if mixed[b]:
                    jb = (fq2_load_at(jacobian, b, 0), fq2_load_at(jacobian, b, 1), fq2_load_at(jacobian, b, 2))
                    jb = g2_add_affine(jb, x2, y2)
                else:
                    jb = (x2, y2, FQ2_ONE)
                    mixed[b] = True
                fq2_store_at(jacobian, b, 0, jb[0])
                fq2_store_at(jacobian, b, 1, jb[1])
                fq2_store_at(jacobian, b, 2, jb[2])
        elif not full[b]:
            fq2_store(bx, b, x2)
            fq2_store(by, b, y2)
            full[b] = True
        else:
            dx = fq2_sub(x2, fq2_load(bx, b))
            if not fq2_is_zero(dx):
                kinds[count] = _ADD
            elif fq2_is_zero(fq2_sub(y2, fq2_load(by, b))):
                kinds[count] = _DOUBLE
                dx = fq2_add(y2, y2)
            else:
                kinds[count] = _INFINITY
            targets[count] = b
            fq2_store(px, count, x2)
            fq2_store(py, count, y2)
            fq2_store(denominators, count, dx)
            busy[b] = True
            count += 1
    running = G2_INFINITY
    total = G2_INFINITY
    for b in range(buckets, 0, -1):
        if full[b]:
            running = g2_add_affine(running, fq2_load(bx, b), fq2_load(by, b))
        if mixed[b]:
            part = (fq2_load_at(jacobian, b, 0), fq2_load_at(jacobian, b, 1), fq2_load_at(jacobian, b, 2))
            running = g2_add(running, part)
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
