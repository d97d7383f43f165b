"""Montgomery arithmetic for BN254's two prime fields, compiled with numba.

An element is a tuple of four uint64 limbs, little-endian, in Montgomery form x * 2^256 mod p.
Multiplication, squaring, addition and subtraction are numba intrinsics: they emit LLVM IR
straight into the caller, with the modulus as constants, so a group law or a butterfly
compiles to one straight-line block instead of calls that pass the modulus and tuples
through memory (which measured markedly slower; figures in the README). The product is
CIOS without the final carry word, valid because both moduli's top words are below 2^63 - 1
(the "no-carry" variant of gnark and of Gautam et al., EdMSM); 128-bit partial products and
256-bit compare-and-select are plain LLVM integer types, which the x86 backend lowers to
mulx/adc chains and cmov. On x86-64 with BMI2 and ADX the product is instead inline assembly
of the same algorithm with two carry chains (adcx and adox, which LLVM does not emit from
the IR): about 15 % faster a product (10.7 against 12.6 ns of throughput on the development
machine), see ``USE_ADX``.

Array helpers (``fq_load``, ``fq_store``, ``fq_empty`` ...) read and write elements of limb
arrays. Group code goes through them only, so that the same source text, with ``fq_``
renamed to ``fq2_`` (see fq2.py and generate.py), is G2's code.
"""

from __future__ import annotations

from .startup import import_numba_registries

import_numba_registries()  # before any kernel compiles or loads: see startup.py

import os  # noqa: E402
import platform  # noqa: E402

import llvmlite.binding as llvm  # noqa: E402
import numpy as np  # noqa: E402
from llvmlite import ir  # noqa: E402
from numba import njit, types  # noqa: E402
from numba.extending import intrinsic  # noqa: E402

from zkmargin.verifier.curve import CURVE_ORDER as R  # noqa: E402
from zkmargin.verifier.curve import FIELD_MODULUS as Q  # noqa: E402

from .convert import from_array, limbs, to_array  # noqa: E402, F401  (re-exported for the kernels' callers)
from .exports import FIELD_ASM_ENV  # noqa: E402


Q_ONE = tuple(np.uint64(x) for x in limbs((1 << 256) % Q))  # one, in Montgomery form
ZERO = (np.uint64(0), np.uint64(0), np.uint64(0), np.uint64(0))

_I64, _I128, _I256 = ir.IntType(64), ir.IntType(128), ir.IntType(256)
_ELEMENT = types.UniTuple(types.uint64, 4)


# ------------------------------------------------------------ LLVM pieces
def _unpack(builder, element) -> list:
    return [builder.extract_value(element, k) for k in range(4)]


def _join(builder, words: list):
    """Four i64 words -> one i256."""
    wide = ir.Constant(_I256, 0)
    for k, word in enumerate(words):
        wide = builder.or_(wide, builder.shl(builder.zext(word, _I256), ir.Constant(_I256, 64 * k)))
    return wide


def _split(builder, wide) -> list:
    return [builder.trunc(builder.lshr(wide, ir.Constant(_I256, 64 * k)), _I64) for k in range(4)]


def _low_high(builder, value):
    return builder.trunc(value, _I64), builder.trunc(builder.lshr(value, ir.Constant(_I128, 64)), _I64)


def _multiply_add(builder, x, y, *addends):
    """x * y + addends as a 128-bit value (no overflow for up to two 64-bit addends)."""
    total = builder.mul(builder.zext(x, _I128), builder.zext(y, _I128))
    for addend in addends:
        total = builder.add(total, builder.zext(addend, _I128))
    return total


def _montgomery_product_ir(builder, a: list, b: list, p: int) -> list:
    """a * b / 2^256 mod p, CIOS without the carry word (needs p's top word below 2^63 - 1)."""
    p_words = [ir.Constant(_I64, w) for w in limbs(p)]
    inverse = ir.Constant(_I64, (-pow(p, -1, 1 << 64)) % (1 << 64))
    t = [ir.Constant(_I64, 0)] * 4
    for i in range(4):
        t0, carry_a = _low_high(builder, _multiply_add(builder, a[0], b[i], t[0]))
        m = builder.mul(t0, inverse)
        _, carry_m = _low_high(builder, _multiply_add(builder, m, p_words[0], t0))
        row = [None] * 4
        for j in range(1, 4):
            tj, carry_a = _low_high(builder, _multiply_add(builder, a[j], b[i], t[j], carry_a))
            row[j - 1], carry_m = _low_high(builder, _multiply_add(builder, m, p_words[j], tj, carry_m))
        row[3] = builder.add(carry_m, carry_a)
        t = row
    return _reduced(builder, _join(builder, t), p)


