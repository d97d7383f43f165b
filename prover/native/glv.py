"""The GLV endomorphism of G1: k P = k1 P + k2 phi(P) with |k1|, |k2| < 2^128.

phi(x, y) = (beta x, y) equals lambda (x, y), so a 254-bit scalar becomes two 128-bit ones:
twice the points, half the windows. It also maps the "small negative" scalars of
range-check witnesses (r - s) to s. (Gallant, Lambert and Vanstone; G2 has the analogous
map but splitting measured slower there, see docs/architecture.md.)
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import FIELD_MODULUS as Q

from .field import ZERO, fq_load_at, fq_mul, fq_sub, limbs, mac

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
    candidates = ((rows[last][0], -rows[last][1]), (rows[last + 2][0], -rows[last + 2][1]))
    v2 = min(candidates, key=lambda v: v[0] ** 2 + v[1] ** 2)
    return v1, v2


(A1, B1), (A2, B2) = short_basis(R, LAMBDA)
assert A1 * B2 - A2 * B1 == R


def _u256(value: int):
    return tuple(np.uint64(x) for x in limbs(value % (1 << 256)))


# k1 = k - c1 a1 - c2 a2 and k2 = -c1 b1 - c2 b2 with c1 ~ b2 k / r and c2 ~ -b1 k / r, taken as
# (k g) >> 256 for g = floor(2^256 b / r): off by at most one, which lengthens k1, k2 by at most
# a bit (the window count follows the bits really present).
C1_FACTOR, C2_FACTOR = _u256((B2 << 256) // R), _u256((-B1 << 256) // R)
NEG_A1, NEG_A2, NEG_B1, NEG_B2 = (_u256(-x) for x in (A1, A2, B1, B2))
BETA_MONTGOMERY = _u256((BETA << 256) % Q)


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


@njit(cache=True, nogil=True)
def g1_glv_split(points, rows, scalars, scalar_rows, out_points, out_scalars):
    """k P -> |k1| (+-P) in row i and |k2| (+-phi(P)) in row n + i, for P = points[rows[i]] and
    k = scalars[scalar_rows[i]]: gathered here, so the MSM's points and scalars are never
    copied before the split. Scalars below 2^128 are already short: k1 = k, k2 = 0."""
    n = rows.shape[0]
    wide = np.empty(8, dtype=np.uint64)
    c1 = np.empty(4, dtype=np.uint64)
    c2 = np.empty(4, dtype=np.uint64)
    k1 = np.empty(4, dtype=np.uint64)
    k2 = np.empty(4, dtype=np.uint64)
    for i in range(n):
        k = scalars[scalar_rows[i]]
        x, y = fq_load_at(points, rows[i], 0), fq_load_at(points, rows[i], 1)
        if k[2] == 0 and k[3] == 0:
            _emit(out_points, out_scalars, i, x, y, k)
            _emit(out_points, out_scalars, n + i, x, y, ZERO)
            continue
        _product(k, C1_FACTOR, wide)
        c1[:] = wide[4:]
        _product(k, C2_FACTOR, wide)
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
        _emit(out_points, out_scalars, n + i, fq_mul(x, BETA_MONTGOMERY), y, k2)
