"""The Dask runner on real clusters: a LocalCluster, and a `dask scheduler` with `dask worker`
processes on 127.0.0.1, proving tiny margin cases; a worker killed mid-run; failing tasks.

Proofs are randomized, so results are compared with the in-process runner's by their public
signals and statements, and every proof is verified."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import dask
import psutil
import pytest
from distributed import Client

import dask_tasks
from zkmargin.api.dask_runner import DaskRunner
from zkmargin.api.margin_jobs import MarginJob, MarginJobResult, prove_margin_job
from zkmargin.api.runners import InProcessRunner, RunnerError
from zkmargin.verifier.exchange.batch_verify import batch_verify
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.formats import Proof, VerifyingKey, parse_public_signals
from zkmargin.verifier.kinds import MarginCapacity

DATA = Path(__file__).parent / "data"
TESTS = Path(__file__).parent
CAPACITY = MarginCapacity(2, 1, 10)
START_TIMEOUT = 60  # seconds for a subprocess scheduler or worker to come up on a loaded machine


def jobs_for(zkey: Path, folder: Path, count: int) -> list[MarginJob]:
    """``count`` solvent tiny portfolios differing in collateral, so their public signals differ."""
    base = json.loads((DATA / "tiny_portfolio.json").read_text())
    jobs = []
    for k in range(count):
        base["collateral"][0]["amount"] = str(20000 + 1000 * k)
        (folder / f"portfolio-{k}.json").write_text(json.dumps(base))
        jobs.append(MarginJob.of(zkey, CAPACITY, folder / f"portfolio-{k}.json", DATA / "tiny_market.json", "occ10"))
    return jobs


def collect(runner, task, jobs) -> tuple[dict[int, MarginJobResult], list[int]]:
    results: dict[int, MarginJobResult] = {}
    order: list[int] = []

    def on_result(index: int, result: MarginJobResult) -> None:
        assert index not in results, f"job {index} reported twice"
        results[index] = result
        order.append(index)

    runner.run(task, jobs, on_result)
    return results, order


def assert_same_and_valid(results: dict[int, MarginJobResult], expected: dict[int, MarginJobResult]) -> None:
    assert sorted(results) == sorted(expected)
    for i, result in results.items():
        assert result.public == expected[i].public, f"job {i}: public signals differ"
        assert result.statement == expected[i].statement, f"job {i}: statements differ"
    vk = VerifyingKey.from_json(json.loads(expected[0].verification_key))
    items = [
        (vk, Proof.from_json(json.loads(r.proof)), parse_public_signals(json.loads(r.public))) for r in results.values()
    ]
    assert batch_verify(items) == []


@pytest.fixture(scope="module")
def zkey(tiny_margin_bundle) -> Path:
    return (tiny_margin_bundle / "tiny.zkey").resolve()


@pytest.fixture(scope="module")
def jobs(zkey, tmp_path_factory) -> list[MarginJob]:
    return jobs_for(zkey, tmp_path_factory.mktemp("dask-jobs"), 4)


@pytest.fixture(scope="module")
def expected(jobs) -> dict[int, MarginJobResult]:
    results, order = collect(InProcessRunner(), prove_margin_job, jobs)
    assert order == list(range(len(jobs)))
    assert len({r.public for r in results.values()}) == len(jobs)  # the jobs really differ
    return results


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A `dask scheduler` and `dask worker` subprocesses; every one is killed in ``stop``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
        self.env["NUMBA_NUM_THREADS"] = self.env["ZKMARGIN_THREADS"] = "1"

    def _spawn(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "dask", *args], stdout=log, stderr=subprocess.STDOUT, env=self.env
        )
        log.close()
        self.processes[name] = process
        return process

    def start_scheduler(self) -> None:
        self._spawn("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard",
                    "--dashboard-address", "127.0.0.1:0")  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.processes["scheduler"].poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"dask scheduler did not start:\n{self.log('scheduler')}") from None
                time.sleep(0.2)

    def start_worker(self, name: str) -> subprocess.Popen:
        # No nanny: the worker is this very process, so SIGKILL loses it for good, as a machine would be.
        return self._spawn(
            name, "worker", self.address, "--name", name, "--nthreads", "1", "--no-nanny", "--no-dashboard",
            "--death-timeout", str(START_TIMEOUT), "--local-directory", str(self.folder / name),
        )  # fmt: skip

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers on 127.0.0.1, up for the module's tests."""
    running = Cluster(tmp_path_factory.mktemp("dask-cluster"))
    try:
        running.start_scheduler()
        running.start_worker("w1")
        running.start_worker("w2")
        with Client(running.address, timeout=START_TIMEOUT) as client:
            try:
                client.wait_for_workers(2, timeout=START_TIMEOUT)
            except TimeoutError:
                raise AssertionError(f"dask workers did not join:\n{running.log('w1')}\n{running.log('w2')}") from None
        yield running
    finally:
        running.stop()


