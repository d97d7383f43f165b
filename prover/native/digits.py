"""Scalars as signed window digits, and a window's points sorted by bucket (Pippenger's
bookkeeping, the same for every group).

Signed digits in [-2^(c-1), 2^(c-1)] halve the buckets of a c-bit window: a negative digit
adds -P, which is free in affine form, so a window can be a bit wider for the same cost.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def signed_digits_into(scalars, c, digits, first, last):
    """digits[:, i] for first <= i < last: digits in [-2^(c-1), 2^(c-1)] with
    sum_w d_w 2^(c w) = scalars[i]; the top window must have a spare bit for the last carry.
    Each column is its own, so ranges of them are tasks for threads."""
    windows = digits.shape[0]
    half, full, mask = 1 << (c - 1), 1 << c, np.uint64((1 << c) - 1)
    for i in range(max(first, 0), min(last, scalars.shape[0], digits.shape[1])):  # never outside either array
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


@njit(cache=True, nogil=True)
def signed_digits(scalars, c, windows):
    """The (windows, n) digits of every scalar (signed_digits_into)."""
    digits = np.empty((windows, scalars.shape[0]), dtype=np.int32)
    signed_digits_into(scalars, c, digits, 0, scalars.shape[0])
    return digits


@njit(cache=True)
def bucket_order(digits, w, buckets):
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
