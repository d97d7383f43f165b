"""Multi-scalar multiplication (Pippenger) and fixed-base tables for G1 and G2, with numba.

MSM, each piece chosen for a measured reason:
- Signed digits in [-2^(c-1), 2^(c-1)] halve the buckets of a c-bit window (a negative digit
  adds -P, which is free in affine form), so a window can be a bit wider for the same cost.
- Batch-affine buckets: a window counting-sorts its points by bucket, then sums every bucket
  pairwise in rounds; all additions of a round share one field inversion (Montgomery's
  trick), so an addition costs about 6 multiplications instead of a mixed Jacobian addition's
  11. Buckets are then summed by running sums in Jacobian form.
- GLV on G1: phi(x, y) = (beta x, y) equals lambda (x, y), so k P = k1 P + k2 phi(P) with
  |k1|, |k2| < 2^128: twice the points, half the windows. It also maps the "small negative"
  scalars of range-check witnesses (r - s) to s.
- Scalars equal to one need no bucket: their points are summed as batch-affine runs, extra
  tasks for the threads beside the windows, and added to the result at the end, so
  Pippenger's windows and buckets are sized for the other scalars only (a range-check
  witness is mostly bits: 2^16 scalars, ~1,000 of them wider).
  Zero scalars are dropped by the caller.
- The window count follows the largest scalar actually present.
- Windows run on separate threads (numba prange).
Fixed base (setup's s * G for many s): a table of d * 2^(8j) * G for every byte d and
position j, so a multiple costs at most 32 mixed additions; results are normalised with one
inversion in all.

Arrays: G1 affine (n, 2, 4) and Jacobian (n, 3, 4) uint64 Montgomery limbs; G2 adds an Fq2
axis: (n, 2, 2, 4) and (n, 3, 2, 4). Scalars (n, 4) plain limbs.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange

from .curve import (
    FQ2_ONE,
    FQ2_ZERO,
    G1_INFINITY,
    G2_INFINITY,
    fq2_add,
    fq2_inv,
    fq2_is_zero,
    fq2_mul,
    fq2_square,
    fq2_sub,
    g1_add,
    g1_add_affine,
    g1_double,
    g2_add,
    g2_add_affine,
    g2_double,
)
from .field import Q, Q_ONE, R, ZERO, fq_add, fq_inv, fq_mul, fq_sub, is_zero, limbs, mac


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


# ------------------------------------------------------------------ GLV
LAMBDA = 0xB3C4D79D41A917585BFC41088D8DAAA78B17EA66B99C90DD  # a cube root of unity mod r
BETA = 0x59E26BCEA0D48BACD4F263F1ACDB5C4F5763473177FFFFFE  # the one mod q with (beta x, y) = lambda (x, y)


def short_basis(n: int, lam: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Two short vectors (a, b) with a + b lam = 0 mod n, from the extended Euclidean
    remainders around sqrt(n) (Gallant, Lambert and Vanstone, section 4)."""
    rows = [(n, 0), (lam, 1)]
    while rows[-1][0]:
        (r0, t0), (r1, t1) = rows[-2], rows[-1]
        quotient = r0 // r1
        rows.append((r0 - quotient * r1, t0 - quotient * t1))
    last = max(i for i, (remainder, _) in enumerate(rows) if remainder >= math.isqrt(n))
    v1 = (rows[last + 1][0], -rows[last + 1][1])
    v2 = min(((rows[last][0], -rows[last][1]), (rows[last + 2][0], -rows[last + 2][1])), key=lambda v: v[0] ** 2 + v[1] ** 2)
    return v1, v2


(A1, B1), (A2, B2) = short_basis(R, LAMBDA)
assert A1 * B2 - A2 * B1 == R


def _u256(value: int):
    return tuple(np.uint64(x) for x in limbs(value % (1 << 256)))


