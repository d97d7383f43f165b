# Generated from g1.py by python -m zkmargin.prover.native.generate: edit that file instead.
"""The group law of BN254's G2 in Jacobian coordinates, compiled with numba.

A point is (X, Y, Z) with x = X/Z^2, y = Y/Z^3; Z = 0 is the point at infinity. Formulas
are the a = 0 ones of the Explicit-Formulas Database: dbl-2009-l, madd-2007-bl (adding an
affine point, Z2 = 1) and add-2007-bl, with doubling and infinity handled in the adds.
"""

from __future__ import annotations

from numba import njit

from .fq2 import FQ2_ONE, FQ2_ZERO, fq2_add, fq2_is_zero, fq2_mul, fq2_square, fq2_sub

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
    """p + (x2, y2), the second point affine and not infinity."""
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
    i = fq2_square(fq2_add(h, h))
    j = fq2_mul(h, i)
    r = fq2_add(r, r)
    v = fq2_mul(u1, i)
    x3 = fq2_sub(fq2_sub(fq2_square(r), j), fq2_add(v, v))
    s1j = fq2_mul(s1, j)
    y3 = fq2_sub(fq2_mul(r, fq2_sub(v, x3)), fq2_add(s1j, s1j))
    z3 = fq2_mul(fq2_sub(fq2_sub(fq2_square(fq2_add(Z1, Z2)), z1z1), z2z2), h)
    return (x3, y3, z3)
