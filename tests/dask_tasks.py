"""Tasks for tests/test_dask_runner.py that Dask workers import by name.

Workers unpickle a task as a reference to its module, so these live in a module of their
own: a LocalCluster's worker processes inherit the test process's sys.path (tests/ is on it
under pytest), and `dask worker` subprocesses get tests/ on PYTHONPATH.
"""

from __future__ import annotations

import os
import time
from collections import Counter

from zkmargin.api.margin_jobs import MarginJob, MarginJobResult, prove_margin_job

#: Calls per job token in this worker process.
_attempts: Counter[str] = Counter()


def slow_prove(job: MarginJob) -> MarginJobResult:
    """prove_margin_job after a pause, so that a test can kill a worker while it holds tasks."""
    time.sleep(0.4)
    return prove_margin_job(job)


def attempts(key: str) -> int:
    """How often this process ran the job ``token:number`` (read on each worker with Client.run)."""
    return _attempts[key]


def fails_on_odd(job: tuple[str, int]) -> int:
    """Returns the number of an even job; an odd one raises, every time it is tried."""
    token, number = job
    _attempts[f"{token}:{number}"] += 1
    if number % 2:
        raise ValueError(f"job number {number} is odd")
    return number


def fails_first_time_here(job: tuple[str, int]) -> tuple[int, int]:
    """Fails on the first try of each job in each process, then works: a transient fault that
    retries cure. Returns (number, pid of the process that ran it)."""
    token, number = job
    key = f"{token}:{number}"
    _attempts[key] += 1
    if _attempts[key] == 1:
        raise OSError(f"transient fault on job {number}")
    return number, os.getpid()


def dies(job: int) -> int:
    """Ends its worker's process at once, as a crash or the kernel's OOM killer would."""
    os._exit(3)
