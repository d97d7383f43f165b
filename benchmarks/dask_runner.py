"""What proving through Dask costs beyond proving: per-task overhead, and 1 -> 2 local workers.

    python -m benchmarks.dask_runner [--jobs 16] [--capacity sample|tiny] [--json]

Three measures, each of the same jobs (margin proofs of the bundled sample portfolio through
``prove_margin_job``, api/margin_jobs.py, a real unit of zkmargin work):

- in process: InProcessRunner, after one warm-up proof: the proving cost itself, with the
  kernels' threads on every core and on one (as each local worker runs);
- round trip: a task that does nothing, many times on one local worker: what Dask adds to
  every task (pickling, scheduling, sending back), whatever the task;
- 1 and 2 local workers: DaskRunner(workers=n), timed from the first submission to the last
  result (cluster start-up and the workers' warm-up are reported apart: paid once per run).

The machine is shared, so the busy fraction of its cores just before the timings is printed
too (benchmarks/load.py): a scaling figure taken while other work ran is flagged, not hidden.
Beside the wall-time scaling, the CPU each proof costs in its own thread (1 worker vs 2)
gives the scaling two idle cores would show, which other work hardly moves.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.load import sample, usable_cores
from zkmargin.api import DEFAULT_CAPACITY, MarginCapacity, default_key_path, setup_keys
from zkmargin.api.dask_runner import DaskRunner
from zkmargin.api.margin_jobs import MarginJob, prove_margin_job
from zkmargin.api.runners import InProcessRunner
from zkmargin.prover.cache import cache_folder
from zkmargin.circuits.margin.inputs import sample_path
from zkmargin.prover.native.pool import threads_at_most

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    # capacity, portfolio, market, model
    "sample": (DEFAULT_CAPACITY, sample_path("portfolio.json"), sample_path("market.json"), "crypto-pm"),
    "tiny": (
        MarginCapacity(2, 1, 10),
        ROOT / "tests" / "data" / "tiny_portfolio.json",
        ROOT / "tests" / "data" / "tiny_market.json",
        "occ10",
    ),
}
ROUND_TRIPS = 200


def nothing(job: int) -> int:
    """The round-trip task: Dask's cost without any work."""
    return job


def proof_cpu(job: MarginJob) -> float:
    """prove_margin_job, returning the CPU seconds its thread spent: unlike wall time, hardly
    changed by other work on a shared machine, so it shows what a worker adds to a proof."""
    start = time.thread_time()
    prove_margin_job(job)
    return time.thread_time() - start


def timed_run(runner, task, jobs) -> tuple[float, float]:
    """Wall seconds of the whole run, and the mean of the results (CPU seconds for proof_cpu)."""
    results: list = []
    start = time.perf_counter()
    runner.run(task, jobs, lambda index, result: results.append(result))
    wall = time.perf_counter() - start
    return wall, (sum(results) / len(results) if results else 0.0)


def jobs_of(case: str, count: int) -> list[MarginJob]:
    capacity, portfolio, market, model = CASES[case]
    keys = cache_folder() / "bench-keys"
    zkey = default_key_path(capacity, keys)
    if not zkey.is_file():
        setup_keys(capacity, keys)  # a development key: this benchmark only proves, it publishes nothing
    return [MarginJob.of(zkey, capacity, portfolio, market, model)] * count


def measure(case: str, count: int) -> dict:
    jobs = jobs_of(case, count)
    prove_margin_job(jobs[0])  # warm this process: kernels, witness program, key check
    busy = sample(usable_cores(), 1.0).busy_on_cores
    report: dict = {"case": case, "jobs": count, "busy_before": round(busy, 3)}
    report["in_process_s"], _ = timed_run(InProcessRunner(), proof_cpu, jobs)
    with threads_at_most(1):  # as a local worker runs: one core each
        report["in_process_1_thread_s"], report["cpu_in_process_s"] = timed_run(InProcessRunner(), proof_cpu, jobs)
    for workers in (1, 2):
        start = time.perf_counter()
        with DaskRunner(workers=workers) as runner:
            report[f"start_{workers}_s"] = time.perf_counter() - start
            report[f"workers_{workers}_s"], report[f"cpu_workers_{workers}_s"] = timed_run(runner, proof_cpu, jobs)
            if workers == 1:
                timed_run(runner, nothing, range(10))
                report["round_trip_ms"] = 1000 * timed_run(runner, nothing, range(ROUND_TRIPS))[0] / ROUND_TRIPS
    report["overhead_per_job_ms"] = 1000 * (report["workers_1_s"] - report["in_process_1_thread_s"]) / count
    report["scaling_1_to_2"] = report["workers_1_s"] / report["workers_2_s"]
    # What two workers would give on two otherwise idle cores: twice the proofs, each costing what
    # it costs beside the other worker (memory bandwidth, caches) rather than alone.
    report["scaling_from_cpu"] = 2 * report["cpu_workers_1_s"] / report["cpu_workers_2_s"]
    return report


def table(r: dict) -> str:
    per = 1000 / r["jobs"]
    rows = [
        ("in process (InProcessRunner)", r["in_process_s"]),
        ("in process, kernels on 1 thread", r["in_process_1_thread_s"]),
        ("Dask, 1 local worker", r["workers_1_s"]),
        ("Dask, 2 local workers", r["workers_2_s"]),
    ]
    lines = [
        f"{r['jobs']} margin proofs ({r['case']} case); other work on the cores before: {r['busy_before']:.0%}",
        "",
        "| runner | wall | per proof |",
        "|---|---|---|",
        *(f"| {name} | {wall:.2f} s | {wall * per:.0f} ms |" for name, wall in rows),
        "",
        f"CPU per proof in its thread: {r['cpu_in_process_s'] * 1000:.0f} ms in process (1 thread), "
        f"{r['cpu_workers_1_s'] * 1000:.0f} ms on 1 worker, {r['cpu_workers_2_s'] * 1000:.0f} ms on 2",
        f"Dask's round trip for an empty task: {r['round_trip_ms']:.1f} ms",
        f"Dask overhead per proof (1 worker vs in process on 1 thread): {r['overhead_per_job_ms']:.0f} ms",
        f"scaling 1 -> 2 local workers: {r['scaling_1_to_2']:.2f}x in wall time (target >= 1.7x); "
        f"{r['scaling_from_cpu']:.2f}x from CPU per proof, what idle cores would give",
        f"cluster start-up and warm-up, paid once: {r['start_1_s']:.1f} s (1 worker), {r['start_2_s']:.1f} s (2)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=16, help="proofs per measure [default: 16]")
    parser.add_argument("--capacity", choices=sorted(CASES), default="sample", help="which case [default: sample]")
    parser.add_argument("--json", action="store_true", help="print the measures as JSON")
    args = parser.parse_args()
    report = measure(args.capacity, args.jobs)
    print(json.dumps(report, indent=1) if args.json else table(report))


if __name__ == "__main__":
    main()
