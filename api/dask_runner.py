"""Running proving jobs on Dask (``distributed``): a local cluster, or an existing one by address.

    from zkmargin.api.dask_runner import DaskRunner
    with DaskRunner() as runner:                                   # one worker process per core
        runner.run(prove_batch, jobs, lambda i, result: write(i, result))
    with DaskRunner(scheduler="tcp://10.0.0.5:8786") as runner:    # `dask scheduler` / `dask worker`
        ...

Worker processes, not threads: each process keeps its own caches (witness programs, kernels,
keys checked against circuits) and proving holds the GIL between kernels, so a local cluster
runs one single-threaded worker per core, with the prover's kernel threads
($ZKMARGIN_THREADS) and numba's (setup's kernels) limited to that thread so that two workers
do not fight over the cores. Each worker is warmed once by a worker plugin (``WarmUp``) so
that the first job it runs measures proving, not loading.

Failure handling is Dask's own: a task whose worker dies is rescheduled on another worker by
the scheduler (up to ``distributed.scheduler.allowed-failures`` deaths, then it fails with
``KilledWorker``), and a task that raises is run again up to ``retries`` times. Only a job
still failing after that reaches the caller, as RunnerError naming the job.

Jobs are kept in flight a few per worker thread at a time, not all submitted at once, so the
scheduler never holds a whole epoch's batch data; the rest wait on the client.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from typing import Any, Callable, Sequence, TypeVar

import dask
from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.witness_program import program_of
from zkmargin.prover import get_engine
from zkmargin.prover.native.pool import THREADS_ENV
from zkmargin.prover.native.threads import usable_cores
from zkmargin.verifier.files import FormatError

from .runners import RunnerError, job_name

J = TypeVar("J")
R = TypeVar("R")

#: Tasks in flight per worker thread: enough to keep each busy while a result travels back.
IN_FLIGHT_PER_THREAD = 4
#: Seconds to wait for a scheduler to answer, and for an existing cluster to have a worker.
CONNECT_TIMEOUT = 30
NUMBA_THREADS = "NUMBA_NUM_THREADS"
MALLOC_TRIM = "MALLOC_TRIM_THRESHOLD_"
PRE_SPAWN_ENV = "distributed.nanny.pre-spawn-environ"

_warm_ups = 0


def warm_up() -> int:
    """Load every compiled kernel a proof needs in this process, once: the engine's (MSM, NTT)
    and the witness kernel's, run on an empty circuit. Returns how many times this process has
    warmed (1 after the first call: later calls do nothing)."""
    global _warm_ups
    if _warm_ups == 0:
        get_engine().load()
        from zkmargin.prover.native.witness import CompiledWitness

        kernel = CompiledWitness(program_of(ConstraintSystem()))
        kernel.first_unsatisfied(kernel.run([]))
        _warm_ups += 1
    return _warm_ups


def warm_ups() -> int:
    """How many times this process was warmed: 1 on every worker the plugin reached, 0 elsewhere."""
    return _warm_ups


class WarmUp(WorkerPlugin):
    """Warms each worker when it joins (and every worker already there when registered).

    Idempotent, so a second client of the same cluster does not warm it again; the warm-up
    runs in a thread, so the worker keeps answering the scheduler's heartbeats meanwhile."""

    name = "zkmargin-warm-up"
    idempotent = True

    async def setup(self, worker: Any) -> None:
        await asyncio.to_thread(warm_up)


#: Loggers quieted while a runner is open: Dask's informational logs (workers starting,
#: connections closing, a lost worker's tasks rescheduled) are not the caller's business, since
#: progress is on_result's job and failures come back as exceptions.
QUIET_LOGGERS = ("distributed", "dask")


