"""The exchange benchmark (benchmarks/exchange.py) at tiny sizes: it runs end to end on the real
CLI and prover, writes well-formed JSON, markdown and a plot, and prints the issue's targets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = {"read book", "key", "witnesses and totals chain", "resume check", "prove batches", "tree", "manifest"}
TARGETS = ("end to end", "witness generation", "epoch verify", "user inclusion verify", "peak memory",
           "scaling, 1 -> 2")  # unmeasured here (workers 0 and 1), the row still printed


def test_benchmark_runs_and_reports(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.exchange", "--accounts", "8", "--accounts", "5", "--batch-size", "4",
         "--capacity", "small", "--workers", "0", "1", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for target in TARGETS:
        assert target in run.stdout
    report = json.loads((tmp_path / "exchange.json").read_text())
    assert [r["accounts"] for r in report["rows"]] == [8, 5]
    for row in report["rows"]:
        assert [e["workers"] for e in row["epochs"]] == [0, 1]
        for e in row["epochs"]:
            assert e["accounts"] == row["accounts"] and e["batches"] == -(-row["accounts"] // 4)
            assert set(e["timings"]) == PHASES == set(e["cpu"])
            assert e["batch_seconds"]["prove"] > e["batch_seconds"]["witness"] > 0
            assert 0 < e["cpu_s"] and 0 < e["wall_s"] and e["peak_mib"] > 50  # an interpreter with numba and a key
        in_process, dask = row["epochs"]
        assert in_process["worker_peak_mib"] < 50 < dask["worker_peak_mib"]  # a Dask worker holds a key too
        assert set(row["checks"]) == {"epoch verify", "inclusion export", "inclusion verify"}
        assert all(c["wall_s"] > 0 for c in row["checks"].values())
    text = (tmp_path / "exchange.md").read_text()
    assert "Binance (published)" in text and "OKX (published)" in text and "10^6-account epoch" in text
    assert "extrapolated from 5 and 8" in text
    png = tmp_path / "exchange.png"
    assert not png.exists() or png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
