"""The group law of BN254's G1 in Jacobian coordinates, compiled with numba.

A point is (X, Y, Z) with x = X/Z^2, y = Y/Z^3; Z = 0 is the point at infinity. Formulas
are the a = 0 ones of the Explicit-Formulas Database: dbl-2009-l, madd-2007-bl (adding an
affine point, Z2 = 1) and add-2007-bl, with doubling and infinity handled in the adds.

This file is a template for G2's: see generate.py.
"""

from __future__ import annotations

from numba import njit

from .field import Q_ONE, ZERO, fq_add, fq_is_zero, fq_mul, fq_square, fq_sub

G1_INFINITY = (Q_ONE, Q_ONE, ZERO)


@njit(cache=True)
def g1_double(p):
    X, Y, Z = p
    if fq_is_zero(Z):
        return p
    a = fq_square(X)
    b = fq_square(Y)
    c = fq_square(b)
    d = fq_sub(fq_sub(fq_square(fq_add(X, b)), a), c)
    d = fq_add(d, d)
    e = fq_add(fq_add(a, a), a)
    x3 = fq_sub(fq_square(e), fq_add(d, d))
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
    if fq_is_zero(Z1):
        return (x2, y2, Q_ONE)
    z1z1 = fq_square(Z1)
    u2 = fq_mul(x2, z1z1)
    s2 = fq_mul(y2, fq_mul(Z1, z1z1))
    h = fq_sub(u2, X1)
    r = fq_sub(s2, Y1)
    if fq_is_zero(h):
        if fq_is_zero(r):
            return g1_double((x2, y2, Q_ONE))
        return G1_INFINITY
    hh = fq_square(h)
    i = fq_add(hh, hh)
    i = fq_add(i, i)
    j = fq_mul(h, i)
    r = fq_add(r, r)
    v = fq_mul(X1, i)
    x3 = fq_sub(fq_sub(fq_square(r), j), fq_add(v, v))
    y1j = fq_mul(Y1, j)
    y3 = fq_sub(fq_mul(r, fq_sub(v, x3)), fq_add(y1j, y1j))
    z3 = fq_sub(fq_sub(fq_square(fq_add(Z1, h)), z1z1), hh)
    return (x3, y3, z3)


@njit(cache=True)
def g1_add(p, q):
    X1, Y1, Z1 = p
    X2, Y2, Z2 = q
    if fq_is_zero(Z1):
        return q
    if fq_is_zero(Z2):
        return p
    z1z1 = fq_square(Z1)
    z2z2 = fq_square(Z2)
    u1 = fq_mul(X1, z2z2)
    u2 = fq_mul(X2, z1z1)
    s1 = fq_mul(Y1, fq_mul(Z2, z2z2))
    s2 = fq_mul(Y2, fq_mul(Z1, z1z1))
    h = fq_sub(u2, u1)
    r = fq_sub(s2, s1)
    if fq_is_zero(h):
        if fq_is_zero(r):
            return g1_double(p)
        return G1_INFINITY
    i = fq_square(fq_add(h, h))
    j = fq_mul(h, i)
    r = fq_add(r, r)
    v = fq_mul(u1, i)
    x3 = fq_sub(fq_sub(fq_square(r), j), fq_add(v, v))
    s1j = fq_mul(s1, j)
    y3 = fq_sub(fq_mul(r, fq_sub(v, x3)), fq_add(s1j, s1j))
    z3 = fq_mul(fq_sub(fq_sub(fq_square(fq_add(Z1, Z2)), z1z1), z2z2), h)
    return (x3, y3, z3)
