"""The native engine: compiled field, curve, MSM and NTT kernels behind the Engine interface.

The kernels are numba code compiled ahead of time into an extension module (kernels.py), so
this module and everything a proof runs import neither numba nor LLVM. Conversions between
Python integers and limb arrays happen here, at the edge, once per call.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
from py_ecc import optimized_bn128 as bn

from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import FIELD_MODULUS as Q

from ..domain import root_of_unity
from ..encoding import COEFFICIENT_BYTES, COEFFICIENT_SCALE
from ..engine import Coefficient, EncodedCoefficients, EncodedPoints, Engine, G1Affine, G2Affine
from .convert import from_array, to_array
from .kernels import kernels
from .pippenger import g1_msm, g2_msm
from .pool import row_ranges, run_tasks, thread_count
from .transform import ntt_inplace


class _Bases:
    """Affine bases in Montgomery limbs: ``array`` holds them, ``keep`` lists the original
    indices of those not at infinity and ``rows`` where each of those sits in ``array``. A
    key's section is used in place (rows = keep): no copy of its points, whether or not some
    are at infinity; the MSM gathers only the points it multiplies."""

    def __init__(self, array: np.ndarray, keep: np.ndarray, rows: np.ndarray | None = None):
        self.array = array
        self.keep = keep
        self.rows = np.arange(len(keep), dtype=np.int64) if rows is None else rows


_Q_WORDS = [(Q >> (64 * k)) & 0xFFFFFFFFFFFFFFFF for k in range(4)]


def _reduced(words: np.ndarray) -> bool:
    """Whether every (..., 4)-limb number is below q: the kernels assume reduced coordinates."""
    flat = words.reshape(-1, 4)
    below = np.zeros(len(flat), dtype=bool)
    equal = np.ones(len(flat), dtype=bool)
    for k in range(3, -1, -1):
        limb = flat[:, k]
        below |= equal & (limb < np.uint64(_Q_WORDS[k]))
        equal &= limb == np.uint64(_Q_WORDS[k])
    return bool(below.all())


def _from_encoding(points: EncodedPoints, shape: tuple[int, ...]) -> _Bases:
    """The file encoding is already affine Montgomery limbs, used as it is (infinity: all zero)."""
    array = np.frombuffer(points.data, dtype="<u8").reshape(len(points), *shape)
    if not _reduced(array):
        raise ValueError("proving key holds a point coordinate that is not reduced mod q")
    keep = np.flatnonzero(array.reshape(len(points), -1).any(axis=1))
    return _Bases(array, keep, keep)


_ENTRY = np.dtype([("matrix", "<u4"), ("row", "<u4"), ("column", "<u4"), ("value", "<u8", (4,))])
assert _ENTRY.itemsize == COEFFICIENT_BYTES


def _coefficient_entries(coefficients: Sequence[Coefficient]) -> np.ndarray:
    if isinstance(coefficients, EncodedCoefficients):
        return np.frombuffer(coefficients.data, dtype=_ENTRY)
    entries = np.zeros(len(coefficients), dtype=_ENTRY)
    if len(coefficients):
        indices = np.array([c[:3] for c in coefficients], dtype=np.uint32).T
        entries["matrix"], entries["row"], entries["column"] = indices
        entries["value"] = to_array([c[3] * COEFFICIENT_SCALE % R for c in coefficients], R, montgomery=False)
    return entries


def _msm_parts(bases: _Bases, scalars: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the points whose scalar is one, the points with other nonzero scalars, those scalars):
    one pass over the scalars (partition.py), then one gather of each kind."""
    ones, others = kernels().partition(scalars, bases.keep)
    return bases.array[bases.rows[ones]], _gathered(bases.array, bases.rows[others]), \
        _gathered(scalars, bases.keep[others])


