"""BN254 G1 (over Fq) and G2 (over Fq2) in Jacobian coordinates, compiled with numba.

A point is (X, Y, Z) with x = X/Z^2, y = Y/Z^3; Z = 0 is the point at infinity. Formulas
are the a = 0 ones of the Explicit-Formulas Database: dbl-2009-l, madd-2007-bl (adding an
affine point, Z2 = 1) and add-2007-bl. G2 repeats G1's formulas over Fq2 because numba
cannot cache code that is generic over the field type.
"""

from __future__ import annotations

from numba import njit

from .field import Q_ONE, ZERO, fq_add, fq_inv, fq_mul, fq_sub, is_zero

# ------------------------------------------------------------------- G1
G1_INFINITY = (Q_ONE, Q_ONE, ZERO)


@njit(cache=True)
def g1_double(p):
    X, Y, Z = p
    if is_zero(Z):
        return p
    a = fq_mul(X, X)
    b = fq_mul(Y, Y)
    c = fq_mul(b, b)
    t = fq_add(X, b)
    d = fq_sub(fq_sub(fq_mul(t, t), a), c)
    d = fq_add(d, d)
    e = fq_add(fq_add(a, a), a)
    x3 = fq_sub(fq_mul(e, e), fq_add(d, d))
    c8 = fq_add(c, c)
    c8 = fq_add(c8, c8)
    c8 = fq_add(c8, c8)
    y3 = fq_sub(fq_mul(e, fq_sub(d, x3)), c8)
    z3 = fq_mul(Y, Z)
    return (x3, y3, fq_add(z3, z3))


@njit(cache=True)
def g1_add_affine(p, x2, y2):
    """p + (x2, y2), the second point affine and not infinity."""
    X1, Y1, Z1 = p
    if is_zero(Z1):
        return (x2, y2, Q_ONE)
    z1z1 = fq_mul(Z1, Z1)
    u2 = fq_mul(x2, z1z1)
    s2 = fq_mul(y2, fq_mul(Z1, z1z1))
    h = fq_sub(u2, X1)
    r = fq_sub(s2, Y1)
    if is_zero(h):
        if is_zero(r):
            return g1_double((x2, y2, Q_ONE))
        return G1_INFINITY
    hh = fq_mul(h, h)
    i = fq_add(hh, hh)
    i = fq_add(i, i)
    j = fq_mul(h, i)
    r = fq_add(r, r)
    v = fq_mul(X1, i)
    x3 = fq_sub(fq_sub(fq_mul(r, r), j), fq_add(v, v))
    y1j = fq_mul(Y1, j)
    y3 = fq_sub(fq_mul(r, fq_sub(v, x3)), fq_add(y1j, y1j))
    t = fq_add(Z1, h)
    z3 = fq_sub(fq_sub(fq_mul(t, t), z1z1), hh)
    return (x3, y3, z3)


@njit(cache=True)
def g1_add(p, q):
    X1, Y1, Z1 = p
    X2, Y2, Z2 = q
    if is_zero(Z1):
        return q
    if is_zero(Z2):
        return p
    z1z1 = fq_mul(Z1, Z1)
    z2z2 = fq_mul(Z2, Z2)
    u1 = fq_mul(X1, z2z2)
    u2 = fq_mul(X2, z1z1)
    s1 = fq_mul(Y1, fq_mul(Z2, z2z2))
    s2 = fq_mul(Y2, fq_mul(Z1, z1z1))
    h = fq_sub(u2, u1)
    r = fq_sub(s2, s1)
    if is_zero(h):
        if is_zero(r):
            return g1_double(p)
        return G1_INFINITY
    i = fq_add(h, h)
    i = fq_mul(i, i)
    j = fq_mul(h, i)
    r = fq_add(r, r)
    v = fq_mul(u1, i)
    x3 = fq_sub(fq_sub(fq_mul(r, r), j), fq_add(v, v))
    s1j = fq_mul(s1, j)
    y3 = fq_sub(fq_mul(r, fq_sub(v, x3)), fq_add(s1j, s1j))
    t = fq_add(Z1, Z2)
    z3 = fq_mul(fq_sub(fq_sub(fq_mul(t, t), z1z1), z2z2), h)
    return (x3, y3, z3)


# ------------------------------------------------------------------ Fq2
# a = a0 + a1 u with u^2 = -1
FQ2_ZERO = (ZERO, ZERO)
FQ2_ONE = (Q_ONE, ZERO)


@njit(cache=True)
def fq2_add(a, b):
    return (fq_add(a[0], b[0]), fq_add(a[1], b[1]))


@njit(cache=True)
def fq2_sub(a, b):
    return (fq_sub(a[0], b[0]), fq_sub(a[1], b[1]))


