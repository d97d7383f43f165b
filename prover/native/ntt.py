"""Kernels of the radix-2 number-theoretic transform over Fr (Montgomery limbs), and of the
coset step: powers of a shift for twiddles and cosets, and scaling by them. transform.py
runs the stages, on as many threads as there are cores."""

from __future__ import annotations

import numpy as np
from numba import njit

from .field import fr_add, fr_mul, fr_sub


@njit(cache=True, nogil=True)
def bit_reverse(a):
    n = a.shape[0]
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j |= bit
        if i < j:
            for k in range(4):
                a[i, k], a[j, k] = a[j, k], a[i, k]


@njit(cache=True, nogil=True)
def butterflies(a, twiddles, length, step, first, last):
    """The butterflies first..last of the stage that joins blocks of ``length``: for block b
    and k < length / 2, (a[i], a[i + length / 2]) <- (u + w v, u - w v) with i = b length + k
    and w = twiddles[k step]."""
    half = length // 2
    shift = 0  # half is a power of two: shift and mask, not a 64-bit division per butterfly
    while (1 << shift) < half:
        shift += 1
    mask = half - 1
    for idx in range(first, last):
        block, k = idx >> shift, idx & mask
        i = block * length + k
        j = i + half
        t = k * step
        w = (twiddles[t, 0], twiddles[t, 1], twiddles[t, 2], twiddles[t, 3])
        u = (a[i, 0], a[i, 1], a[i, 2], a[i, 3])
        v = fr_mul((a[j, 0], a[j, 1], a[j, 2], a[j, 3]), w)
        s = fr_add(u, v)
        d = fr_sub(u, v)
        for limb in range(4):
            a[i, limb] = s[limb]
            a[j, limb] = d[limb]


@njit(cache=True, nogil=True)
def geometric(start, ratio, count):
    """start * ratio^i for i < count (Montgomery limbs in and out): twiddles and coset powers,
    which in Python integers were a noticeable part of a proof."""
    out = np.empty((count, 4), dtype=np.uint64)
    x = (start[0], start[1], start[2], start[3])
    r = (ratio[0], ratio[1], ratio[2], ratio[3])
    for i in range(count):
        for limb in range(4):
            out[i, limb] = x[limb]
        x = fr_mul(x, r)
    return out


@njit(cache=True, nogil=True)
def scale_by_powers(a, powers):
    """a[i] *= powers[i] (elementwise, Montgomery)."""
    for i in range(a.shape[0]):
        p = fr_mul((a[i, 0], a[i, 1], a[i, 2], a[i, 3]), (powers[i, 0], powers[i, 1], powers[i, 2], powers[i, 3]))
        for limb in range(4):
            a[i, limb] = p[limb]
