"""A witness's scalars sorted, in one pass, into the three kinds an MSM treats differently.

In range-check-heavy circuits (every margin and exchange circuit) most witness values are
bits: zeros, which an MSM skips, and ones, whose points are simply added (batch-affine runs,
no buckets, see pippenger_g1.py). Only the rest go through Pippenger's windows. One pass over
the bases' positions finds both index lists, instead of a copy of the scalars, a test for
zero and then another for one over every row, per MSM.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def partition(scalars, keep):
    """(positions k with scalars[keep[k]] == 1, positions with any other nonzero value), both
    increasing. ``scalars`` are (n, 4) plain limbs, ``keep`` the increasing indices of the
    bases that are not at infinity; a base beyond the last scalar has scalar zero."""
    ones = np.empty(keep.shape[0], dtype=np.int64)
    others = np.empty(keep.shape[0], dtype=np.int64)
    n_ones = 0
    n_others = 0
    n = scalars.shape[0]
    for k in range(keep.shape[0]):
        i = keep[k]
        if i >= n:
            break
        high = scalars[i, 1] | scalars[i, 2] | scalars[i, 3]
        if high == 0 and scalars[i, 0] <= 1:
            if scalars[i, 0] == 1:
                ones[n_ones] = k
                n_ones += 1
        else:
            others[n_others] = k
            n_others += 1
    return ones[:n_ones], others[:n_others]
