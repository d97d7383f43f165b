"""The peer benchmark runs end to end at the smallest size and writes its table and JSON; bad options fail in one line.

The end-to-end run needs node and snarkjs (tests/interop), as the benchmark does: skipped
without them, except under CI (CI=true), where a skip would hide a broken install. rapidsnark
and groth16py are optional peers: the test accepts them present or left out, but a peer left
out must be said so in the report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import load

ROOT = Path(__file__).resolve().parent.parent
SNARKJS = ROOT / "tests" / "interop" / "node_modules" / "snarkjs" / "cli.js"


def bench(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "benchmarks.prove_vs_peers", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def snarkjs_installed():
    if not (shutil.which("node") and SNARKJS.is_file()):
        reason = "snarkjs oracle not installed (run: npm ci --prefix tests/interop)"
        if os.environ.get("CI"):
            raise RuntimeError(f"the benchmark test must run under CI: {reason}")
        pytest.skip(reason)


@pytest.mark.interop
def test_benchmark_runs_end_to_end(tmp_path, snarkjs_installed):
    modes = "one-core,all-core" if shutil.which("taskset") else "all-core"
    args = ["--sizes", "4", "--shapes", "dense", "--modes", modes, "--runs", "1", "--warm-runs", "1"]
    done = bench(*args, "--micro-size", "0", "--load-window", "0.05", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "results.json").read_text())
    table = (tmp_path / "results.md").read_text()

    assert {"zkmargin", "snarkjs"} <= set(report["provers"])
    assert set(report["provers"]) | set(report["absent"]) == {"zkmargin", "snarkjs", "rapidsnark", "groth16py"}
    for name in report["absent"]:
        assert f"Left out: **{name}**" in table
    (result,) = report["results"]
    assert list(result["modes"]) == modes.split(",")
    for mode in result["modes"].values():
        assert set(mode["provers"]) == set(report["provers"])
        assert set(mode["ratio"]) == set(report["provers"]) - {"zkmargin"}
        for prover in mode["provers"].values():
            assert prover["wall_s"] > 0 and prover["peak_mib"] > 0
            (run,) = prover["runs"]
            assert isinstance(run["load"]["loaded"], bool) and 0 <= run["load"]["busy_on_cores"] <= 1
            assert run["load"]["loadavg_1min"] >= 0
    assert result["warm_prove_s"]["provers"]["zkmargin"]["median_s"] > 0
    header = next(line for line in table.splitlines() if line.startswith("| shape | domain | cores |"))
    assert all(f" {name} |" in header for name in report["provers"])
    assert "under load" in header
    rows = [line for line in table.splitlines() if line.startswith("| dense | 2^4 |")]
    assert len(rows) >= len(result["modes"])
    # issue 17's targets: each row met, how far off, or not measured at the sizes run
    peer_rows = table.split("## Targets against the native peers (issue 17)")[1].split("##")[0]
    assert "| prove, range, 2^16, one core | <= 1.0 x rapidsnark | not measured | - |" in peer_rows
    if "groth16py" in report["provers"] and "one-core" in result["modes"]:
        assert "| prove, dense, 2^4, one core | <= 0.8 x groth16py |" in peer_rows

    # The check that let these times count does reject a proof that is not valid.
    work = tmp_path / "work" / "dense_04"
    proof = json.loads((work / "zkmargin_warm_proof.json").read_text())
    proof["pi_a"][0] = str(int(proof["pi_a"][0]) + 1)
    (work / "tampered.json").write_text(json.dumps(proof))
    check = ["node", str(ROOT / "benchmarks" / "snarkjs_verify.cjs"), str(SNARKJS.parent), "vk.json"]
    done = subprocess.run(
        [*check, "expected_public.json", "zkmargin_warm_proof.json", "tampered.json"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [True, False]


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["--modes", "two-core"], "--modes"),
        (["--sizes", "3"], "--sizes"),
        (["--peers", "arkworks"], "--peers"),
        (["--runs", "0"], "--runs"),
    ],
)
def test_bad_options_fail_in_one_line_with_exit_2(args, complaint):
    done = bench(*args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error:") and complaint in done.stderr


def test_a_rapidsnark_path_that_is_not_there_is_a_bad_option(tmp_path, snarkjs_installed):
    done = bench("--rapidsnark", str(tmp_path / "prover"), "--out", str(tmp_path))
    assert done.returncode == 2 and done.stderr.startswith("error: --rapidsnark:")


def test_load_sample_reads_every_cpu():
    cores = load.usable_cores()
    sample = load.sample(cores[:1], 0.05)
    assert len(sample.busy) >= len(cores) and all(0 <= b <= 1 for b in sample.busy)
    assert sample.busy_on_cores == sample.busy[cores[0]]
    assert sample.loaded(-0.01) and not sample.loaded(1.0)