@njit(cache=True)
def fq2_mul(a, b):
    t0 = fq_mul(a[0], b[0])
    t1 = fq_mul(a[1], b[1])
    cross = fq_mul(fq_add(a[0], a[1]), fq_add(b[0], b[1]))
    return (fq_sub(t0, t1), fq_sub(fq_sub(cross, t0), t1))


@njit(cache=True)
def fq2_square(a):
    t = fq_mul(a[0], a[1])
    return (fq_mul(fq_add(a[0], a[1]), fq_sub(a[0], a[1])), fq_add(t, t))


@njit(cache=True)
def fq2_is_zero(a):
    return is_zero(a[0]) and is_zero(a[1])


@njit(cache=True)
def fq2_inv(a):
    """1 / (a0 + a1 u) = (a0 - a1 u) / (a0^2 + a1^2)."""
    norm_inv = fq_inv(fq_add(fq_mul(a[0], a[0]), fq_mul(a[1], a[1])))
    return (fq_mul(a[0], norm_inv), fq_sub(ZERO, fq_mul(a[1], norm_inv)))


# ------------------------------------------------------------------- G2
G2_INFINITY = (FQ2_ONE, FQ2_ONE, FQ2_ZERO)


@njit(cache=True)
def g2_double(p):
    X, Y, Z = p
    if fq2_is_zero(Z):
        return p
    a = fq2_square(X)
    b = fq2_square(Y)
    c = fq2_square(b)
    d = fq2_sub(fq2_sub(fq2_square(fq2_add(X, b)), a), c)
    d = fq2_add(d, d)
    e = fq2_add(fq2_add(a, a), a)
    x3 = fq2_sub(fq2_square(e), fq2_add(d, d))
    c8 = fq2_add(c, c)
    c8 = fq2_add(c8, c8)
    c8 = fq2_add(c8, c8)
    y3 = fq2_sub(fq2_mul(e, fq2_sub(d, x3)), c8)
    z3 = fq2_mul(Y, Z)
    return (x3, y3, fq2_add(z3, z3))


@njit(cache=True)
def g2_add_affine(p, x2, y2):
    X1, Y1, Z1 = p
    if fq2_is_zero(Z1):
        return (x2, y2, FQ2_ONE)
    z1z1 = fq2_square(Z1)
    u2 = fq2_mul(x2, z1z1)
    s2 = fq2_mul(y2, fq2_mul(Z1, z1z1))
    h = fq2_sub(u2, X1)
    r = fq2_sub(s2, Y1)
    if fq2_is_zero(h):
        if fq2_is_zero(r):
            return g2_double((x2, y2, FQ2_ONE))
        return G2_INFINITY
    hh = fq2_square(h)
    i = fq2_add(hh, hh)
    i = fq2_add(i, i)
    j = fq2_mul(h, i)
    r = fq2_add(r, r)
    v = fq2_mul(X1, i)
    x3 = fq2_sub(fq2_sub(fq2_square(r), j), fq2_add(v, v))
    y1j = fq2_mul(Y1, j)
    y3 = fq2_sub(fq2_mul(r, fq2_sub(v, x3)), fq2_add(y1j, y1j))
    z3 = fq2_sub(fq2_sub(fq2_square(fq2_add(Z1, h)), z1z1), hh)
    return (x3, y3, z3)


@njit(cache=True)
def g2_add(p, q):
    X1, Y1, Z1 = p
    X2, Y2, Z2 = q
    if fq2_is_zero(Z1):
        return q
    if fq2_is_zero(Z2):
        return p
    z1z1 = fq2_square(Z1)
    z2z2 = fq2_square(Z2)
    u1 = fq2_mul(X1, z2z2)
    u2 = fq2_mul(X2, z1z1)
    s1 = fq2_mul(Y1, fq2_mul(Z2, z2z2))
    s2 = fq2_mul(Y2, fq2_mul(Z1, z1z1))
    h = fq2_sub(u2, u1)
    r = fq2_sub(s2, s1)
    if fq2_is_zero(h):
        if fq2_is_zero(r):
            return g2_double(p)
        return G2_INFINITY
    i = fq2_add(h, h)
    i = fq2_square(i)
    j = fq2_mul(h, i)
    r = fq2_add(r, r)
    v = fq2_mul(u1, i)
    x3 = fq2_sub(fq2_sub(fq2_square(r), j), fq2_add(v, v))
    s1j = fq2_mul(s1, j)
    y3 = fq2_sub(fq2_mul(r, fq2_sub(v, x3)), fq2_add(s1j, s1j))
    z3 = fq2_mul(fq2_sub(fq2_sub(fq2_square(fq2_add(Z1, Z2)), z1z1), z2z2), h)
    return (x3, y3, z3)
