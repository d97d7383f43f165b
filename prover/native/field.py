"""Montgomery arithmetic for BN254's two prime fields, compiled with numba.

An element is a tuple of four uint64 limbs, little-endian, in Montgomery form x * 2^256 mod p.
Products go through one LLVM 128-bit multiply (an intrinsic numba does not expose), in the
CIOS order: multiply one limb row, then reduce it. Functions take the modulus as a tuple so
one compiled body serves Fq and Fr; `cache=True` keeps the machine code across processes.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def limbs(value: int) -> tuple[int, int, int, int]:
    return tuple((value >> (64 * i)) & 0xFFFFFFFFFFFFFFFF for i in range(4))  # type: ignore[return-value]


def _constants(p: int):
    return (
        tuple(np.uint64(x) for x in limbs(p)),
        np.uint64((-pow(p, -1, 1 << 64)) % (1 << 64)),  # -p^-1 mod 2^64
        tuple(np.uint64(x) for x in limbs((1 << 256) % p)),  # one, in Montgomery form
        tuple(np.uint64(x) for x in limbs(pow(1 << 256, 2, p))),  # R^2, to enter Montgomery form
    )


Q_LIMBS, Q_INV, Q_ONE, Q_R2 = _constants(Q)
R_LIMBS, R_INV, R_ONE, R_R2 = _constants(R)
ZERO = (np.uint64(0), np.uint64(0), np.uint64(0), np.uint64(0))


@intrinsic
def mac(typingctx, acc, a, b, carry):
    """acc + a * b + carry as (low, high) 64-bit words; it cannot overflow 128 bits."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i128, i64 = ir.IntType(128), ir.IntType(64)
        acc_, a_, b_, c_ = (builder.zext(x, i128) for x in args)
        total = builder.add(builder.add(builder.mul(a_, b_), acc_), c_)
        low = builder.trunc(total, i64)
        high = builder.trunc(builder.lshr(total, ir.Constant(i128, 64)), i64)
        return context.make_tuple(builder, signature.return_type, (low, high))

    return sig, codegen


@intrinsic
def adc(typingctx, a, b, carry):
    """a + b + carry as (sum, carry out)."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i128, i64 = ir.IntType(128), ir.IntType(64)
        total = builder.add(builder.add(builder.zext(args[0], i128), builder.zext(args[1], i128)), builder.zext(args[2], i128))
        return context.make_tuple(builder, signature.return_type, (builder.trunc(total, i64), builder.trunc(builder.lshr(total, ir.Constant(i128, 64)), i64)))

    return sig, codegen


@intrinsic
def sbb(typingctx, a, b, borrow):
    """a - b - borrow as (difference, borrow out in {0, 1})."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i128, i64 = ir.IntType(128), ir.IntType(64)
        diff = builder.sub(builder.sub(builder.zext(args[0], i128), builder.zext(args[1], i128)), builder.zext(args[2], i128))
        out = builder.trunc(builder.lshr(diff, ir.Constant(i128, 127)), i64)
        return context.make_tuple(builder, signature.return_type, (builder.trunc(diff, i64), out))

    return sig, codegen


@njit(cache=True)
def _reduce_once(t0, t1, t2, t3, t4, p):
    """(t4:t3:t2:t1:t0) - p if that is not negative, else t (for t < 2p)."""
    z = np.uint64(0)
    s0, b = sbb(t0, p[0], z)
    s1, b = sbb(t1, p[1], b)
    s2, b = sbb(t2, p[2], b)
    s3, b = sbb(t3, p[3], b)
    _, b = sbb(t4, z, b)
    if b:
        return (t0, t1, t2, t3)
    return (s0, s1, s2, s3)


@njit(cache=True)
def mont_mul(a, b, p, inv):
    z = np.uint64(0)
    t0 = t1 = t2 = t3 = t4 = z
    for i in range(4):
        bi = b[i]
        t0, c = mac(t0, a[0], bi, z)
        t1, c = mac(t1, a[1], bi, c)
        t2, c = mac(t2, a[2], bi, c)
        t3, c = mac(t3, a[3], bi, c)
        t4, t5 = adc(t4, c, z)
        m = t0 * inv
        _, c = mac(t0, m, p[0], z)
        t0, c = mac(t1, m, p[1], c)
        t1, c = mac(t2, m, p[2], c)
        t2, c = mac(t3, m, p[3], c)
        t3, c = adc(t4, c, z)
        t4 = t5 + c
    return _reduce_once(t0, t1, t2, t3, t4, p)


@njit(cache=True)
def add_mod(a, b, p):
    z = np.uint64(0)
    s0, c = adc(a[0], b[0], z)
    s1, c = adc(a[1], b[1], c)
    s2, c = adc(a[2], b[2], c)
    s3, c = adc(a[3], b[3], c)
    return _reduce_once(s0, s1, s2, s3, c, p)


@njit(cache=True)
def sub_mod(a, b, p):
    z = np.uint64(0)
    d0, br = sbb(a[0], b[0], z)
    d1, br = sbb(a[1], b[1], br)
    d2, br = sbb(a[2], b[2], br)
    d3, br = sbb(a[3], b[3], br)
    if br:
        d0, c = adc(d0, p[0], z)
        d1, c = adc(d1, p[1], c)
        d2, c = adc(d2, p[2], c)
        d3, c = adc(d3, p[3], c)
    return (d0, d1, d2, d3)


@njit(cache=True)
def is_zero(a):
    return (a[0] | a[1] | a[2] | a[3]) == 0


# ------------------------------------------------------------- Fq and Fr
@njit(cache=True)
def fq_mul(a, b):
    return mont_mul(a, b, Q_LIMBS, Q_INV)


@njit(cache=True)
def fq_add(a, b):
    return add_mod(a, b, Q_LIMBS)


@njit(cache=True)
def fq_sub(a, b):
    return sub_mod(a, b, Q_LIMBS)


@njit(cache=True)
def fr_mul(a, b):
    return mont_mul(a, b, R_LIMBS, R_INV)


@njit(cache=True)
def fr_add(a, b):
    return add_mod(a, b, R_LIMBS)


@njit(cache=True)
def fr_sub(a, b):
    return sub_mod(a, b, R_LIMBS)


Q_MINUS_2 = tuple(np.uint64(x) for x in limbs(Q - 2))


@njit(cache=True)
def fq_inv(a):
    """a^(q-2) by square-and-multiply, MSB first (a != 0)."""
    result = Q_ONE
    for i in range(3, -1, -1):
        word = Q_MINUS_2[i]
        for bit in range(63, -1, -1):
            result = fq_mul(result, result)
            if (word >> np.uint64(bit)) & np.uint64(1):
                result = fq_mul(result, a)
    return result


# ------------------------------------------------------- array conversion
def to_array(values, modulus: int, montgomery: bool) -> np.ndarray:
    """Python ints -> (n, 4) uint64 limbs, optionally in Montgomery form."""
    if montgomery:
        values = [(v << 256) % modulus for v in values]
    data = b"".join(int(v).to_bytes(32, "little") for v in values)
    return np.frombuffer(data, dtype="<u8").reshape(len(values), 4).copy()


def from_array(array: np.ndarray, modulus: int, montgomery: bool) -> list[int]:
    raw = np.ascontiguousarray(array, dtype="<u8").tobytes()
    values = [int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32)]
    if montgomery:
        inverse = pow(1 << 256, -1, modulus)
        values = [v * inverse % modulus for v in values]
    return values