def _clear_low_word(t: list[str], lo: str, hi: str, p: int) -> list[str]:
    """Assembly of one Montgomery reduction step, shared by the product and the reduction:
    t += m p with m = t[0] (-1/p) mod 2^64, which makes t[0] zero (t: five word operands, lo
    and hi scratch; carries on CF and OF as adcx and adox keep them apart)."""
    inverse = (-pow(p, -1, 1 << 64)) % (1 << 64)
    lines = [f"movabsq $${inverse}, %rdx", f"imulq {t[0]}, %rdx", f"xorq {lo}, {lo}"]
    for j, word in enumerate(limbs(p)):
        lines += [f"movabsq $${word}, {lo}", f"mulxq {lo}, {lo}, {hi}"]
        lines += [f"adcxq {lo}, {t[j]}", f"adoxq {hi}, {t[j + 1]}"]
    lines.append(f"adcq $$0, {t[4]}")
    return lines


def _adx_product_text(p: int) -> tuple[str, list[int]]:
    """x86-64 assembly (AT&T) of the same CIOS product with mulx and two carry chains (adcx on
    CF, adox on OF), and which of its output operands hold the result words, least first.

    Operands: $0..$4 the five words of the running sum t (early-clobber outputs, renamed
    instead of shifted after each row), $5 and $6 the low and high words of a product, $7..$10
    the words of a, $11..$14 those of b; rdx holds b[i], then m, for mulx."""
    t = [f"${k}" for k in range(5)]
    lo, hi = "$5", "$6"
    a = [f"${7 + j}" for j in range(4)]
    b = [f"${11 + i}" for i in range(4)]
    lines = [f"movq {b[0]}, %rdx", f"mulxq {a[0]}, {t[0]}, {t[1]}"]
    for j in range(1, 4):  # t = a * b[0]: one carry chain, mulx leaves the flags alone
        lines += [f"mulxq {a[j]}, {lo}, {t[j + 1]}", f"{'addq' if j == 1 else 'adcq'} {lo}, {t[j]}"]
    lines.append(f"adcq $$0, {t[4]}")
    for i in range(4):
        if i:  # t += a * b[i]: low words on CF, high words on OF
            lines += [f"movq {b[i]}, %rdx", f"xorq {t[4]}, {t[4]}"]
            for j in range(4):
                lines += [f"mulxq {a[j]}, {lo}, {hi}", f"adcxq {lo}, {t[j]}", f"adoxq {hi}, {t[j + 1]}"]
            lines.append(f"adcq $$0, {t[4]}")
        lines += _clear_low_word(t, lo, hi, p)  # then t >>= 64
        t = t[1:] + t[:1]
    return "\n".join(lines), [int(word[1:]) for word in t[:4]]


def _adx_product_ir(builder, a: list, b: list, p: int) -> list:
    """The product as inline assembly (mulx/adcx/adox), then the final subtraction in IR."""
    text, result = _adx_product_text(p)
    signature = ir.FunctionType(ir.LiteralStructType([_I64] * 7), [_I64] * 8)
    constraints = ",".join(["=&r"] * 7 + ["rm"] * 8 + _CLOBBERS)
    words = builder.call(ir.InlineAsm(signature, text, constraints, side_effect=False), list(a) + list(b))
    return _reduced(builder, _join(builder, [builder.extract_value(words, k) for k in result]), p)


def _adx_wide_text() -> str:
    """Assembly of the full 512-bit product of two 4-word numbers (no reduction), for lazy
    reduction (fq2.py): $0..$7 the product's words, $8 and $9 scratch, $10..$13 a, $14..$17 b."""
    t = [f"${k}" for k in range(8)]
    lo, hi = "$8", "$9"
    a = [f"${10 + j}" for j in range(4)]
    b = [f"${14 + i}" for i in range(4)]
    lines = [f"movq {b[0]}, %rdx", f"mulxq {a[0]}, {t[0]}, {t[1]}"]
    for j in range(1, 4):
        lines += [f"mulxq {a[j]}, {lo}, {t[j + 1]}", f"{'addq' if j == 1 else 'adcq'} {lo}, {t[j]}"]
    lines.append(f"adcq $$0, {t[4]}")
    for i in range(1, 4):
        lines += [f"movq {b[i]}, %rdx", f"xorq {t[i + 4]}, {t[i + 4]}"]
        for j in range(4):
            lines += [f"mulxq {a[j]}, {lo}, {hi}", f"adcxq {lo}, {t[i + j]}", f"adoxq {hi}, {t[i + j + 1]}"]
        lines.append(f"adcq $$0, {t[i + 4]}")
    return "\n".join(lines)


