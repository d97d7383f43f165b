"""Witness generation: the Python builder against the compiled program, beside the proof it feeds.

    python -m benchmarks.witness                          # default 8x4x32 and a 10x larger circuit
    python -m benchmarks.witness --capacity 8x4x32 --prove  # also set up a key and time proving

Each cold or cached figure comes from a fresh process (``--one``), so it includes what a
worker pays: importing, loading the program from disk and the numba kernel from numba's
cache. "steady" is the per-proof cost once a worker has both: run and R1CS check.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zkmargin.verifier.kinds import MarginCapacity


def _capacity(text: str) -> MarginCapacity:
    return MarginCapacity(*(int(x) for x in text.split("x")))


def one(mode: str, capacity: MarginCapacity, cache: Path) -> dict:
    """One measurement in this process (called in a fresh one by ``main``)."""
    from zkmargin import api

    case = api.load_case(capacity=capacity)
    start = time.perf_counter()
    if mode == "builder":
        system = api.margin_circuit(capacity, case)
        system.witness()
        built = time.perf_counter() - start
        r1cs = system.compile()
        return {
            "seconds": built,
            "compile_seconds": time.perf_counter() - start - built,
            "constraints": r1cs.n_constraints,
        }
    api.margin_witness(case, capacity, cache)
    first = time.perf_counter() - start
    steady = []
    for _ in range(5):
        start = time.perf_counter()
        api.margin_witness(case, capacity, cache)
        steady.append(time.perf_counter() - start)
    return {"seconds": first, "steady_seconds": statistics.median(steady)}


def _fresh(mode: str, capacity: MarginCapacity, cache: Path) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.witness",
            "--one",
            mode,
            "--capacity",
            capacity.label(),
            "--cache",
            str(cache),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def prove_seconds(capacity: MarginCapacity, folder: Path, runs: int = 3) -> float:
    """Median Groth16 proof time (native engine, compiled witness given) for the sample case."""
    from zkmargin import api
    from zkmargin.prover import prove, read_zkey

    keys = api.setup_keys(capacity, folder / "keys")
    pk, chosen = read_zkey(keys.zkey), api.engine()
    chosen.load()
    witness = api.margin_witness(api.load_case(capacity=capacity), capacity, folder / "cache")
    prove(pk, witness, chosen)  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        prove(pk, witness, chosen)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--capacity", action="append", help="PxCxS, repeatable [default: 8x4x32 and 8x4x320]")
    parser.add_argument("--prove", action="store_true", help="also set up keys and time the proof (slow)")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    capacities = [_capacity(c) for c in (args.capacity or ["8x4x32", "8x4x320"])]
    if args.one:
        print(json.dumps(one(args.one, capacities[0], args.cache)))
        return
    rows = []
    for capacity in capacities:
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache"
            builder = _fresh("builder", capacity, cache)
            cold = _fresh("compiled", capacity, cache)  # empty cache: builds and saves the program
            cached = _fresh("compiled", capacity, cache)  # a new worker: loads it
            row = {
                "capacity": capacity.label(),
                "constraints": builder["constraints"],
                "builder_witness_s": builder["seconds"],
                "builder_compile_r1cs_s": builder["compile_seconds"],
                "compiled_cold_s": cold["seconds"],
                "compiled_cached_s": cached["seconds"],
                "compiled_steady_s": cached["steady_seconds"],
            }
            if args.prove:
                row["prove_s"] = prove_seconds(capacity, Path(tmp))
                row["witness_share_of_prove"] = row["compiled_steady_s"] / row["prove_s"]
            rows.append(row)
            print(json.dumps(row), flush=True)
    print("\n| capacity | constraints | builder witness | compiled: cold | cached (new process) | steady | prove |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        prove = f"{r['prove_s']:.3f} s ({100 * r['witness_share_of_prove']:.1f}%)" if "prove_s" in r else "-"
        print(
            f"| {r['capacity']} | {r['constraints']} | {r['builder_witness_s']:.3f} s | {r['compiled_cold_s']:.3f} s "
            f"| {r['compiled_cached_s']:.3f} s | {r['compiled_steady_s'] * 1000:.1f} ms | {prove} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
