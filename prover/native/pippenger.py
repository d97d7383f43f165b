"""Multi-scalar multiplication: the plan (window width and count, signed digits), and the
windows run as tasks on threads with each group's kernels (pippenger_g1.py, and
pippenger_g2.py generated from it), then combined.

Each piece is chosen for a measured reason (see docs/architecture.md): GLV on G1, signed
digits, batch-affine buckets, scalars of one outside the buckets, a window count that
follows the largest scalar present, windows on separate threads. The caller sorts the
scalars once (partition.py): zeros dropped, the points of ones passed on their own.

Arrays: G1 affine (n, 2, 4) and Jacobian (n, 3, 4) uint64 Montgomery limbs; G2 adds an Fq2
axis: (n, 2, 2, 4) and (n, 3, 2, 4). Scalars (n, 4) plain limbs.
"""

from __future__ import annotations

import numpy as np

from .kernels import kernels
from .pool import row_ranges, run_tasks, thread_count

# Costs in field multiplications of sorting and adding one point batch-affine, and of one
# bucket's running sums: they choose the window width.
G1_ADDITION, G1_BUCKET = 8, 27
G2_ADDITION, G2_BUCKET = 20, 80
ONES_PER_TASK = 4096
SPLITS_PER_TASK = 1 << 14  # a GLV split's or a digit task's least share of the scalars


def scalar_bits(scalars: np.ndarray) -> int:
    """Bit length of the largest scalar."""
    for limb in range(3, -1, -1):
        top = int(scalars[:, limb].max()) if len(scalars) else 0
        if top:
            return 64 * limb + top.bit_length()
    return 0


def window_bits(count: int, bits: int, addition: int, bucket: int, threads: int = 1) -> int:
    """c minimising the time of the windows on ``threads`` threads, each window one task:
    ceil(windows / threads) * (count * addition + 2^(c-1) * bucket). On two threads, 9
    windows take as long as 10, so a width giving 8 can win though it does more work."""
    def rounds(c: int) -> int:
        return -(-(-(-(bits + 1) // c)) // threads)

    return min(range(2, 19), key=lambda c: rounds(c) * (count * addition + (bucket << (c - 1))))


def window_plan(scalars: np.ndarray, addition: int, bucket: int) -> tuple[int, np.ndarray]:
    """Window width c and the (windows, n) signed digits; no windows when there are no scalars."""
    if not len(scalars):
        return 1, np.zeros((0, 0), dtype=np.int32)
    bits = scalar_bits(scalars)
    c = window_bits(len(scalars), bits, addition, bucket, thread_count(bits))
    n = len(scalars)
    digits = np.empty((-(-(bits + 1) // c), n), dtype=np.int32)
    run_tasks([lambda lo=lo, hi=hi: kernels().signed_digits_into(scalars, c, digits, lo, hi)
               for lo, hi in row_ranges(n, SPLITS_PER_TASK)])
    return c, digits


def ones_tasks(ones: int) -> int:
    """How many tasks sum the scalar-one points: one per ONES_PER_TASK points, at most one per thread."""
    return thread_count(-(-ones // ONES_PER_TASK)) if ones else 0


def glv_split(
    points: np.ndarray, scalars: np.ndarray, rows: np.ndarray, scalar_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """2n points and 128-bit scalars with the same sum as points[rows[i]] times
    scalars[scalar_rows[i]] for i < n (glv.py). On T threads each takes a range of i and
    fills its own block of the output (its k1 rows, then its k2 rows): an MSM's terms may come
    in any order."""
    n = rows.shape[0]
    split_points = np.empty((2 * n, 2, 4), dtype=np.uint64)
    split_scalars = np.empty((2 * n, 4), dtype=np.uint64)
    run_tasks([lambda lo=lo, hi=hi: kernels().g1_glv_split(points, rows[lo:hi], scalars, scalar_rows[lo:hi],
                                                            split_points[2 * lo:2 * hi], split_scalars[2 * lo:2 * hi])
               for lo, hi in row_ranges(n, SPLITS_PER_TASK)])
    return split_points, split_scalars


def pippenger(
    group: str, points: np.ndarray, digits: np.ndarray, c: int, ones: np.ndarray, ones_tasks: int
) -> np.ndarray:
    """sum of the digit-weighted points plus the sum of ``ones``, as a (1, 3, ...) Jacobian
    point: each window, and each share of the scalar-one points, is one task writing its own
    row of ``windows``; then the rows are combined."""
    k = kernels()
    window, sum_into, combine = (getattr(k, f"{group}_{name}") for name in ("window", "sum_into", "combine"))
    count, m = digits.shape[0], ones.shape[0]
    windows = np.zeros((count + ones_tasks, *((3, 4) if group == "g1" else (3, 2, 4))), dtype=np.uint64)
    buckets = 1 << (c - 1)
    tasks = [lambda w=w: window(points, digits, w, buckets, windows) for w in range(count)]
    tasks += [lambda j=j: sum_into(ones, m * j // ones_tasks, m * (j + 1) // ones_tasks, windows, count + j)
              for j in range(ones_tasks)]
    run_tasks(tasks)
    return combine(windows, c, count)


def g1_msm(
    ones: np.ndarray, points: np.ndarray, scalars: np.ndarray, rows: np.ndarray, scalar_rows: np.ndarray,
    glv: bool = True,
) -> np.ndarray:
    """sum ones + sum scalars[scalar_rows[i]] * points[rows[i]] as a (1, 3, 4) Jacobian point
    (Z = 0: infinity); those scalars are neither 0 nor 1 (partition.py)."""
    if glv:  # gathers as it splits: no copy of the points before
        points, scalars = glv_split(points, scalars, rows, scalar_rows)
    else:
        points, scalars = points[rows], scalars[scalar_rows]
    c, digits = window_plan(scalars, G1_ADDITION, G1_BUCKET)
    return pippenger("g1", points, digits, c, ones, ones_tasks(len(ones)))


def g2_msm(ones: np.ndarray, points: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """sum ones + sum scalars[i] * points[i] as a (1, 3, 2, 4) Jacobian point (Z = 0: infinity)."""
    c, digits = window_plan(scalars, G2_ADDITION, G2_BUCKET)
    return pippenger("g2", points, digits, c, ones, ones_tasks(len(ones)))