def _adx_reduce_text(p: int) -> tuple[str, list[int]]:
    """Assembly of Montgomery's reduction T / 2^256 mod p (below 2p) of an 8-word T < p 2^256:
    $0..$4 the running five words, $5 and $6 scratch, $7..$14 T. Each step adds m p to clear
    the lowest word, drops it, and brings in T's next high word."""
    t = [f"${k}" for k in range(5)]
    lo, hi = "$5", "$6"
    w = [f"${7 + k}" for k in range(8)]
    lines = [f"movq {w[k]}, {t[k]}" for k in range(4)] + [f"xorq {t[4]}, {t[4]}"]
    for i in range(4):
        lines += _clear_low_word(t, lo, hi, p)
        t = t[1:] + t[:1]  # the cleared word becomes the new top, zero
        lines += [f"addq {w[4 + i]}, {t[3]}", f"adcq $$0, {t[4]}"]
    return "\n".join(lines), [int(word[1:]) for word in t[:4]]


_CLOBBERS = ["~{rdx}", "~{dirflag}", "~{fpsr}", "~{flags}"]
_I512 = ir.IntType(512)


def wide_product_ir(builder, a: list, b: list):
    """a * b as an i512 (a, b: four i64 words each, any values below 2^256)."""
    signature = ir.FunctionType(ir.LiteralStructType([_I64] * 10), [_I64] * 8)
    constraints = ",".join(["=&r"] * 10 + ["rm"] * 8 + _CLOBBERS)
    words = builder.call(ir.InlineAsm(signature, _adx_wide_text(), constraints, side_effect=False), list(a) + list(b))
    wide = ir.Constant(_I512, 0)
    for k in range(8):
        word = builder.zext(builder.extract_value(words, k), _I512)
        wide = builder.or_(wide, builder.shl(word, ir.Constant(_I512, 64 * k)))
    return wide


def reduce_ir(builder, wide, p: int) -> list:
    """wide / 2^256 mod p, fully reduced, for an i512 wide < p 2^256."""
    text, result = _adx_reduce_text(p)
    words = [builder.trunc(builder.lshr(wide, ir.Constant(_I512, 64 * k)), _I64) for k in range(8)]
    signature = ir.FunctionType(ir.LiteralStructType([_I64] * 7), [_I64] * 8)
    constraints = ",".join(["=&r"] * 7 + ["rm"] * 8 + _CLOBBERS)
    out = builder.call(ir.InlineAsm(signature, text, constraints, side_effect=False), words)
    return _reduced(builder, _join(builder, [builder.extract_value(out, k) for k in result]), p)


def _use_adx() -> bool:
    """Whether products use the mulx/adcx/adox assembly: on x86-64 with BMI2 and ADX (Intel
    since 2014, AMD since Zen), unless ZKMARGIN_FIELD_ASM=0. numba's cache keys on the CPU, not
    on this variable: delete prover/native/__pycache__/*.nb* after changing it."""
    if os.environ.get(FIELD_ASM_ENV, "1") == "0" or platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    features = llvm.get_host_cpu_features()
    if not (features.get("adx") and features.get("bmi2")):
        return False
    llvm.initialize_native_asmparser()  # numba does not: LLVM needs it to assemble inline asm
    return True


USE_ADX = _use_adx()


def _reduced(builder, wide, p: int) -> list:
    """wide - p if wide >= p, else wide (for wide < 2p)."""
    modulus = ir.Constant(_I256, p)
    below = builder.icmp_unsigned("<", wide, modulus)
    return _split(builder, builder.select(below, wide, builder.sub(wide, modulus)))


def _field_intrinsics(p: int, multiply=None):
    """Product, square, sum and difference mod p as intrinsics on 4-limb Montgomery tuples;
    ``multiply`` the product's IR (default: the assembly where USE_ADX, else portable IR)."""

    def binary(body):
        @intrinsic
        def operation(typingctx, a, b):
            def codegen(context, builder, signature, args):
                words = body(builder, _unpack(builder, args[0]), _unpack(builder, args[1]))
                return context.make_tuple(builder, _ELEMENT, words)

            return _ELEMENT(_ELEMENT, _ELEMENT), codegen

        return operation

    if multiply is None:
        multiply = _adx_product_ir if USE_ADX else _montgomery_product_ir

    def product(builder, a, b):
        return multiply(builder, a, b, p)

    def square(builder, a):
        return multiply(builder, a, a, p)

    def total(builder, a, b):  # a + b < 2p < 2^255: no overflow in 256 bits
        return _reduced(builder, builder.add(_join(builder, a), _join(builder, b)), p)

    def difference(builder, a, b):
        x, y = _join(builder, a), _join(builder, b)
        d = builder.sub(x, y)
        wrapped = builder.add(d, ir.Constant(_I256, p))
        return _split(builder, builder.select(builder.icmp_unsigned("<", x, y), wrapped, d))

    @intrinsic
    def squared(typingctx, a):
        def codegen(context, builder, signature, args):
            return context.make_tuple(builder, _ELEMENT, square(builder, _unpack(builder, args[0])))

        return _ELEMENT(_ELEMENT), codegen

    return binary(product), squared, binary(total), binary(difference)