class DaskRunner:
    """A Runner (api/runners.py) on a Dask cluster; use it as a context manager.

    ``scheduler`` None starts a local cluster of ``workers`` processes (default: one per core)
    and stops it on exit; an address ("tcp://HOST:PORT") connects to a running cluster and
    leaves it running, failing with FormatError if it cannot be reached or has no worker within
    ``connect_timeout`` seconds. ``retries``: how often a task that raised is run again before
    its job fails."""

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        retries: int = 2,
        threads_per_worker: int = 1,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
    ):
        if workers is not None and workers < 1:
            raise FormatError(f"--workers: give at least 1, got {workers}")
        if scheduler is not None and workers is not None:
            raise FormatError("--workers: only for a local cluster, not with --scheduler (its workers are its own)")
        self.scheduler = scheduler
        self.workers = workers or usable_cores()
        self.retries = retries
        self.threads_per_worker = threads_per_worker
        self.connect_timeout = connect_timeout
        self.cluster: LocalCluster | None = None
        self.client: Client | None = None
        self._log_levels: dict[str, int] = {}
        self._saved_env: dict[str, str | None] = {}

    def __enter__(self) -> DaskRunner:
        for name in QUIET_LOGGERS:
            self._log_levels[name] = logging.getLogger(name).level
            logging.getLogger(name).setLevel(logging.ERROR)
        try:
            self._start()
            self.client.register_plugin(WarmUp())
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        if self.scheduler is None:
            # The kernels' thread limit, and numba's: numba reads its count once, at import, and a
            # spawned worker imports it while re-importing the caller's main module, before
            # Nanny(env=...) applies, so both go in the environment the worker is spawned with.
            # Dask's default there also sets MALLOC_TRIM_THRESHOLD_, which turns off glibc's
            # adaptive mmap threshold: every large array of a proof is then mapped and faulted in
            # afresh, measured at +18% of a proof's CPU time (benchmarks/dask_runner.py): unset.
            # Dask writes these into this process's environment too; close() puts it back. A
            # value the user exported wins, as in Dask.
            spawn_env = {
                **dask.config.get(PRE_SPAWN_ENV),
                NUMBA_THREADS: str(self.threads_per_worker),
                THREADS_ENV: str(self.threads_per_worker),
                MALLOC_TRIM: None,
            }
            self._saved_env = {k: os.environ.get(k) for k in [*spawn_env, "PYTHONHASHSEED"]}
            with dask.config.set({PRE_SPAWN_ENV: spawn_env}):
                self.cluster = self._local_cluster()
            self.client = Client(self.cluster)
            return
        try:
            self.client = Client(self.scheduler, timeout=self.connect_timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise FormatError(f"--scheduler {self.scheduler}: cannot connect ({exc})") from None
        try:
            self.client.wait_for_workers(1, timeout=self.connect_timeout)
        except TimeoutError:
            waited = f"{self.connect_timeout:g} s"
            raise FormatError(f"--scheduler {self.scheduler}: no worker joined within {waited}") from None

    def _local_cluster(self) -> LocalCluster:
        return LocalCluster(
            n_workers=self.workers,
            threads_per_worker=self.threads_per_worker,
            processes=True,
            dashboard_address=None,
            # The scheduler serves health routes over HTTP even without a dashboard, by default
            # on port 8787 of every interface: take a free port on loopback instead.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.CRITICAL,  # a failed task's log line: it reaches the caller as RunnerError
        )

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Client, cluster, environment and log levels, each restored even if an earlier step
        raised (a cluster that failed to start may already have changed the environment)."""
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        try:
            if client is not None:
                client.close()
        finally:
            try:
                if cluster is not None:
                    cluster.close()
            finally:
                for name, value in self._saved_env.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
                self._saved_env = {}
                for name, level in self._log_levels.items():
                    logging.getLogger(name).setLevel(level)
                self._log_levels.clear()

    def _client(self) -> Client:
        if self.client is None:
            raise RuntimeError("DaskRunner is used as a context manager: `with DaskRunner() as runner:`")
        return self.client

    def warm_ups(self) -> dict[str, int]:
        """Per worker address, how many times the worker plugin warmed that worker's process."""
        return self._client().run(warm_ups)

    def run(self, task: Callable[[J], R], jobs: Sequence[J], on_result: Callable[[int, R], None]) -> None:
        """Run task(job) for every job on the cluster; on_result(index, result) here, in completion order."""
        client = self._client()
        threads = sum(client.nthreads().values()) or 1
        prefix = f"{getattr(task, '__name__', 'task')}-{uuid.uuid4().hex[:8]}"
        index_of: dict[str, int] = {}
        pending = iter(enumerate(jobs))

        def submit_next() -> Any:
            for index, job in pending:
                future = client.submit(task, job, key=f"{prefix}-{index}", pure=False, retries=self.retries)
                index_of[future.key] = index
                return future
            return None

        first = [f for f in (submit_next() for _ in range(IN_FLIGHT_PER_THREAD * threads)) if f is not None]
        in_flight = as_completed(first)
        try:
            for future in in_flight:
                index = index_of.pop(future.key)
                if future.status != "finished":
                    raise self._failure(index, future, job_name(jobs[index]))
                result = future.result()
                future.release()
                following = submit_next()  # before on_result, so the cluster is busy while the client writes
                if following is not None:
                    in_flight.add(following)
                on_result(index, result)
        except BaseException:
            client.cancel(list(in_flight.futures))
            raise

    @staticmethod
    def _failure(index: int, future: Any, name: str) -> RunnerError:
        """RunnerError for a failed future, chained to the task's exception (as the in-process
        runner's is), so that a caller can still tell a FormatError from a crash."""
        if future.status != "error":
            return RunnerError(index, f"the task was {future.status}", name)
        exc = future.exception()
        failure = RunnerError(index, " ".join(f"{type(exc).__name__}: {exc}".split()), name)  # KilledWorker: lines
        failure.__cause__ = exc
        return failure
