"""The reference engine: py_ecc group arithmetic with plain algorithms, readable and slow.

It is the oracle a fast engine is tested against, and it is still a few times faster than
calling py_ecc's scalar multiplication per point: MSMs use Pippenger's bucket method
(about 254/c * (n + 2^(c+1)) additions instead of about 380 * n), zero and one scalars
cost nothing and one addition, and setup's multiples of the generator come from a
table of 8-bit windows (32 additions each).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from py_ecc import optimized_bn128 as bn

from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import g1_affine, g2_affine

from .domain import root_of_unity
from .engine import Coefficient, Engine, G1Affine, G2Affine

_SCALAR_BITS = 254


def _g1(point: G1Affine) -> tuple:
    return bn.Z1 if point is None else (bn.FQ(point[0]), bn.FQ(point[1]), bn.FQ.one())


def _g2(point: G2Affine) -> tuple:
    if point is None:
        return bn.Z2
    (x0, x1), (y0, y1) = point
    return (bn.FQ2([x0, x1]), bn.FQ2([y0, y1]), bn.FQ2.one())


def _window_bits(count: int) -> int:
    """The Pippenger window minimising (254 / c) * (count + 2^(c+1)) group additions."""
    return min(range(1, 17), key=lambda c: -(-_SCALAR_BITS // c) * (count + (2 << c)))


def pippenger(points: Sequence[tuple], scalars: Sequence[int], zero: tuple) -> tuple:
    add, double = bn.add, bn.double
    total_ones = zero
    work = []
    for point, scalar in zip(points, scalars):
        scalar %= R
        if scalar == 0 or bn.is_inf(point):
            continue
        if scalar == 1:
            total_ones = add(total_ones, point)
        else:
            work.append((point, scalar))
    if not work:
        return total_ones
    c = _window_bits(len(work))
    mask = (1 << c) - 1
    total = zero
    for window in reversed(range(-(-_SCALAR_BITS // c))):
        for _ in range(c):
            total = double(total)
        buckets: list[Any] = [None] * mask
        shift = window * c
        for point, scalar in work:
            digit = (scalar >> shift) & mask
            if digit:
                b = buckets[digit - 1]
                buckets[digit - 1] = point if b is None else add(b, point)
        running, window_sum = zero, zero
        for bucket in reversed(buckets):
            if bucket is not None:
                running = add(running, bucket)
            window_sum = add(window_sum, running)
        total = add(total, window_sum)
    return add(total, total_ones)


class FixedBaseTable:
    """Multiples d * 2^(8j) * G for every 8-bit digit d and window j."""

    WINDOW = 8

    def __init__(self, generator: tuple, zero: tuple):
        self.zero = zero
        self.rows = []
        base = generator
        for _ in range(-(-_SCALAR_BITS // self.WINDOW)):
            row = [zero, base]
            for _ in range(2, 1 << self.WINDOW):
                row.append(bn.add(row[-1], base))
            self.rows.append(row)
            base = bn.add(row[-1], base)  # 2^8 * base

    def multiply(self, scalar: int) -> tuple:
        scalar %= R
        acc, j = self.zero, 0
        while scalar:
            digit = scalar & 0xFF
            if digit:
                acc = bn.add(acc, self.rows[j][digit])
            scalar >>= self.WINDOW
            j += 1
        return acc


class ReferenceEngine(Engine):
    name = "reference"

    def __init__(self) -> None:
        self._tables: dict[str, FixedBaseTable] = {}

    def prepare_g1(self, points: Sequence[G1Affine]) -> list[tuple]:
        return [_g1(p) for p in points]

    def prepare_g2(self, points: Sequence[G2Affine]) -> list[tuple]:
        return [_g2(p) for p in points]

    def msm_g1(self, bases: list[tuple], scalars: Sequence[int]) -> G1Affine:
        return g1_affine(pippenger(bases, scalars, bn.Z1))

    def msm_g2(self, bases: list[tuple], scalars: Sequence[int]) -> G2Affine:
        return g2_affine(pippenger(bases, scalars, bn.Z2))

    def _fixed_base(self, key: str, generator: tuple, zero: tuple, scalars: Sequence[int], to_affine: Callable) -> list:
        if len(scalars) < 64:  # building the table costs about as much as 20 plain multiplications
            return [to_affine(bn.multiply(generator, s % R)) for s in scalars]
        if key not in self._tables:
            self._tables[key] = FixedBaseTable(generator, zero)
        table = self._tables[key]
        return [to_affine(table.multiply(s)) for s in scalars]

    def fixed_base_g1(self, scalars: Sequence[int]) -> list[G1Affine]:
        return self._fixed_base("g1", bn.G1, bn.Z1, scalars, g1_affine)

    def fixed_base_g2(self, scalars: Sequence[int]) -> list[G2Affine]:
        return self._fixed_base("g2", bn.G2, bn.Z2, scalars, g2_affine)

    def ntt(self, values: Sequence[int], inverse: bool = False) -> list[int]:
        """Iterative radix-2 Cooley-Tukey, natural order in and out."""
        n = len(values)
        log_n = n.bit_length() - 1
        if n & (n - 1):
            raise ValueError("NTT size must be a power of two")
        out = [values[int(format(i, f"0{log_n}b")[::-1], 2) if log_n else 0] % R for i in range(n)]
        omega = root_of_unity(log_n)
        if inverse:
            omega = pow(omega, -1, R)
        length = 2
        while length <= n:
            step = pow(omega, n // length, R)
            half = length // 2
            twiddles = [1] * half
            for k in range(1, half):
                twiddles[k] = twiddles[k - 1] * step % R
            for start in range(0, n, length):
                for k in range(half):
                    u = out[start + k]
                    v = out[start + k + half] * twiddles[k] % R
                    out[start + k] = (u + v) % R
                    out[start + k + half] = (u - v) % R
            length *= 2
        if inverse:
            n_inv = pow(n, -1, R)
            out = [v * n_inv % R for v in out]
        return out

    def odd_coset(self, evaluations: Sequence[int]) -> list[int]:
        """Interpolate, multiply coefficient i by shift^i for a 2n-th root shift, evaluate."""
        n = len(evaluations)
        coefficients = self.ntt(evaluations, inverse=True)
        shift, factor = root_of_unity(n.bit_length()), 1
        for i in range(n):
            coefficients[i] = coefficients[i] * factor % R
            factor = factor * shift % R
        return self.ntt(coefficients)

    def sparse_products(
        self, entries: Sequence[Coefficient], scalars: Sequence[int], rows: int, matrices: int
    ) -> list[list[int]]:
        out = [[0] * rows for _ in range(matrices)]
        for matrix, row, column, value in entries:
            if matrix >= matrices or row >= rows or column >= len(scalars):
                raise ValueError("sparse matrix entries refer to rows or columns outside the sizes given")
            target = out[matrix]
            target[row] = (target[row] + value * scalars[column]) % R
        return out

    def hadamard(self, a: Sequence[int], b: Sequence[int]) -> list[int]:
        return [x * y % R for x, y in zip(a, b)]

    def hadamard_minus(self, a: Sequence[int], b: Sequence[int], c: Sequence[int]) -> list[int]:
        return [(x * y - z) % R for x, y, z in zip(a, b, c)]

    def integers(self, vector: Sequence[int]) -> list[int]:
        return [v % R for v in vector]