fq_mul, fq_square, fq_add, fq_sub = _field_intrinsics(Q)
fr_mul, _, fr_add, fr_sub = _field_intrinsics(R)


@intrinsic
def mac(typingctx, acc, a, b, carry):
    """acc + a * b + carry as (low, high) 64-bit words; it cannot overflow 128 bits."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        acc_, a_, b_, c_ = args
        words = _low_high(builder, _multiply_add(builder, a_, b_, acc_, c_))
        return context.make_tuple(builder, signature.return_type, words)

    return sig, codegen


@njit(cache=True)
def fq_is_zero(a):
    return (a[0] | a[1] | a[2] | a[3]) == 0


Q_MINUS_2 = tuple(np.uint64(x) for x in limbs(Q - 2))


@njit(cache=True)
def fq_inv(a):
    """a^(q-2) by square-and-multiply, MSB first (a != 0)."""
    result = Q_ONE
    for i in range(3, -1, -1):
        word = Q_MINUS_2[i]
        for bit in range(63, -1, -1):
            result = fq_square(result)
            if (word >> np.uint64(bit)) & np.uint64(1):
                result = fq_mul(result, a)
    return result


# ---------------------------------------------------------- limb arrays
# An Fq array holds one element per trailing (4,) axis: (m, 4) vectors, (n, k, 4) points.


@njit(cache=True)
def fq_load(a, i):
    return (a[i, 0], a[i, 1], a[i, 2], a[i, 3])


@njit(cache=True)
def fq_store(a, i, v):
    for limb in range(4):
        a[i, limb] = v[limb]


@njit(cache=True)
def fq_load_at(a, i, k):
    return (a[i, k, 0], a[i, k, 1], a[i, k, 2], a[i, k, 3])


@njit(cache=True)
def fq_store_at(a, i, k, v):
    for limb in range(4):
        a[i, k, limb] = v[limb]


@njit(cache=True)
def fq_empty(m):
    """A vector of m elements, uninitialised."""
    return np.empty((m, 4), dtype=np.uint64)


@njit(cache=True)
def fq_zeros(n, k):
    """n rows of k elements (points: k coordinates), all zero."""
    return np.zeros((n, k, 4), dtype=np.uint64)


@njit(cache=True)
def fq_empty_points(n, k):
    """n rows of k elements, uninitialised."""
    return np.empty((n, k, 4), dtype=np.uint64)


@njit(cache=True)
def fq_batch_invert(values, count, scratch):
    """values[:count] = 1 / values[:count] in place, with one inversion. Zeros stay zero, so
    callers can leave a zero where no inverse is needed. ``scratch`` holds count elements.

    Even and odd positions are two separate running products, inverted together: each
    product waits for the one before it, so one chain would leave the multiplier idle for
    most of each product's latency; two interleaved chains overlap."""
    even = Q_ONE
    odd = Q_ONE
    pairs = count // 2
    for k in range(0, 2 * pairs, 2):
        fq_store(scratch, k, even)
        fq_store(scratch, k + 1, odd)
        v = fq_load(values, k)
        u = fq_load(values, k + 1)
        if not fq_is_zero(v):
            even = fq_mul(even, v)
        if not fq_is_zero(u):
            odd = fq_mul(odd, u)
    if count & 1:
        fq_store(scratch, count - 1, even)
        v = fq_load(values, count - 1)
        if not fq_is_zero(v):
            even = fq_mul(even, v)
    inverse = fq_inv(fq_mul(even, odd))
    inverse_even = fq_mul(inverse, odd)
    inverse_odd = fq_mul(inverse, even)
    if count & 1:
        v = fq_load(values, count - 1)
        if not fq_is_zero(v):
            fq_store(values, count - 1, fq_mul(inverse_even, fq_load(scratch, count - 1)))
            inverse_even = fq_mul(inverse_even, v)
    for k in range(2 * pairs - 2, -1, -2):
        v = fq_load(values, k)
        u = fq_load(values, k + 1)
        if not fq_is_zero(u):
            fq_store(values, k + 1, fq_mul(inverse_odd, fq_load(scratch, k + 1)))
            inverse_odd = fq_mul(inverse_odd, u)
        if not fq_is_zero(v):
            fq_store(values, k, fq_mul(inverse_even, fq_load(scratch, k)))
            inverse_even = fq_mul(inverse_even, v)
