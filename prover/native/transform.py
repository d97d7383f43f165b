"""The NTT as the engine runs it: ntt.py's butterfly kernels, stage by stage, on threads.

With T threads (a power of two), the stages that join blocks of at most n / T elements stay
inside one of T contiguous parts, so each thread runs all of them on its part in one task;
only the last log2(T) stages are split by butterfly across the threads, one task each. A
transform therefore waits for the threads 1 + log2(T) times, not once per stage (numba's
``prange`` version opened a parallel region per stage, which a busy machine made costly).
"""

from __future__ import annotations

import numpy as np

from .kernels import kernels
from .pool import run_tasks, thread_count


ELEMENTS_PER_PART = 4096  # a transform's least part a thread: smaller ones run on one


def _low_stages(part: np.ndarray, twiddles: np.ndarray, n: int, top: int) -> None:
    k = kernels()
    length = 2
    while length <= top:
        k.butterflies(part, twiddles, length, n // length, 0, part.shape[0] // 2)
        length *= 2


def ntt_inplace(a: np.ndarray, twiddles: np.ndarray) -> None:
    """Natural order in and out; twiddles[k] = omega^k for k < n/2 (Montgomery form)."""
    n = a.shape[0]
    if n < 2:
        return
    k = kernels()
    threads = thread_count(n // ELEMENTS_PER_PART)
    parts = 1 << (threads.bit_length() - 1)  # a power of two, at most the threads
    k.bit_reverse(a)
    size = n // parts
    run_tasks([lambda p=p: _low_stages(a[p * size:(p + 1) * size], twiddles, n, size) for p in range(parts)], parts)
    length, half = 2 * size, n // 2
    while length <= n:
        run_tasks([lambda p=p, length=length: k.butterflies(a, twiddles, length, n // length,
                                                             half * p // parts, half * (p + 1) // parts)
                   for p in range(parts)], parts)
        length *= 2
