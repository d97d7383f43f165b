"""Many G1 points times one scalar: a phase-2 contribution's delta^-1 applied to the L and H queries.

Neither an MSM (one sum) nor the fixed-base tables (one base) fit this, so each point gets
its own double-and-add over the scalar's bits, in parallel across points, and one batch
inversion returns them to affine. Input and output are the file encoding (affine,
Montgomery limbs, infinity all zeros), so a key's sections go through without conversion.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .curve import G1_INFINITY, g1_add_affine, g1_double
from .field import Q
from .msm import _fq, _put_fq, g1_to_affine

_Q_WORDS = np.array([(Q >> (64 * k)) & 0xFFFFFFFFFFFFFFFF for k in range(4)], dtype=np.uint64)


@njit(parallel=True, cache=True)
def _g1_scale_all(points, bits):
    n = points.shape[0]
    out = np.zeros((n, 3, 4), dtype=np.uint64)
    for i in prange(n):
        x = _fq(points, i, 0)
        y = _fq(points, i, 1)
        if x[0] == 0 and x[1] == 0 and x[2] == 0 and x[3] == 0 and y[0] == 0 and y[1] == 0 and y[2] == 0 and y[3] == 0:
            continue  # infinity stays all zeros (Z = 0)
        acc = G1_INFINITY
        for b in bits:
            acc = g1_double(acc)
            if b:
                acc = g1_add_affine(acc, x, y)
        _put_fq(out, i, 0, acc[0])
        _put_fq(out, i, 1, acc[1])
        _put_fq(out, i, 2, acc[2])
    return out


def g1_scale_encoded(data: bytes, scalar: int) -> bytes:
    """Every point of ``data`` (file-encoded G1 points, coordinates reduced) times ``scalar``."""
    count = len(data) // 64
    if count == 0:
        return b""
    points = np.frombuffer(data, dtype="<u8").reshape(count, 2, 4)
    bits = np.array([int(b) for b in bin(scalar)[2:]], dtype=np.uint8)
    affine = g1_to_affine(_g1_scale_all(points, bits))
    return affine.astype("<u8").tobytes()
