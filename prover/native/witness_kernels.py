"""Kernels of the compiled witness generator (witness.py): a WitnessProgram
(circuits/witness_program.py) run in numba code, and its constraints checked.

Values live in Montgomery form (x * 2^256 mod r) so products are one ``fr_mul``; a step
that reads an integer (bits, divmod, the select condition's zero test) converts its input
out of Montgomery form first, and every output in again.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from zkmargin.circuits.witness_program import (
    BITS,
    DIVMOD,
    MAXIMUM,
    PRODUCT,
    SELECT,
    SHORTFALL,
)
from zkmargin.verifier.curve import CURVE_ORDER as R

from .field import fq_load, fq_store, fr_add, fr_mul, limbs

_U = np.uint64
_ZERO = (_U(0), _U(0), _U(0), _U(0))
_STANDARD_ONE = (_U(1), _U(0), _U(0), _U(0))  # fr_mul(x, 1) = x / 2^256: out of Montgomery form
_MONT_ONE = tuple(_U(x) for x in limbs((1 << 256) % R))
_MONT_SQUARE = tuple(_U(x) for x in limbs((1 << 512) % R))  # fr_mul(x, 2^512) = x * 2^256: into it
_HALF = tuple(_U(x) for x in limbs(R // 2))  # standard-form values above it read as negative
_MONT_MINUS_ONE = tuple(_U(x) for x in limbs(((R - 1) << 256) % R))  # fr_mul(x, it) = -x


@njit(cache=True)
def _is_zero(v):
    return (v[0] | v[1] | v[2] | v[3]) == 0


@njit(cache=True)
def _combination(w, start, wires, coefs, row):
    """sum_j c_j * w[wire_j] (coefficients already in Montgomery form)."""
    acc = _ZERO
    for j in range(start[row], start[row + 1]):
        acc = fr_add(acc, fr_mul(fq_load(coefs, j), fq_load(w, wires[j])))
    return acc


@njit(cache=True)
def _above(a, b):
    """a > b for standard-form limbs, compared from the top limb."""
    for k in range(3, -1, -1):
        if a[k] != b[k]:
            return a[k] > b[k]
    return False


@njit(cache=True)
def _signed_above(a, b):
    """a > b as signed integers (x in (r/2, r) is x - r): the Python hint's max(_signed(x))."""
    a_negative, b_negative = _above(a, _HALF), _above(b, _HALF)
    if a_negative != b_negative:
        return b_negative
    return _above(a, b)


@njit(cache=True)
def _bit(v, i):
    return (v[i >> 6] >> _U(i & 63)) & _U(1)


@njit(cache=True)
def _divmod(v, d, quotient, remainder):
    """Schoolbook binary long division of v < 2^254 by 0 < d < r: remainder < d < 2^254, so
    shifting it left one bit never leaves 256 bits."""
    for k in range(4):
        quotient[k] = 0
        remainder[k] = 0
    for i in range(253, -1, -1):
        remainder[3] = (remainder[3] << _U(1)) | (remainder[2] >> _U(63))
        remainder[2] = (remainder[2] << _U(1)) | (remainder[1] >> _U(63))
        remainder[1] = (remainder[1] << _U(1)) | (remainder[0] >> _U(63))
        remainder[0] = (remainder[0] << _U(1)) | _bit(v, i)
        at_least = True  # remainder >= d, compared from the top limb
        for k in range(3, -1, -1):
            if remainder[k] != d[k]:
                at_least = remainder[k] > d[k]
                break
        if at_least:
            borrow = _U(0)
            for k in range(4):
                a, b = remainder[k], d[k]
                remainder[k] = a - b - borrow
                borrow = _U(1) if (a < b) or (a == b and borrow == _U(1)) else _U(0)
            quotient[i >> 6] |= _U(1) << _U(i & 63)


@njit(cache=True)
def _small(v, cap):
    """A standard-form value as an integer, any value above cap counting as cap + 1."""
    if (v[1] | v[2] | v[3]) != 0 or v[0] > _U(cap):
        return cap + 1
    return np.int64(v[0])


