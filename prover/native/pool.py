"""The engine's threads. Every kernel releases the GIL (kernels.py), so plain Python threads
run them side by side: no OpenMP, nothing spins while it waits, and a process pinned to one
core runs its tasks inline, on the calling thread.

Each call uses at most as many threads as the cores the process may run on now (its
affinity, which a scheduler, a worker pool or ``taskset`` may narrow after start-up), and at
most $ZKMARGIN_THREADS where set: a Dask worker sharing the machine with others sets it to
its own share (api/dask_runner.py).
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator, Sequence

from .threads import usable_cores

THREADS_ENV = "ZKMARGIN_THREADS"

_pools: dict[int, ThreadPoolExecutor] = {}
# A child forked from a process with pools inherits them without their threads: submitting
# there would wait forever. It starts its own.
os.register_at_fork(after_in_child=_pools.clear)


def thread_limit() -> int:
    """The most threads a call may use: the usable cores, or fewer where $ZKMARGIN_THREADS says."""
    cores = usable_cores()
    chosen = os.environ.get(THREADS_ENV, "")
    return min(cores, int(chosen)) if chosen.isdigit() and int(chosen) > 0 else cores


@contextlib.contextmanager
def threads_at_most(count: int) -> Iterator[None]:
    """$ZKMARGIN_THREADS = count meanwhile, then as it was (a benchmark timing one core's
    proving inside a process that may use more)."""
    saved = os.environ.get(THREADS_ENV)
    os.environ[THREADS_ENV] = str(count)
    try:
        yield
    finally:
        if saved is None:
            del os.environ[THREADS_ENV]
        else:
            os.environ[THREADS_ENV] = saved


def thread_count(tasks: int) -> int:
    """Threads for ``tasks`` independent tasks: one per task, at most thread_limit()."""
    return max(1, min(thread_limit(), tasks))


def row_ranges(n: int, least: int) -> list[tuple[int, int]]:
    """[0, n) cut into equal (lo, hi) ranges, one a thread, none shorter than ``least`` unless
    there is only one: how row-wise work (each row on its own) splits into tasks."""
    parts = thread_count(n // least)
    bounds = [n * k // parts for k in range(parts + 1)]
    return list(zip(bounds, bounds[1:]))


def run_tasks(tasks: Sequence[Callable[[], object]], threads: int | None = None) -> None:
    """Run every task, on ``threads`` threads (default: thread_count), and return once all are
    done; a task's exception is raised here."""
    threads = thread_count(len(tasks)) if threads is None else max(1, min(threads, thread_count(len(tasks))))
    if threads == 1:
        for task in tasks:
            task()
        return
    pool = _pools.get(threads)
    if pool is None:
        pool = _pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="zkmargin-kernel")
    for future in [pool.submit(task) for task in tasks]:
        future.result()
