"""Where an epoch's batch proofs run: the Runner interface and the default, in this process.

A runner takes a picklable top-level function and picklable jobs, so a distributed runner
(api/dask_runner.py) can ship both to workers on other machines; results come back to the
client through ``on_result``, which writes them, so no shared file system is needed.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence, TypeVar

J = TypeVar("J")
R = TypeVar("R")


class RunnerError(RuntimeError):
    """A job still failed after the runner's retries; the message names it."""


class Runner(Protocol):
    def run(self, task: Callable[[J], R], jobs: Sequence[J], on_result: Callable[[int, R], None]) -> None:
        """Run task(job) for every job, in any order; call on_result(index, result) on the client as each
        finishes; raise RunnerError naming the job if one still fails after the runner's retries."""


class InProcessRunner:
    """The default: one job after another, in this process, no retries (in one process a
    failure is a bug or bad input, and a retry would fail the same way)."""

    def run(self, task: Callable[[J], R], jobs: Sequence[J], on_result: Callable[[int, R], None]) -> None:
        for index, job in enumerate(jobs):
            try:
                result = task(job)
            except Exception as exc:
                raise RunnerError(f"job {index} ({job_name(job)}) failed: {exc}") from exc
            on_result(index, result)


def job_name(job: object) -> str:
    """How an error names a job: its ``name`` attribute if it has one, else its type."""
    return str(getattr(job, "name", type(job).__name__))