def _gathered(array: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """array[rows], without a copy when rows are all of array's in order (a dense witness
    over a key section without points at infinity: G2's section alone is 32 MiB at 2^18)."""
    if len(rows) == len(array) and (not len(rows) or (rows[0] == 0 and rows[-1] == len(rows) - 1)):
        return array  # rows increase strictly (partition.py), so 0 .. n - 1 is every row in order
    return array[rows]


def _g1_from_jacobian(j: np.ndarray) -> G1Affine:
    x, y, z = from_array(j[0], Q, montgomery=True)
    if z == 0:
        return None
    z_inv = pow(z, -1, Q)
    return x * z_inv * z_inv % Q, y * pow(z_inv, 3, Q) % Q


def _g2_from_jacobian(j: np.ndarray) -> G2Affine:
    x0, x1, y0, y1, z0, z1 = from_array(j[0].reshape(6, 4), Q, montgomery=True)
    z = bn.FQ2([z0, z1])
    if z == bn.FQ2.zero():
        return None
    z_inv = z.inv()
    z2 = z_inv * z_inv
    x = bn.FQ2([x0, x1]) * z2
    y = bn.FQ2([y0, y1]) * z2 * z_inv
    return (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))


class _Vector:
    """This engine's field Vector: (n, 4) Fr limbs in Montgomery form. A bare array is
    scalars in plain limbs, as prepare_scalars and hadamard_minus give them to the MSMs."""

    __slots__ = ("limbs",)

    def __init__(self, limbs: np.ndarray):
        self.limbs = limbs


def _limbs(vector) -> np.ndarray:
    """The Montgomery limbs of a Vector, or of a list of integers or plain scalar limbs."""
    if isinstance(vector, _Vector):
        return vector.limbs
    if isinstance(vector, np.ndarray):
        vector = from_array(vector, R, montgomery=False)
    return to_array([v % R for v in vector], R, montgomery=True)


ELEMENTS_PER_TASK = 1 << 14  # an elementwise task's least share: below it a thread costs more than it saves


def _elementwise(kernel, *arrays: np.ndarray) -> None:
    """kernel(*arrays) on equal row ranges of every array, one range a thread: the kernel
    treats each row on its own, and a C-contiguous array's row range is one too."""
    ranges = row_ranges(arrays[0].shape[0], ELEMENTS_PER_TASK)
    run_tasks([lambda lo=lo, hi=hi: kernel(*(a[lo:hi] for a in arrays)) for lo, hi in ranges])


def _montgomery(value: int) -> np.ndarray:
    return to_array([value % R], R, montgomery=True)[0]


