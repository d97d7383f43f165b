"""How many threads the compiled kernels run on, and how idle ones wait.

Two things made a proof degrade tenfold on a busy machine and made two threads cost more CPU
than one (issue 17; README, "Performance"):

- numba's default threading layer here is OpenMP (GNU libgomp), whose threads *spin* at the
  end of every parallel region before they sleep. The NTT alone opens one region per stage.
  When other processes want the cores, a spinning thread holds a core that the thread with the
  remaining work needs, so every barrier waits a scheduler time slice: the NTT of a 2^16 proof
  took 0.5-1.1 s instead of 0.09 s. ``OMP_WAIT_POLICY=PASSIVE`` makes them sleep at once; a
  parallel region then costs a futex wake-up (microseconds), which no kernel here notices.
- numba sizes its pool once, at import, from the CPU affinity. A process pinned later (by a
  scheduler, a worker pool or ``os.sched_setaffinity``) would still start that many threads on
  fewer cores. Each parallel call therefore uses no more threads than the cores it may run on
  now.
"""

from __future__ import annotations

import os

WAIT_POLICY = "OMP_WAIT_POLICY"


def quiet_openmp() -> None:
    """Idle OpenMP threads sleep instead of spinning, unless the user chose otherwise. Must run
    before numba starts its thread pool (its first parallel call), when libgomp reads it."""
    os.environ.setdefault(WAIT_POLICY, "PASSIVE")


def usable_cores() -> int:
    """The cores this process may run on now (its affinity), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def fit_threads() -> int:
    """Lower this thread's numba thread count to the usable cores (never raise it: a caller may
    have asked for fewer) and return it."""
    import numba

    threads = numba.get_num_threads()
    cores = usable_cores()
    if cores < threads:
        numba.set_num_threads(cores)
        threads = cores
    return threads
