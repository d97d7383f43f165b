"""How a set of independent proving jobs gets run: the interface, and the sequential runner.

A caller (exchange mode's ``epoch prove``) hands a runner a picklable top-level task and its
jobs, and receives each result on its own side through ``on_result`` as the job finishes, in
any order, so that it can write results and show progress while the rest still run; no
shared file system is needed. The runner decides where tasks run: here, in this process
(``InProcessRunner``), or on a cluster (``zkmargin.api.dask_runner.DaskRunner``, imported
apart so that ``import zkmargin.api`` does not pay for Dask).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, ExitStack
from typing import Callable, Protocol, Sequence, TypeVar

J = TypeVar("J")
R = TypeVar("R")


class RunnerError(Exception):
    """A job failed after the runner's retries; the message names the job (its index, and its
    ``name`` attribute where it has one, e.g. "batch 3 of tier 8x4x32x2-b16") and the cause."""

    def __init__(self, index: int, cause: str, name: str = ""):
        super().__init__(f"job {index}{f' ({name})' if name else ''} failed: {cause}")
        self.index = index
        self.cause = cause


class Runner(Protocol):
    def run(self, task: Callable[[J], R], jobs: Sequence[J], on_result: Callable[[int, R], None]) -> None:
        """Run task(job) for every job, in any order; call on_result(index, result) on the client as each
        finishes; raise RunnerError naming the job if one still fails after the runner's retries."""


class InProcessRunner:
    """Each job in turn, in this process: no retries, since a failure here is deterministic."""

    def run(self, task: Callable[[J], R], jobs: Sequence[J], on_result: Callable[[int, R], None]) -> None:
        for index, job in enumerate(jobs):
            try:
                result = task(job)
            except Exception as exc:
                raise RunnerError(index, f"{type(exc).__name__}: {exc}", job_name(job)) from exc
            on_result(index, result)


def job_name(job: object) -> str:
    """A job's ``name`` attribute, if it has one."""
    return str(getattr(job, "name", ""))


class StartedOnFirstJob:
    """A runner opened only when there is a job to run, and closed on exit: a rerun that finds
    every proof on disk, or input refused before any proving, never starts a cluster."""

    def __init__(self, open_runner: Callable[[], AbstractContextManager[Runner]]):
        self._open = open_runner
        self._runner: Runner | None = None
        self._stack = ExitStack()

    def __enter__(self) -> StartedOnFirstJob:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def run(self, task: Callable[[J], R], jobs: Sequence[J], on_result: Callable[[int, R], None]) -> None:
        if not jobs:
            return
        if self._runner is None:
            self._runner = self._stack.enter_context(self._open())
        self._runner.run(task, jobs, on_result)