@njit(cache=True)
def _shortfall(w, start, wires, coefs, row, count, quotient, remainder):
    """(tau, m) in Montgomery form for the shortfall kind (circuits/witness_program.py): tau the
    k-th largest of the n signed tail values, m the largest of the other values and, for k >= 1,
    of tau + ceil(sum max(x - tau, 0) / k); a k above n counts as n + 1, as the Python hint has it."""
    n = _small(fr_mul(_combination(w, start, wires, coefs, row + 1), _STANDARD_ONE), count)
    n = min(n, count - 2)
    k = _small(fr_mul(_combination(w, start, wires, coefs, row), _STANDARD_ONE), n)
    rank = min(max(k, 1), n)
    values = np.empty((count - 2, 4), dtype=np.uint64)
    for j in range(count - 2):
        fq_store(values, j, fr_mul(_combination(w, start, wires, coefs, row + 2 + j), _STANDARD_ONE))
    tau = fq_load(values, 0)
    for j in range(n):  # values[j] is the rank-th largest when fewer than rank lie above it and rank do not lie below
        v = fq_load(values, j)
        above = at_least = 0
        for i in range(n):
            u = fq_load(values, i)
            if _signed_above(u, v):
                above += 1
            if not _signed_above(v, u):
                at_least += 1
        if above < rank <= at_least:
            tau = v
            break
    best = fq_load(values, n)
    for j in range(n + 1, count - 2):
        v = fq_load(values, j)
        if _signed_above(v, best):
            best = v
    tau_m = fr_mul(tau, _MONT_SQUARE)
    if k > 0:
        excess = _ZERO
        negative_tau = fr_mul(tau_m, _MONT_MINUS_ONE)
        for j in range(n):
            v = fq_load(values, j)
            if _signed_above(v, tau):
                excess = fr_add(excess, fr_add(fr_mul(v, _MONT_SQUARE), negative_tau))
        rounded = fr_mul(fr_add(excess, fr_mul(limbs_of(k - 1), _MONT_SQUARE)), _STANDARD_ONE)
        _divmod(rounded, limbs_of(k), quotient, remainder)
        q = (quotient[0], quotient[1], quotient[2], quotient[3])
        es = fr_mul(fr_add(tau_m, fr_mul(q, _MONT_SQUARE)), _STANDARD_ONE)
        if _signed_above(es, best):
            best = es
    return tau_m, fr_mul(best, _MONT_SQUARE)


@njit(cache=True)
def limbs_of(k):
    return (_U(k), _U(0), _U(0), _U(0))


@njit(cache=True, nogil=True)
def run_program(inputs, ops, start, wires, coefs, params, n_wires):
    w = np.empty((n_wires, 4), dtype=np.uint64)
    fq_store(w, 0, _MONT_ONE)
    for i in range(inputs.shape[0]):
        fq_store(w, 1 + i, fr_mul(fq_load(inputs, i), _MONT_SQUARE))
    quotient = np.zeros(4, dtype=np.uint64)
    remainder = np.zeros(4, dtype=np.uint64)
    for k in range(ops.shape[0]):
        kind, out, count, row, param = ops[k, 0], ops[k, 1], ops[k, 2], ops[k, 3], ops[k, 4]
        x = _combination(w, start, wires, coefs, row)
        if kind == PRODUCT:
            fq_store(w, out, fr_mul(x, _combination(w, start, wires, coefs, row + 1)))
        elif kind == SELECT:
            chosen = row + 1 if not _is_zero(x) else row + 2
            fq_store(w, out, _combination(w, start, wires, coefs, chosen))
        elif kind == BITS:
            v = fr_mul(x, _STANDARD_ONE)
            for i in range(count):
                fq_store(w, out + i, _MONT_ONE if _bit(v, i) else _ZERO)
        elif kind == MAXIMUM:  # param holds the count of inputs; compared in standard form
            best = fr_mul(x, _STANDARD_ONE)
            for j in range(1, param):
                v = fr_mul(_combination(w, start, wires, coefs, row + j), _STANDARD_ONE)
                if _signed_above(v, best):
                    best = v
            fq_store(w, out, fr_mul(best, _MONT_SQUARE))
        elif kind == SHORTFALL:  # param holds the count of inputs: k, n, the n tail values, the others
            tau, best = _shortfall(w, start, wires, coefs, row, param, quotient, remainder)
            fq_store(w, out, tau)
            fq_store(w, out + 1, best)
        elif kind == DIVMOD:
            v = fr_mul(x, _STANDARD_ONE)
            _divmod(v, fq_load(params, param), quotient, remainder)
            q = (quotient[0], quotient[1], quotient[2], quotient[3])
            m = (remainder[0], remainder[1], remainder[2], remainder[3])
            fq_store(w, out, fr_mul(q, _MONT_SQUARE))
            fq_store(w, out + 1, fr_mul(m, _MONT_SQUARE))
    for i in range(n_wires):
        fq_store(w, i, fr_mul(fq_load(w, i), _STANDARD_ONE))
    return w


@njit(cache=True, nogil=True)
def to_montgomery(values):
    out = np.empty_like(values)
    for i in range(values.shape[0]):
        fq_store(out, i, fr_mul(fq_load(values, i), _MONT_SQUARE))
    return out


@njit(cache=True, nogil=True)
def first_unsatisfied(w, a_start, a_wire, a_coef, b_start, b_wire, b_coef, c_start, c_wire, c_coef):
    """The first row with a * b != c, or -1. The witness is in standard form and the
    coefficients in Montgomery form, so each sum comes out in standard form; a * b then
    needs the one extra factor 2^256 that a Montgomery product of a and (b in Montgomery
    form) supplies."""
    for row in range(a_start.shape[0] - 1):
        a = _combination(w, a_start, a_wire, a_coef, row)
        b = _combination(w, b_start, b_wire, b_coef, row)
        c = _combination(w, c_start, c_wire, c_coef, row)
        ab = fr_mul(a, fr_mul(b, _MONT_SQUARE))
        if ab[0] != c[0] or ab[1] != c[1] or ab[2] != c[2] or ab[3] != c[3]:
            return row
    return -1