# k1 = k - c1 a1 - c2 a2 and k2 = -c1 b1 - c2 b2 with c1 ~ b2 k / r and c2 ~ -b1 k / r, taken as
# (k g) >> 256 for g = floor(2^256 b / r): off by at most one, which lengthens k1, k2 by at most
# a bit (the window count follows the bits really present).
G1C, G2C = _u256((B2 << 256) // R), _u256((-B1 << 256) // R)
NEG_A1, NEG_A2, NEG_B1, NEG_B2 = (_u256(-x) for x in (A1, A2, B1, B2))
BETA_MONT = _u256((BETA << 256) % Q)


@njit(cache=True)
def _product(a, b, out):
    """The full 512-bit product of two 4-limb numbers, into out[0:8]."""
    z = np.uint64(0)
    for t in range(8):
        out[t] = z
    for i in range(4):
        carry = z
        for j in range(4):
            out[i + j], carry = mac(out[i + j], a[i], b[j], carry)
        out[i + 4] = carry


@njit(cache=True)
def _add_low(acc, wide):
    """acc += wide[0:4] mod 2^256."""
    carry = np.uint64(0)
    for t in range(4):
        acc[t], carry = mac(acc[t], np.uint64(1), wide[t], carry)


@njit(cache=True)
def _emit(out_points, out_scalars, row, x, y, k):
    """Write |k| and the point, negated when k (a signed 256-bit number) is negative."""
    if k[3] >> np.uint64(63):
        borrow = np.uint64(1)
        for t in range(4):
            v = ~k[t] + borrow
            borrow = np.uint64(1) if (borrow and v == 0) else np.uint64(0)
            out_scalars[row, t] = v
        y = fq_sub(ZERO, y)
    else:
        for t in range(4):
            out_scalars[row, t] = k[t]
    for t in range(4):
        out_points[row, 0, t] = x[t]
        out_points[row, 1, t] = y[t]


@njit(cache=True)
def g1_glv_split(points, scalars, out_points, out_scalars):
    """k P -> |k1| (+-P) in row i and |k2| (+-phi(P)) in row n + i. Scalars below 2^128 are
    already short: k1 = k, k2 = 0."""
    n = points.shape[0]
    wide = np.empty(8, dtype=np.uint64)
    c1 = np.empty(4, dtype=np.uint64)
    c2 = np.empty(4, dtype=np.uint64)
    k1 = np.empty(4, dtype=np.uint64)
    k2 = np.empty(4, dtype=np.uint64)
    for i in range(n):
        k = scalars[i]
        x, y = _fq(points, i, 0), _fq(points, i, 1)
        if k[2] == 0 and k[3] == 0:
            _emit(out_points, out_scalars, i, x, y, k)
            _emit(out_points, out_scalars, n + i, x, y, ZERO)
            continue
        _product(k, G1C, wide)
        c1[:] = wide[4:]
        _product(k, G2C, wide)
        c2[:] = wide[4:]
        k1[:] = k
        _product(c1, NEG_A1, wide)
        _add_low(k1, wide)
        _product(c2, NEG_A2, wide)
        _add_low(k1, wide)
        _product(c1, NEG_B1, wide)
        k2[:] = wide[:4]
        _product(c2, NEG_B2, wide)
        _add_low(k2, wide)
        _emit(out_points, out_scalars, i, x, y, k1)
        _emit(out_points, out_scalars, n + i, fq_mul(x, BETA_MONT), y, k2)


# --------------------------------------------------------- signed digits
@njit(cache=True)
def signed_digits(scalars, c, windows):
    """(windows, n) digits in [-2^(c-1), 2^(c-1)] with sum_w d_w 2^(c w) = scalar; the top
    window must have a spare bit for the last carry."""
    n = scalars.shape[0]
    digits = np.empty((windows, n), dtype=np.int32)
    half, full, mask = 1 << (c - 1), 1 << c, np.uint64((1 << c) - 1)
    for i in range(n):
        carry = 0
        for w in range(windows):
            shift = w * c
            limb, offset = shift >> 6, shift & 63
            raw = np.uint64(0)
            if limb < 4:
                raw = scalars[i, limb] >> np.uint64(offset)
                if offset + c > 64 and limb < 3:
                    raw |= scalars[i, limb + 1] << np.uint64(64 - offset)
            d = np.int64(raw & mask) + carry
            carry = 0
            if d > half:
                d -= full
                carry = 1
            digits[w, i] = d
    return digits


@njit(cache=True)
def _bucket_order(digits, w, buckets):
    """Counting sort of window w: point indices grouped by |digit| (bucket b's run starts at
    starts[b] and has counts[b] entries), and whether each entry's digit is negative."""
    n = digits.shape[1]
    counts = np.zeros(buckets + 1, dtype=np.int64)
    for i in range(n):
        counts[abs(digits[w, i])] += 1
    counts[0] = 0
    starts = np.empty(buckets + 1, dtype=np.int64)
    total = 0
    for b in range(buckets + 1):
        starts[b] = total
        total += counts[b]
    order = np.empty(total, dtype=np.int64)
    negative = np.empty(total, dtype=np.bool_)
    fill = starts.copy()
    for i in range(n):
        d = digits[w, i]
        if d != 0:
            b = abs(d)
            order[fill[b]] = i
            negative[fill[b]] = d < 0
            fill[b] += 1
    return order, negative, starts, counts


# -------------------------------------------------- batch-affine summing
# Each round adds neighbours (2i, 2i + 1) of every run into slot i, so a run of length L
# becomes ceil(L / 2); slot i is never one a later pair of the round still reads. Pair kinds:
# 0 copy (an operand is infinity), 1 add, 2 double (equal points), 3 infinity (P + (-P)).


@njit(cache=True)
def g1_sum_runs(xs, ys, inf, starts, lengths):
    """Sum each run of affine G1 points into its first slot, in place."""
    half = xs.shape[0] // 2 + 1
    left = np.empty(half, dtype=np.int64)
    out = np.empty(half, dtype=np.int64)
    kind = np.empty(half, dtype=np.int8)
    inverse = np.empty((half, 4), dtype=np.uint64)
    prefix = np.empty((half, 4), dtype=np.uint64)
    while True:
        count = 0
        acc = Q_ONE
        for s in range(starts.shape[0]):
            base = starts[s]
            for p in range(lengths[s] // 2):
                i = base + 2 * p
                left[count], out[count] = i, base + p
                d = Q_ONE
                if inf[i] or inf[i + 1]:
                    kind[count] = 0
                else:
                    dx = fq_sub((xs[i + 1, 0], xs[i + 1, 1], xs[i + 1, 2], xs[i + 1, 3]), (xs[i, 0], xs[i, 1], xs[i, 2], xs[i, 3]))
                    if not is_zero(dx):
                        kind[count] = 1
                        d = dx
                    elif is_zero(fq_sub((ys[i + 1, 0], ys[i + 1, 1], ys[i + 1, 2], ys[i + 1, 3]), (ys[i, 0], ys[i, 1], ys[i, 2], ys[i, 3]))):
                        kind[count] = 2
                        d = fq_add((ys[i, 0], ys[i, 1], ys[i, 2], ys[i, 3]), (ys[i, 0], ys[i, 1], ys[i, 2], ys[i, 3]))
                    else:
                        kind[count] = 3
                for limb in range(4):
                    prefix[count, limb] = acc[limb]
                    inverse[count, limb] = d[limb]
                acc = fq_mul(acc, d)
                count += 1
        if count == 0:
            return
        inv = fq_inv(acc)
        for k in range(count - 1, -1, -1):
            d = (inverse[k, 0], inverse[k, 1], inverse[k, 2], inverse[k, 3])
            v = fq_mul(inv, (prefix[k, 0], prefix[k, 1], prefix[k, 2], prefix[k, 3]))
            inv = fq_mul(inv, d)
            for limb in range(4):
                inverse[k, limb] = v[limb]
        for k in range(count):
            i, o, kd = left[k], out[k], kind[k]
            if kd == 0:
                src = i + 1 if inf[i] else i
                for limb in range(4):
                    xs[o, limb], ys[o, limb] = xs[src, limb], ys[src, limb]
                inf[o] = inf[src]
            elif kd == 3:
                inf[o] = True
            else:
                x1 = (xs[i, 0], xs[i, 1], xs[i, 2], xs[i, 3])
                y1 = (ys[i, 0], ys[i, 1], ys[i, 2], ys[i, 3])
                x2 = (xs[i + 1, 0], xs[i + 1, 1], xs[i + 1, 2], xs[i + 1, 3])
                if kd == 1:
                    num = fq_sub((ys[i + 1, 0], ys[i + 1, 1], ys[i + 1, 2], ys[i + 1, 3]), y1)
                else:
                    xx = fq_mul(x1, x1)
                    num = fq_add(fq_add(xx, xx), xx)
                lam = fq_mul(num, (inverse[k, 0], inverse[k, 1], inverse[k, 2], inverse[k, 3]))
                x3 = fq_sub(fq_sub(fq_mul(lam, lam), x1), x2)
                y3 = fq_sub(fq_mul(lam, fq_sub(x1, x3)), y1)
                for limb in range(4):
                    xs[o, limb], ys[o, limb] = x3[limb], y3[limb]
                inf[o] = False
        for s in range(starts.shape[0]):
            length = lengths[s]
            if length & 1 and length > 1:
                src, dst = starts[s] + length - 1, starts[s] + length // 2
                for limb in range(4):
                    xs[dst, limb], ys[dst, limb] = xs[src, limb], ys[src, limb]
                inf[dst] = inf[src]
            lengths[s] = (length + 1) // 2


@njit(cache=True)
def g2_sum_runs(xs, ys, inf, starts, lengths):
    """g1_sum_runs over Fq2: xs, ys are (m, 2, 4)."""
    half = xs.shape[0] // 2 + 1
    left = np.empty(half, dtype=np.int64)
    out = np.empty(half, dtype=np.int64)
    kind = np.empty(half, dtype=np.int8)
    inverse = np.empty((half, 1, 2, 4), dtype=np.uint64)
    prefix = np.empty((half, 1, 2, 4), dtype=np.uint64)
    xs3 = xs.reshape(xs.shape[0], 1, 2, 4)
    ys3 = ys.reshape(ys.shape[0], 1, 2, 4)
    while True:
        count = 0
        acc = FQ2_ONE
        for s in range(starts.shape[0]):
            base = starts[s]
            for p in range(lengths[s] // 2):
                i = base + 2 * p
                left[count], out[count] = i, base + p
                d = FQ2_ONE
                if inf[i] or inf[i + 1]:
                    kind[count] = 0
                else:
                    dx = fq2_sub(_fq2(xs3, i + 1, 0), _fq2(xs3, i, 0))
                    if not fq2_is_zero(dx):
                        kind[count] = 1
                        d = dx
                    elif fq2_is_zero(fq2_sub(_fq2(ys3, i + 1, 0), _fq2(ys3, i, 0))):
                        kind[count] = 2
                        d = fq2_add(_fq2(ys3, i, 0), _fq2(ys3, i, 0))
                    else:
                        kind[count] = 3
                _put_fq2(prefix, count, 0, acc)
                _put_fq2(inverse, count, 0, d)
                acc = fq2_mul(acc, d)
                count += 1
        if count == 0:
            return
        inv = fq2_inv(acc)
        for k in range(count - 1, -1, -1):
            d = _fq2(inverse, k, 0)
            _put_fq2(inverse, k, 0, fq2_mul(inv, _fq2(prefix, k, 0)))
            inv = fq2_mul(inv, d)
        for k in range(count):
            i, o, kd = left[k], out[k], kind[k]
            if kd == 0:
                src = i + 1 if inf[i] else i
                _put_fq2(xs3, o, 0, _fq2(xs3, src, 0))
                _put_fq2(ys3, o, 0, _fq2(ys3, src, 0))
                inf[o] = inf[src]
            elif kd == 3:
                inf[o] = True
            else:
                x1, y1, x2 = _fq2(xs3, i, 0), _fq2(ys3, i, 0), _fq2(xs3, i + 1, 0)
                if kd == 1:
                    num = fq2_sub(_fq2(ys3, i + 1, 0), y1)
                else:
                    xx = fq2_square(x1)
                    num = fq2_add(fq2_add(xx, xx), xx)
                lam = fq2_mul(num, _fq2(inverse, k, 0))
                x3 = fq2_sub(fq2_sub(fq2_square(lam), x1), x2)
                y3 = fq2_sub(fq2_mul(lam, fq2_sub(x1, x3)), y1)
                _put_fq2(xs3, o, 0, x3)
                _put_fq2(ys3, o, 0, y3)
                inf[o] = False
        for s in range(starts.shape[0]):
            length = lengths[s]
            if length & 1 and length > 1:
                src, dst = starts[s] + length - 1, starts[s] + length // 2
                _put_fq2(xs3, dst, 0, _fq2(xs3, src, 0))
                _put_fq2(ys3, dst, 0, _fq2(ys3, src, 0))
                inf[dst] = inf[src]
            lengths[s] = (length + 1) // 2


# ------------------------------------------------------------- windows
# numba's parallel analysis trips over the tuple-heavy curve code, so each prange body only
# calls a separately compiled function for its window.


@njit(cache=True)
def _g1_window(points, digits, w, buckets, windows):
    order, negative, starts, counts = _bucket_order(digits, w, buckets)
    m = order.shape[0]
    xs = np.empty((m, 4), dtype=np.uint64)
    ys = np.empty((m, 4), dtype=np.uint64)
    inf = np.zeros(m, dtype=np.bool_)
    for k in range(m):
        i = order[k]
        y = _fq(points, i, 1)
        if negative[k]:
            y = fq_sub(ZERO, y)
        for limb in range(4):
            xs[k, limb], ys[k, limb] = points[i, 0, limb], y[limb]
    g1_sum_runs(xs, ys, inf, starts, counts)
    running = G1_INFINITY
    total = G1_INFINITY
    for b in range(buckets, 0, -1):
        s = starts[b]
        if counts[b] > 0 and not inf[s]:
            running = g1_add_affine(running, (xs[s, 0], xs[s, 1], xs[s, 2], xs[s, 3]), (ys[s, 0], ys[s, 1], ys[s, 2], ys[s, 3]))
        total = g1_add(total, running)
    _put_fq(windows, w, 0, total[0])
    _put_fq(windows, w, 1, total[1])
    _put_fq(windows, w, 2, total[2])


@njit(cache=True)
def _g1_sum_into(points, first, last, out, row):
    """out[row] = the sum of the affine points[first:last] (Jacobian), as one batch-affine run."""
    m = last - first
    xs = np.ascontiguousarray(points[first:last, 0, :])
    ys = np.ascontiguousarray(points[first:last, 1, :])
    inf = np.zeros(m, dtype=np.bool_)
    total = G1_INFINITY
    if m > 0:
        g1_sum_runs(xs, ys, inf, np.zeros(1, dtype=np.int64), np.full(1, m, dtype=np.int64))
        if not inf[0]:
            total = ((xs[0, 0], xs[0, 1], xs[0, 2], xs[0, 3]), (ys[0, 0], ys[0, 1], ys[0, 2], ys[0, 3]), Q_ONE)
    _put_fq(out, row, 0, total[0])
    _put_fq(out, row, 1, total[1])
    _put_fq(out, row, 2, total[2])


@njit(parallel=True, cache=True)
def _g1_windows(points, digits, buckets, ones, windows):
    """Rows below digits.shape[0]: Pippenger's windows; the rows after: partial sums of the
    points whose scalar is one, split evenly. All rows are tasks for the threads."""
    count = digits.shape[0]
    parts = windows.shape[0] - count
    m = ones.shape[0]
    for task in prange(windows.shape[0]):
        if task < count:
            _g1_window(points, digits, task, buckets, windows)
        else:
            k = task - count
            _g1_sum_into(ones, m * k // parts, m * (k + 1) // parts, windows, task)


@njit(cache=True)
def _g1_combine(windows, c, count):
    result = G1_INFINITY
    for w in range(count - 1, -1, -1):
        for _ in range(c):
            result = g1_double(result)
        result = g1_add(result, (_fq(windows, w, 0), _fq(windows, w, 1), _fq(windows, w, 2)))
    for w in range(count, windows.shape[0]):
        result = g1_add(result, (_fq(windows, w, 0), _fq(windows, w, 1), _fq(windows, w, 2)))
    out = np.zeros((1, 3, 4), dtype=np.uint64)
    _put_fq(out, 0, 0, result[0])
    _put_fq(out, 0, 1, result[1])
    _put_fq(out, 0, 2, result[2])
    return out


@njit(cache=True)
def _g2_window(points, digits, w, buckets, windows):
    order, negative, starts, counts = _bucket_order(digits, w, buckets)
    m = order.shape[0]
    xs = np.empty((m, 2, 4), dtype=np.uint64)
    ys = np.empty((m, 2, 4), dtype=np.uint64)
    inf = np.zeros(m, dtype=np.bool_)
    for k in range(m):
        i = order[k]
        y = _fq2(points, i, 1)
        if negative[k]:
            y = fq2_sub(FQ2_ZERO, y)
        for half in range(2):
            for limb in range(4):
                xs[k, half, limb], ys[k, half, limb] = points[i, 0, half, limb], y[half][limb]
    g2_sum_runs(xs, ys, inf, starts, counts)
    xs3 = xs.reshape(m, 1, 2, 4)
    ys3 = ys.reshape(m, 1, 2, 4)
    running = G2_INFINITY
    total = G2_INFINITY
    for b in range(buckets, 0, -1):
        s = starts[b]
        if counts[b] > 0 and not inf[s]:
            running = g2_add_affine(running, _fq2(xs3, s, 0), _fq2(ys3, s, 0))
        total = g2_add(total, running)
    _put_fq2(windows, w, 0, total[0])
    _put_fq2(windows, w, 1, total[1])
    _put_fq2(windows, w, 2, total[2])


@njit(cache=True)
def _g2_sum_into(points, first, last, out, row):
    """_g1_sum_into over Fq2."""
    m = last - first
    xs = np.ascontiguousarray(points[first:last, 0])
    ys = np.ascontiguousarray(points[first:last, 1])
    inf = np.zeros(m, dtype=np.bool_)
    total = G2_INFINITY
    if m > 0:
        g2_sum_runs(xs, ys, inf, np.zeros(1, dtype=np.int64), np.full(1, m, dtype=np.int64))
        if not inf[0]:
            total = (_fq2(xs.reshape(m, 1, 2, 4), 0, 0), _fq2(ys.reshape(m, 1, 2, 4), 0, 0), FQ2_ONE)
    _put_fq2(out, row, 0, total[0])
    _put_fq2(out, row, 1, total[1])
    _put_fq2(out, row, 2, total[2])


@njit(parallel=True, cache=True)
def _g2_windows(points, digits, buckets, ones, windows):
    """_g1_windows over Fq2."""
    count = digits.shape[0]
    parts = windows.shape[0] - count
    m = ones.shape[0]
    for task in prange(windows.shape[0]):
        if task < count:
            _g2_window(points, digits, task, buckets, windows)
        else:
            k = task - count
            _g2_sum_into(ones, m * k // parts, m * (k + 1) // parts, windows, task)


@njit(cache=True)
def _g2_combine(windows, c, count):
    result = G2_INFINITY
    for w in range(count - 1, -1, -1):
        for _ in range(c):
            result = g2_double(result)
        result = g2_add(result, (_fq2(windows, w, 0), _fq2(windows, w, 1), _fq2(windows, w, 2)))
    for w in range(count, windows.shape[0]):
        result = g2_add(result, (_fq2(windows, w, 0), _fq2(windows, w, 1), _fq2(windows, w, 2)))
    out = np.zeros((1, 3, 2, 4), dtype=np.uint64)
    _put_fq2(out, 0, 0, result[0])
    _put_fq2(out, 0, 1, result[1])
    _put_fq2(out, 0, 2, result[2])
    return out


# ------------------------------------------------------ scalars equal to one
def _split_ones(points: np.ndarray, scalars: np.ndarray):
    """(points whose scalar is one, the other points, their scalars)."""
    one = (scalars[:, 0] == 1) & ~scalars[:, 1:].any(axis=1)
    if not one.any():
        return points[:0], points, scalars
    rest = ~one
    return np.ascontiguousarray(points[one]), np.ascontiguousarray(points[rest]), np.ascontiguousarray(scalars[rest])


def scalar_bits(scalars: np.ndarray) -> int:
    """Bit length of the largest scalar."""
    for limb in range(3, -1, -1):
        top = int(scalars[:, limb].max()) if len(scalars) else 0
        if top:
            return 64 * limb + top.bit_length()
    return 0


def window_bits(count: int, bits: int, addition: int, bucket: int) -> int:
    """c minimising windows * (count * addition + 2^(c-1) * bucket): ``addition`` is the cost of
    sorting and adding one point batch-affine, ``bucket`` that of one bucket's running sums
    (in field multiplications: G1 about 8 and 27, G2 about 20 and 80)."""
    return min(range(2, 19), key=lambda c: -(-(bits + 1) // c) * (count * addition + (bucket << (c - 1))))


def _plan(points: int, scalars: np.ndarray, addition: int, bucket: int):
    """Window width c, window count and signed digits; no windows when there are no scalars."""
    if not points:
        return 1, 0, np.zeros((0, 0), dtype=np.int32)
    bits = scalar_bits(scalars)
    c = window_bits(points, bits, addition, bucket)
    windows = -(-(bits + 1) // c)
    return c, windows, signed_digits(scalars, c, windows)


def _ones_parts(ones: int) -> int:
    """How many tasks sum the scalar-one points: one per 4,096 points, at most one per thread."""
    return min(numba.get_num_threads(), -(-ones // 4096))


def g1_msm(points: np.ndarray, scalars: np.ndarray, glv: bool = True) -> np.ndarray:
    """sum scalars[i] * points[i] as a (1, 3, 4) Jacobian point (Z = 0: infinity)."""
    ones, points, scalars = _split_ones(points, scalars)
    if glv:
        n = points.shape[0]
        split_points = np.empty((2 * n, 2, 4), dtype=np.uint64)
        split_scalars = np.empty((2 * n, 4), dtype=np.uint64)
        g1_glv_split(points, scalars, split_points, split_scalars)
        points, scalars = split_points, split_scalars
    c, count, digits = _plan(points.shape[0], scalars, 8, 27)
    windows = np.empty((count + _ones_parts(len(ones)), 3, 4), dtype=np.uint64)
    _g1_windows(points, digits, 1 << (c - 1), ones, windows)
    return _g1_combine(windows, c, count)


def g2_msm(points: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """sum scalars[i] * points[i] as a (1, 3, 2, 4) Jacobian point (Z = 0: infinity)."""
    ones, points, scalars = _split_ones(points, scalars)
    c, count, digits = _plan(points.shape[0], scalars, 20, 80)
    windows = np.empty((count + _ones_parts(len(ones)), 3, 2, 4), dtype=np.uint64)
    _g2_windows(points, digits, 1 << (c - 1), ones, windows)
    return _g2_combine(windows, c, count)


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