def own_processes() -> set[int]:
    """This process's descendants, less multiprocessing's resource tracker: one per process that
    ever spawned a child, by design alive until this process exits."""
    found = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if "multiprocessing.resource_tracker" not in " ".join(child.cmdline()):
                found.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return found


def test_local_cluster_matches_the_in_process_runner(jobs, expected, capfd):
    before = own_processes()
    capfd.readouterr()
    environment = dict(os.environ)
    with DaskRunner(workers=2) as runner:
        warmed = runner.warm_ups()
        settings = runner.client.run(
            lambda: (__import__("numba").config.NUMBA_NUM_THREADS, os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                     __import__("zkmargin.prover.native.pool", fromlist=["thread_count"]).thread_count(8))
        )
        results, order = collect(runner, prove_margin_job, jobs)
    assert set(settings.values()) == {(1, None, 1)}, "single-threaded workers, glibc's adaptive mmap threshold on"
    # (less distributed's own marker of the process that started the cluster)
    assert {k: v for k, v in os.environ.items() if k != "__DASK_PARENT_PID"} == {
        k: v for k, v in environment.items() if k != "__DASK_PARENT_PID"
    }, "the client's environment is restored"
    assert_same_and_valid(results, expected)
    assert sorted(order) == list(range(len(jobs)))
    assert len(warmed) == 2 and set(warmed.values()) == {1}, warmed  # the plugin warmed each worker once
    out, err = capfd.readouterr()
    assert err == "" and out == "", "the runner is quiet: progress goes through on_result"
    deadline = time.monotonic() + 10
    while own_processes() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not own_processes() - before, "the local cluster's worker processes outlived the runner"


def test_existing_cluster_by_address(cluster, jobs, expected):
    with DaskRunner(scheduler=cluster.address) as runner:
        results, _ = collect(runner, prove_margin_job, jobs)
        warmed = runner.warm_ups()
    assert_same_and_valid(results, expected)
    assert warmed == {w: 1 for w in warmed} and len(warmed) >= 2, warmed
    with DaskRunner(scheduler=cluster.address) as again:  # a second client does not warm the workers again
        assert set(again.warm_ups().values()) == {1}
    assert all(cluster.processes[w].poll() is None for w in ("w1", "w2")), "the cluster outlives its clients"


def test_a_worker_killed_mid_run_loses_no_job(cluster, jobs, expected, capfd):
    """retries=0: every result must come from Dask rescheduling the lost worker's tasks."""
    capfd.readouterr()
    victim = cluster.start_worker(f"victim-{uuid.uuid4().hex[:6]}")
    many = jobs * 2  # 8 jobs, each sleeping first: the victim gets some while the others are busy
    with DaskRunner(scheduler=cluster.address, retries=0) as runner:
        runner.client.wait_for_workers(3, timeout=START_TIMEOUT)
        workers = runner.client.scheduler_info()["workers"]
        address = next(w for w, info in workers.items() if str(info["name"]).startswith("victim"))
        killed: list[int] = []

        def kill_when_busy() -> None:
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                held = runner.client.processing(workers=[address]).get(address, [])
                if held:
                    os.kill(victim.pid, signal.SIGKILL)
                    killed.append(len(held))
                    return
                time.sleep(0.02)

        killer = threading.Thread(target=kill_when_busy)
        killer.start()
        try:
            results, _ = collect(runner, dask_tasks.slow_prove, many)
        finally:
            killer.join()
    assert killed and killed[0] >= 1, "the victim never held a task: nothing was tested"
    assert victim.wait(timeout=10) == -signal.SIGKILL
    assert capfd.readouterr().err == "", "a lost worker is Dask's business, not a message on the client's stderr"
    assert_same_and_valid(results, {i: expected[i % len(jobs)] for i in range(len(many))})


