"""Fq2 = Fq[u] / (u^2 + 1), the field of G2's coordinates, compiled with numba.

An element is a pair (c0, c1) of Fq elements for c0 + c1 u. The names mirror field.py's Fq
names with ``fq2_`` for ``fq_``, so that generate.py turns G1 code into G2 code by renaming.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from zkmargin.verifier.curve import FIELD_MODULUS as Q

from .field import (
    Q_ONE,
    USE_ADX,
    ZERO,
    _join,
    _split,
    _unpack,
    fq_add,
    fq_batch_invert,
    fq_inv,
    fq_is_zero,
    fq_mul,
    fq_square,
    fq_sub,
    reduce_ir,
    wide_product_ir,
)

FQ2_ZERO = (ZERO, ZERO)
FQ2_ONE = (Q_ONE, ZERO)


@njit(cache=True)
def fq2_add(a, b):
    return (fq_add(a[0], b[0]), fq_add(a[1], b[1]))


@njit(cache=True)
def fq2_sub(a, b):
    return (fq_sub(a[0], b[0]), fq_sub(a[1], b[1]))


@njit(cache=True)
def _fq2_mul_karatsuba(a, b):
    """Karatsuba: three Fq products instead of four."""
    t0 = fq_mul(a[0], b[0])
    t1 = fq_mul(a[1], b[1])
    cross = fq_mul(fq_add(a[0], a[1]), fq_add(b[0], b[1]))
    return (fq_sub(t0, t1), fq_sub(fq_sub(cross, t0), t1))


_ELEMENT = types.UniTuple(types.uint64, 4)
_ELEMENT2 = types.UniTuple(_ELEMENT, 2)


@intrinsic
def _fq2_product_lazy(typingctx, a, b):
    """Karatsuba with lazy reduction (x86 assembly, field.USE_ADX): the three 512-bit products
    a0 b0, a1 b1, (a0 + a1)(b0 + b1) unreduced (the sums are not reduced either, below 2q <
    2^255, so the cross term stays exact), then two Montgomery reductions instead of three:
    c0 = a0 b0 - a1 b1 + q^2 and c1 = (a0 + a1)(b0 + b1) - a0 b0 - a1 b1, both in [0, 2q^2),
    below q 2^256 as reduction needs."""

    def codegen(context, builder, signature, args):
        a0, a1 = (_unpack(builder, builder.extract_value(args[0], k)) for k in range(2))
        b0, b1 = (_unpack(builder, builder.extract_value(args[1], k)) for k in range(2))
        v0 = wide_product_ir(builder, a0, b0)
        v1 = wide_product_ir(builder, a1, b1)
        a_sum = _split(builder, builder.add(_join(builder, a0), _join(builder, a1)))
        b_sum = _split(builder, builder.add(_join(builder, b0), _join(builder, b1)))
        cross = wide_product_ir(builder, a_sum, b_sum)
        c0 = builder.add(builder.sub(v0, v1), ir.Constant(ir.IntType(512), Q * Q))
        c1 = builder.sub(builder.sub(cross, v0), v1)
        parts = [context.make_tuple(builder, _ELEMENT, reduce_ir(builder, c, Q)) for c in (c0, c1)]
        return context.make_tuple(builder, _ELEMENT2, parts)

    return _ELEMENT2(_ELEMENT2, _ELEMENT2), codegen


@njit(cache=True)
def _fq2_mul_lazy(a, b):
    return _fq2_product_lazy(a, b)


#: Fq2 product: lazy reduction where field products are assembly (about 22 % faster here:
#: 43 -> 33 ns), else Karatsuba over three Fq products.
fq2_mul = _fq2_mul_lazy if USE_ADX else _fq2_mul_karatsuba


@njit(cache=True)
def fq2_square(a):
    """(a0 + a1)(a0 - a1) + 2 a0 a1 u: two Fq products."""
    t = fq_mul(a[0], a[1])
    return (fq_mul(fq_add(a[0], a[1]), fq_sub(a[0], a[1])), fq_add(t, t))


@njit(cache=True)
def fq2_is_zero(a):
    return fq_is_zero(a[0]) and fq_is_zero(a[1])


@njit(cache=True)
def fq2_inv(a):
    """1 / (a0 + a1 u) = (a0 - a1 u) / (a0^2 + a1^2)."""
    norm_inv = fq_inv(fq_add(fq_mul(a[0], a[0]), fq_mul(a[1], a[1])))
    return (fq_mul(a[0], norm_inv), fq_sub(ZERO, fq_mul(a[1], norm_inv)))


# ---------------------------------------------------------- limb arrays
# An Fq2 array holds one element per trailing (2, 4) axes: (m, 2, 4) vectors, (n, k, 2, 4) points.


@njit(cache=True)
def fq2_load(a, i):
    return ((a[i, 0, 0], a[i, 0, 1], a[i, 0, 2], a[i, 0, 3]), (a[i, 1, 0], a[i, 1, 1], a[i, 1, 2], a[i, 1, 3]))


@njit(cache=True)
def fq2_store(a, i, v):
    for half in range(2):
        for limb in range(4):
            a[i, half, limb] = v[half][limb]


@njit(cache=True)
def fq2_load_at(a, i, k):
    return (
        (a[i, k, 0, 0], a[i, k, 0, 1], a[i, k, 0, 2], a[i, k, 0, 3]),
        (a[i, k, 1, 0], a[i, k, 1, 1], a[i, k, 1, 2], a[i, k, 1, 3]),
    )


@njit(cache=True)
def fq2_store_at(a, i, k, v):
    for half in range(2):
        for limb in range(4):
            a[i, k, half, limb] = v[half][limb]


@njit(cache=True)
def fq2_empty(m):
    return np.empty((m, 2, 4), dtype=np.uint64)


@njit(cache=True)
def fq2_zeros(n, k):
    return np.zeros((n, k, 2, 4), dtype=np.uint64)


@njit(cache=True)
def fq2_empty_points(n, k):
    return np.empty((n, k, 2, 4), dtype=np.uint64)


@njit(cache=True)
def fq2_batch_invert(values, count, scratch):
    """values[:count] = 1 / values[:count] in place (zeros stay zero); ``scratch`` (count Fq2
    elements) is unused, kept so that G2's calls match G1's. 1 / a = conj(a) / N(a) with the norm N(a) = a0^2 + a1^2
    in Fq (zero only for a = 0, -1 being a non-residue mod q): the norms are batch-inverted
    in Fq, seven Fq products an element in all against nine for the trick over Fq2."""
    norms = np.empty((count, 4), dtype=np.uint64)
    for k in range(count):
        a = fq2_load(values, k)
        norm = fq_add(fq_square(a[0]), fq_square(a[1]))
        for limb in range(4):
            norms[k, limb] = norm[limb]
    fq_batch_invert(norms, count, np.empty((count, 4), dtype=np.uint64))  # contiguous, as every caller's
    for k in range(count):
        a = fq2_load(values, k)
        inverse = (norms[k, 0], norms[k, 1], norms[k, 2], norms[k, 3])
        fq2_store(values, k, (fq_mul(a[0], inverse), fq_sub(ZERO, fq_mul(a[1], inverse))))