@lru_cache(maxsize=None)
def _twiddles(log_n: int, inverse: bool) -> np.ndarray:
    omega = root_of_unity(log_n)
    if inverse:
        omega = pow(omega, -1, R)
    return kernels().geometric(_montgomery(1), _montgomery(omega), max((1 << log_n) // 2, 1))


@lru_cache(maxsize=None)
def _coset_powers(log_n: int) -> np.ndarray:
    """shift^i / n for the odd coset, folding the inverse NTT's 1/n in as well."""
    n = 1 << log_n
    return kernels().geometric(_montgomery(pow(n, -1, R)), _montgomery(root_of_unity(log_n + 1)), n)


class NativeEngine(Engine):
    name = "native"

    def __init__(self) -> None:
        self._g1_table: np.ndarray | None = None
        self._g2_table: np.ndarray | None = None

    def load(self) -> None:
        """Find the compiled kernels (building them, once per machine and source, if missing:
        kernels.py). Under numba's JIT instead, also call each kernel once on tiny inputs, so
        that numba's compilation and start-up happen here rather than in a proof's phases."""
        if kernels().mode == "jit":
            self._warm_up()

    def _warm_up(self) -> None:
        g1 = self.prepare_g1([(1, 2)] * 2)
        self.msm_g1(g1, [3, R - 3])
        self.msm_g1(g1, self.prepare_scalars([1 << 130, 1]))
        g1.array.flags.writeable = False  # as a key's mapped section: numba compiles per mutability
        self.msm_g1(g1, [1 << 130, 5])
        gen2 = bn.normalize(bn.G2)
        g2 = self.prepare_g2([tuple((int(c.coeffs[0]), int(c.coeffs[1])) for c in gen2)] * 2)
        self.msm_g2(g2, self.prepare_scalars([7, 1]))
        a, b = self.sparse_products([(0, 0, 0, 1), (1, 0, 0, 1)], [1], 2, 2)
        self.hadamard_minus(self.odd_coset(a), self.odd_coset(b), self.hadamard(a, b))

    # ---------------------------------------------------------------- MSM
    def prepare_g1(self, points: Sequence[G1Affine]) -> _Bases:
        if isinstance(points, EncodedPoints):
            return _from_encoding(points, (2, 4))
        keep = np.array([i for i, p in enumerate(points) if p is not None], dtype=np.int64)
        coords = [c for i in keep for c in points[i]]
        shape = (len(keep), 2, 4)
        array = to_array(coords, Q, montgomery=True).reshape(shape) if len(keep) else np.zeros(shape, np.uint64)
        return _Bases(array, keep)

    def prepare_g2(self, points: Sequence[G2Affine]) -> _Bases:
        if isinstance(points, EncodedPoints):
            return _from_encoding(points, (2, 2, 4))
        keep = np.array([i for i, p in enumerate(points) if p is not None], dtype=np.int64)
        coords = [c for i in keep for part in points[i] for c in part]
        shape = (len(keep), 2, 2, 4)
        array = to_array(coords, Q, montgomery=True).reshape(shape) if len(keep) else np.zeros(shape, np.uint64)
        return _Bases(array, keep)

    def prepare_scalars(self, values: Sequence[int]) -> np.ndarray:
        if isinstance(values, np.ndarray):  # a compiled witness: already this form
            return values
        return to_array([v % R for v in values], R, montgomery=False)

    def msm_g1(self, bases: _Bases, scalars: Sequence[int]) -> G1Affine:
        values = self.prepare_scalars(scalars)
        ones, others = kernels().partition(values, bases.keep)
        if not len(ones) and not len(others):
            return None
        ones_points = bases.array[bases.rows[ones]]
        return _g1_from_jacobian(g1_msm(ones_points, bases.array, values, bases.rows[others], bases.keep[others]))

    def msm_g2(self, bases: _Bases, scalars: Sequence[int]) -> G2Affine:
        ones, points, values = _msm_parts(bases, self.prepare_scalars(scalars))
        if not len(ones) and not len(points):
            return None
        return _g2_from_jacobian(g2_msm(ones, points, values))

    # ---------------------------------------------------------- fixed base
    # Setup's kernels are imported where first used: proving never needs them.
    def fixed_base_g1(self, scalars: Sequence[int]) -> EncodedPoints:
        from .fixed_base_g1 import g1_fixed_base, g1_table, g1_to_affine
        from .threads import fit_threads

        fit_threads()
        if self._g1_table is None:
            generator = to_array([1, 2], Q, montgomery=True).reshape(1, 2, 4)
            self._g1_table = g1_to_affine(g1_table(generator))
        values = to_array([s % R for s in scalars], R, montgomery=False)
        return EncodedPoints(g1_to_affine(g1_fixed_base(self._g1_table, values)).astype("<u8").tobytes(), 1)

    def fixed_base_g2(self, scalars: Sequence[int]) -> EncodedPoints:
        from .fixed_base_g2 import g2_fixed_base, g2_table, g2_to_affine
        from .threads import fit_threads

        fit_threads()
        if self._g2_table is None:
            (x, y, _) = bn.normalize(bn.G2) + (None,)
            gen = [int(x.coeffs[0]), int(x.coeffs[1]), int(y.coeffs[0]), int(y.coeffs[1])]
            self._g2_table = g2_to_affine(g2_table(to_array(gen, Q, montgomery=True).reshape(1, 2, 2, 4)))
        values = to_array([s % R for s in scalars], R, montgomery=False)
        return EncodedPoints(g2_to_affine(g2_fixed_base(self._g2_table, values)).astype("<u8").tobytes(), 2)

    # ----------------------------------------------------------------- NTT
    def ntt(self, values: Sequence[int], inverse: bool = False) -> list[int]:
        n = len(values)
        if n & (n - 1):
            raise ValueError("NTT size must be a power of two")
        array = to_array([v % R for v in values], R, montgomery=True)
        ntt_inplace(array, _twiddles(n.bit_length() - 1, inverse))
        out = from_array(array, R, montgomery=True)
        if inverse:
            n_inv = pow(n, -1, R)
            out = [v * n_inv % R for v in out]
        return out

    def odd_coset(self, evaluations) -> _Vector:
        array = _limbs(evaluations)
        n = array.shape[0]
        if n & (n - 1) or n == 0:
            raise ValueError("domain size must be a power of two")
        log_n = n.bit_length() - 1
        ntt_inplace(array, _twiddles(log_n, True))
        _elementwise(kernels().scale_by_powers, array, _coset_powers(log_n))
        ntt_inplace(array, _twiddles(log_n, False))
        return _Vector(array)

    def sparse_products(self, entries, scalars, rows: int, matrices: int) -> list[_Vector]:
        """Vectors in Montgomery limbs from the entries' c * 2^512 form (read as they are from
        a key file) and plain scalar limbs: one Montgomery product each."""
        if matrices != 2:
            raise ValueError("the native engine multiplies two sparse matrices at a time")
        packed = _coefficient_entries(entries)
        # The kernel indexes without bounds checks: refuse entries that point outside.
        if len(packed) and (
            packed["row"].max() >= rows or packed["column"].max() >= len(scalars) or packed["matrix"].max() >= matrices
        ):
            raise ValueError("sparse matrix entries refer to rows or columns outside the sizes given")
        w = scalars if isinstance(scalars, np.ndarray) else self.prepare_scalars(scalars)
        a = np.zeros((rows, 4), dtype=np.uint64)
        b = np.zeros((rows, 4), dtype=np.uint64)
        # On two threads or more, each matrix's entries are one task, which then writes only its
        # own matrix's vector (entries of one matrix share rows, so no finer split). Only where
        # they come matrix by matrix, as snarkjs writes them: then the parts are slices, where
        # selecting them by mask would copy every entry and cost more than the one-thread call.
        matrix = packed["matrix"]
        parts = [packed]
        if thread_count(2) > 1 and len(matrix) and bool((matrix[:-1] <= matrix[1:]).all()):
            cut = int(np.searchsorted(matrix, 1))
            parts = [packed[:cut], packed[cut:]]

        def products(part: np.ndarray) -> None:
            indices = (part[name].astype(np.int64) for name in ("matrix", "row", "column"))
            kernels().sparse_products_into(*indices, np.ascontiguousarray(part["value"]), w, a, b)

        run_tasks([lambda part=part: products(part) for part in parts])
        return [_Vector(a), _Vector(b)]

    def hadamard(self, a, b) -> _Vector:
        x, y = _limbs(a), _limbs(b)
        out = np.empty_like(x)
        _elementwise(kernels().hadamard_into, x, y, out)
        return _Vector(out)

    def hadamard_minus(self, a, b, c) -> np.ndarray:
        """Plain limbs, which msm_g1 takes as they are."""
        out = _limbs(c)
        _elementwise(kernels().hadamard_minus_into, _limbs(a), _limbs(b), out)
        _elementwise(kernels().from_montgomery, out)
        return out

    def integers(self, vector) -> list[int]:
        if isinstance(vector, _Vector):
            return from_array(vector.limbs, R, montgomery=True)
        if isinstance(vector, np.ndarray):
            return from_array(vector, R, montgomery=False)
        return [v % R for v in vector]