def test_a_job_that_keeps_failing_is_named_after_its_retries(cluster):
    token = uuid.uuid4().hex
    with DaskRunner(scheduler=cluster.address, retries=2) as runner:
        with pytest.raises(RunnerError) as caught:
            collect(runner, dask_tasks.fails_on_odd, [(token, 0), (token, 1), (token, 2)])
        tries = sum(runner.client.run(dask_tasks.attempts, f"{token}:1").values())
    assert caught.value.index == 1
    assert str(caught.value) == "job 1 failed: ValueError: job number 1 is odd"
    assert isinstance(caught.value.__cause__, ValueError)  # the task's own exception, for the caller to classify
    assert tries == 1 + 2  # once, and two retries


def test_retries_cure_a_transient_fault(cluster):
    token = uuid.uuid4().hex
    with DaskRunner(scheduler=cluster.address, retries=0) as runner:
        with pytest.raises(RunnerError, match="OSError: transient fault"):
            collect(runner, dask_tasks.fails_first_time_here, [(token + "-a", 0)])
    with DaskRunner(scheduler=cluster.address, retries=2) as runner:
        # 30 jobs: more than the runner keeps in flight on two worker threads, so most are submitted late
        results, _ = collect(runner, dask_tasks.fails_first_time_here, [(token + "-b", n) for n in range(30)])
        assert collect(runner, dask_tasks.fails_first_time_here, []) == ({}, [])
    assert {i: number for i, (number, _) in results.items()} == {n: n for n in range(30)}


def test_an_unreachable_scheduler_is_a_one_line_error():
    with pytest.raises(FormatError, match=r"^--scheduler tcp://127\.0\.0\.1:\d+: cannot connect \(Timed out"):
        with DaskRunner(scheduler=f"tcp://127.0.0.1:{free_port()}", connect_timeout=1):
            pass


def test_a_failed_local_run_stops_its_cluster(capfd):
    before = own_processes()
    capfd.readouterr()
    with pytest.raises(RunnerError, match="^job 1 failed: ValueError"):
        with DaskRunner(workers=1, retries=0) as runner:
            collect(runner, dask_tasks.fails_on_odd, [("local", 0), ("local", 1)])
    deadline = time.monotonic() + 10
    while own_processes() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not own_processes() - before, "a worker process outlived the failed run"
    _, err = capfd.readouterr()
    assert err == "", err


def test_a_job_that_kills_every_worker_it_meets_fails_once_dask_gives_up():
    """Dask reschedules a dead worker's task up to allowed-failures times (0 here, for speed), then
    marks it KilledWorker: a job that crashes every worker must end the run, not loop."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with pytest.raises(RunnerError, match="^job 0 failed: KilledWorker: ") as caught:
            with DaskRunner(workers=1, retries=0) as runner:
                collect(runner, dask_tasks.dies, [0])
    assert "\n" not in str(caught.value)


def test_a_worker_refuses_a_key_other_than_the_clients(jobs):
    other = dataclasses.replace(jobs[0], zkey_sha256="0" * 64)
    with pytest.raises(RunnerError, match="^job 0 failed: FormatError: .*proving key differs from the client's"):
        InProcessRunner().run(prove_margin_job, [other], lambda index, result: None)


def test_in_process_runner_names_the_failed_job():
    seen: dict[int, int] = {}
    with pytest.raises(RunnerError) as caught:
        InProcessRunner().run(dask_tasks.fails_on_odd, [("in-process", 0), ("in-process", 1)], seen.__setitem__)
    assert (caught.value.index, seen) == (1, {0: 0})
    assert isinstance(caught.value.__cause__, ValueError)
    assert str(caught.value) == "job 1 failed: ValueError: job number 1 is odd"


# ------------------------------------------------------------ epoch prove on a cluster
EPOCH_BOOK = [
    {"account": name, "positions": [{"instrument": "hyperliquid:ETH-PERP", "quantity": q}],
     "collateral": [{"venue": "deribit", "asset": "USDC", "amount": usdc}]}
    for name, q, usdc in (("ana", "2", "5000"), ("ben", "-1", "900"), ("cy", "3", "100"), ("di", "1", "2500"),
                          ("ed", "-4", "8000"))
]  # fmt: skip
EPOCH_ARGS = ["--market", TESTS / "data" / "tiny_market.json", "--model", "occ10", "--batch-size", "2",
              "--positions", "2", "--collateral", "1", "--scenarios", "10", "--groups", "1"]  # fmt: skip


def _epoch_cli(*args) -> tuple[int, str]:
    from click.testing import CliRunner

    from zkmargin.cli.main import cli

    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def _unsigned_without_proof_hashes(folder: Path) -> dict:
    """The manifest less what a proof's randomness changes (each batch's proof file hash)."""
    manifest = json.loads((folder / "manifest.json").read_text())["manifest"]
    for batch in manifest["batches"]:
        batch.pop("proof_sha256")
    return manifest


def test_an_epoch_proven_on_a_cluster_equals_the_local_one(cluster, tmp_path):
    """issue 15: `epoch prove --scheduler` on a real scheduler and two workers, and on a local
    cluster (--workers 2), give the manifest of an in-process run with the same blinding secret:
    the same batches, public hashes, totals chain, tree and totals; only the proofs' own
    randomness differs, and every proof verifies."""
    from zkmargin import api
    from zkmargin.api.epoch import PRIVATE, SECRET, prove_epoch

    book = tmp_path / "book.jsonl"
    book.write_text("".join(json.dumps(a) + "\n" for a in EPOCH_BOOK))
    keys = api.new_exchange_keys(tmp_path / "exchange")
    prove_epoch(book, tmp_path / "local", keys.private_key, TESTS / "data" / "tiny_market.json", "occ10",
                MarginCapacity(2, 1, 10, 1), 2, tmp_path / "keys", runner=InProcessRunner())  # fmt: skip
    for name, where in (("remote", ["--scheduler", cluster.address]), ("local-cluster", ["--workers", "2"])):
        (tmp_path / name / PRIVATE).mkdir(parents=True)
        (tmp_path / name / PRIVATE / SECRET).write_bytes((tmp_path / "local" / PRIVATE / SECRET).read_bytes())
        code, output = _epoch_cli("epoch", "prove", book, *EPOCH_ARGS, "--out", tmp_path / name, "--key-dir",
                                  tmp_path / "keys", "--exchange-key", keys.private_key, "--json", *where)  # fmt: skip
        assert code == 0, output
        assert json.loads(output)["proven"] == 3
        assert _unsigned_without_proof_hashes(tmp_path / name) == _unsigned_without_proof_hashes(tmp_path / "local")
        code, output = _epoch_cli("epoch", "verify", tmp_path / name, "--exchange-key", keys.public_key)
        assert code == 0 and "VALID" in output, output


def test_workers_with_a_scheduler_is_a_one_line_error(tmp_path):
    code, output = _epoch_cli("epoch", "prove", tmp_path / "book.jsonl", "--out", tmp_path / "e", "--exchange-key",
                              tmp_path / "k", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2")  # fmt: skip
    assert code == 2 and output.startswith("error: --workers: only for a local cluster") and output.count("\n") == 1
