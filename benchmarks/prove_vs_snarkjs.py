"""zkmargin against snarkjs 0.7.6 on the same circuits, keys and witnesses, in one run.

    python -m benchmarks.prove_vs_snarkjs                 # 2^12 .. 2^16, both shapes
    python -m benchmarks.prove_vs_snarkjs --sizes 12,14 --runs 1
    python -m benchmarks.prove_vs_snarkjs --sizes 18      # on request: larger sizes

For each size and witness shape: build the circuit and witness, export .r1cs and .wtns,
run zkmargin's setup (timed) and snarkjs's ``groth16 setup`` from a development .ptau that
zkmargin writes (cached per size, because snarkjs needs ~10 minutes to make one at 2^15),
then prove with snarkjs and with zkmargin from the same snarkjs-made key, alternating,
each as a separate process (wall time and peak memory), after one untimed run of each (so
that numba's first-run compilation and cold file caches are never timed). Every proof is
checked with ``snarkjs groth16 verify``. Then the warm comparison: each tool in one process
that holds the key and proves repeatedly (snarkjs through its JavaScript API), as a prover
serving every account of an epoch would. Micro-benchmarks of the engine's MSMs and NTT
follow. Results: results.json, results.md and prove.png under --out.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from zkmargin.circuits.iden3_files import write_r1cs, write_wtns
from zkmargin.prover import get_engine, setup, write_zkey
from zkmargin.prover.ptau import write_ptau
from zkmargin.circuits.files import atomic_write

from .circuits import SHAPES, build

ROOT = Path(__file__).resolve().parent.parent
SNARKJS_DIR = ROOT / "tests" / "interop" / "node_modules" / "snarkjs"
SNARKJS = SNARKJS_DIR / "cli.js"
TARGETS = {"dense": 0.5, "range": 0.25}  # zkmargin / snarkjs prove wall time, at 2^16
MSM_TARGET_SECONDS = 0.3  # G1 MSM, 2^16 random scalars, one core
SETUP_TARGET_SECONDS = 30.0  # development setup at 2^16


def log(message: str) -> None:
    click.echo(message, err=True)


def _high_water_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_measured(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak resident MiB, output) of a child process.

    Peak memory is the child's own VmHWM, sampled every 5 ms until it exits: wait4's
    ru_maxrss would also count this (large) parent, whose high-water mark a forked
    child inherits across exec.
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    with tempfile.TemporaryFile("w+") as captured:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=captured, stderr=subprocess.STDOUT, text=True)
        peak = 0.0
        while child.poll() is None:
            peak = max(peak, _high_water_mib(child.pid))
            time.sleep(0.005)
        wall = time.perf_counter() - start
        captured.seek(0)
        output = captured.read()
    if child.returncode != 0:
        raise click.ClickException(f"{' '.join(command[:4])} failed:\n{output[-2000:]}")
    return wall, peak, output


def snarkjs(*args: str, cwd: Path) -> tuple[float, float, str]:
    return run_measured(["node", str(SNARKJS), *args], cwd)


def ptau_for(power: int, cache: Path) -> tuple[Path, float | None]:
    """A cached development .ptau for domains up to 2^power, and seconds spent making it now."""
    path = cache / f"zkmargin_dev_{power:02d}.ptau"
    if path.exists():
        return path, None
    log(f"  writing development .ptau 2^{power} (cached in {cache})")
    start = time.perf_counter()
    write_ptau(path, power, get_engine())
    return path, time.perf_counter() - start


def bench_circuit(shape: str, power: int, runs: int, warm_runs: int, work: Path, cache: Path) -> dict:
    folder = work / f"{shape}_{power:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    r1cs, witness = build(shape, 1 << power)
    build_seconds = time.perf_counter() - start
    write_r1cs(r1cs, folder / "circuit.r1cs")
    write_wtns(witness, folder / "witness.wtns")

    log(f"  zkmargin setup ({r1cs.n_constraints} constraints)")
    start = time.perf_counter()
    write_zkey(setup(r1cs, get_engine()), folder / "zkmargin.zkey")
    our_setup = time.perf_counter() - start
    ptau, ptau_seconds = ptau_for(power, cache)
    log("  snarkjs groth16 setup")
    their_setup, _, _ = snarkjs("groth16", "setup", "circuit.r1cs", str(ptau), "key.zkey", cwd=folder)
    snarkjs("zkey", "export", "verificationkey", "key.zkey", "vk.json", cwd=folder)

    prove_snarkjs = ["node", str(SNARKJS), "groth16", "prove", "key.zkey", "witness.wtns", "sj_proof.json", "sj_public.json"]
    prove_zkmargin = [sys.executable, "-m", "benchmarks.prove_once", "key.zkey", "witness.wtns", "zk_proof.json", "zk_public.json"]
    log("  prove, untimed warm-up: snarkjs, zkmargin")
    run_measured(prove_snarkjs, folder)
    run_measured(prove_zkmargin, folder)
    samples: dict[str, list[tuple[float, float]]] = {"snarkjs": [], "zkmargin": []}
    profiles = []
    for run in range(runs):
        log(f"  prove, run {run + 1}/{runs}: snarkjs, zkmargin")
        wall, peak, _ = run_measured(prove_snarkjs, folder)
        samples["snarkjs"].append((wall, peak))
        wall, peak, output = run_measured(prove_zkmargin, folder)
        samples["zkmargin"].append((wall, peak))
        profiles.append(json.loads(output.strip().splitlines()[-1]) | {"wall": wall})
    for proof, public in (("sj_proof.json", "sj_public.json"), ("zk_proof.json", "zk_public.json")):
        _, _, out = snarkjs("groth16", "verify", "vk.json", public, proof, cwd=folder)
        if "OK" not in out:
            raise click.ClickException(f"snarkjs rejected {folder / proof}")

    def median_wall(tool: str) -> float:
        return statistics.median(w for w, _ in samples[tool])

    zk, sj = median_wall("zkmargin"), median_wall("snarkjs")
    profile = min(profiles, key=lambda p: abs(p["wall"] - zk))  # the run nearest the median, with its own wall time
    warm = warm_comparison(folder, warm_runs) if warm_runs else None
    return {
        "shape": shape,
        "power": power,
        "constraints": r1cs.n_constraints,
        "build_circuit_and_witness_s": build_seconds,
        "setup_s": {"zkmargin": our_setup, "snarkjs": their_setup, "zkmargin_dev_ptau": ptau_seconds},
        "prove_s": {"zkmargin": zk, "snarkjs": sj, "ratio": zk / sj, "runs": samples},
        "peak_mib": {tool: max(p for _, p in samples[tool]) for tool in samples},
        "zkmargin_profile_s": profile,
        "warm_prove_s": warm,
    }


def warm_comparison(folder: Path, runs: int) -> dict:
    """Median seconds per proof when one process holds the key and proves ``runs`` times."""
    log(f"  warm: {runs} proofs in one process each, snarkjs then zkmargin")
    _, _, out = run_measured(["node", str(ROOT / "benchmarks" / "snarkjs_warm.cjs"), str(SNARKJS_DIR), "key.zkey", "witness.wtns", str(runs)], folder)
    theirs = json.loads(out.strip().splitlines()[-1])["seconds"]
    _, _, out = run_measured([sys.executable, "-m", "benchmarks.prove_warm", "key.zkey", "witness.wtns", str(runs)], folder)
    ours = json.loads(out.strip().splitlines()[-1])["seconds"]
    zk, sj = statistics.median(ours), statistics.median(theirs)
    return {"zkmargin": zk, "snarkjs": sj, "ratio": zk / sj, "runs": {"zkmargin": ours, "snarkjs": theirs}}


def micro_benchmarks(power: int) -> dict:
    """Engine kernels in-process, after a warm-up call (compilation is cached anyway)."""
    import random

    import numba

    from zkmargin.verifier.curve import CURVE_ORDER as R

    engine = get_engine()
    rng = random.Random(5)
    n = 1 << power
    g1 = engine.prepare_g1(engine.fixed_base_g1([rng.randrange(1, R) for _ in range(n)]))
    g2 = engine.prepare_g2(engine.fixed_base_g2([rng.randrange(1, R) for _ in range(n)]))
    dense = [rng.randrange(R) for _ in range(n)]
    bits = [rng.randrange(2) for _ in range(n)]
    # MSMs take scalars converted once, as the prover does (converting 2^16 Python integers
    # to limbs is another ~0.1 s, paid once per proof, not per MSM).
    dense_scalars, bit_scalars = engine.prepare_scalars(dense), engine.prepare_scalars(bits)

    def timed(fn, *args) -> float:
        """Best of three, after a warm-up call: the machine's timings vary by 20 % run to run."""
        fn(*args)
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            fn(*args)
            best = min(best, time.perf_counter() - start)
        return best

    threads = numba.get_num_threads()
    out: dict[str, float] = {}
    try:
        numba.set_num_threads(1)
        out["g1_msm_random_1core_s"] = timed(engine.msm_g1, g1, dense_scalars)
    finally:
        numba.set_num_threads(threads)
    out[f"g1_msm_random_{threads}cores_s"] = timed(engine.msm_g1, g1, dense_scalars)
    out[f"g1_msm_bits_{threads}cores_s"] = timed(engine.msm_g1, g1, bit_scalars)
    out[f"g2_msm_random_{threads}cores_s"] = timed(engine.msm_g2, g2, dense_scalars)
    # The NTT interface takes and returns Python integers: these include both conversions.
    out["ntt_s"] = timed(engine.ntt, dense)
    out["intt_s"] = timed(engine.ntt, dense, True)
    out["odd_coset_s"] = timed(engine.odd_coset, dense)
    out["points"] = n
    return out


def markdown(results: list[dict], micro: dict) -> str:
    lines = [
        "# zkmargin vs snarkjs 0.7.6: Groth16 prove on BN254",
        "",
        f"Machine: {os.cpu_count()} cores. Same .zkey (made by snarkjs from a zkmargin development .ptau) and .wtns for both; "
        "**prove** is a fresh process each time, as `snarkjs groth16 prove` on the command line (start-up, reading the key, "
        "writing the proof included), after one untimed run of each; **warm** is seconds per proof in one process that holds "
        "the key and proves repeatedly (snarkjs through its JavaScript API), as a prover serving many accounts would. "
        "Medians of the runs; peak = maximum resident memory of the fresh process.",
        "",
        "| shape | domain | constraints | snarkjs prove (s) | zkmargin prove (s) | ratio | snarkjs warm (s) | zkmargin warm (s) | warm ratio "
        "| snarkjs peak (MiB) | zkmargin peak (MiB) | snarkjs setup (s) | zkmargin setup (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        p, m, s, w = r["prove_s"], r["peak_mib"], r["setup_s"], r.get("warm_prove_s")
        warm = f"{w['snarkjs']:.2f} | {w['zkmargin']:.2f} | {w['ratio']:.2f}" if w else "- | - | -"
        lines.append(
            f"| {r['shape']} | 2^{r['power']} | {r['constraints']} | {p['snarkjs']:.2f} | {p['zkmargin']:.2f} | {p['ratio']:.2f} | {warm} "
            f"| {m['snarkjs']:.0f} | {m['zkmargin']:.0f} | {s['snarkjs']:.1f} | {s['zkmargin']:.1f} |"
        )
    lines += ["", "## Targets", "", "| measure | target | measured | met |", "|---|---|---|---|"]
    for shape, target in TARGETS.items():
        at16 = [r for r in results if r["shape"] == shape and r["power"] == 16]
        if at16:
            ratio = at16[0]["prove_s"]["ratio"]
            lines.append(f"| prove, {shape}, 2^16 | <= {target} x snarkjs | {ratio:.2f} x | {'yes' if ratio <= target else 'no'} |")
            warm = at16[0].get("warm_prove_s")
            if warm:
                met = "yes" if warm["ratio"] <= target else "no"
                lines.append(f"| (same, warm: one process proving in turn) | <= {target} x snarkjs warm | {warm['ratio']:.2f} x | {met} |")
    if "g1_msm_random_1core_s" in micro and micro.get("points") == 1 << 16:
        t = micro["g1_msm_random_1core_s"]
        lines.append(f"| G1 MSM, 2^16 random, one core | <= {MSM_TARGET_SECONDS} s | {t:.3f} s | {'yes' if t <= MSM_TARGET_SECONDS else 'no'} |")
    for r in results:
        if r["power"] == 16:
            t = r["setup_s"]["zkmargin"]
            lines.append(f"| development setup, {r['shape']}, 2^16 | <= {SETUP_TARGET_SECONDS:.0f} s | {t:.1f} s | {'yes' if t <= SETUP_TARGET_SECONDS else 'no'} |")
    worse = [r for r in results if r["peak_mib"]["zkmargin"] > r["peak_mib"]["snarkjs"]]
    lines.append(f"| peak memory, proving | <= snarkjs at every size | {len(results) - len(worse)}/{len(results)} sizes | {'yes' if not worse else 'no'} |")
    lines += ["", "## Engine kernels (in-process, 2^%d points)" % (micro.get("points", 0).bit_length() - 1), ""]
    lines += [f"- {k}: {v:.3f}" for k, v in micro.items() if k != "points"]
    lines += ["", "## Where zkmargin's prove time goes (largest size of each shape, seconds)", ""]
    largest = {}
    for r in results:
        if r["power"] >= largest.get(r["shape"], {"power": -1})["power"]:
            largest[r["shape"]] = r
    for shape, r in largest.items():
        prof = r["zkmargin_profile_s"]
        wall = prof.get("wall", r["prove_s"]["zkmargin"])
        phases = ", ".join(f"{k} {v:.2f}" for k, v in prof["phases"].items())
        lines.append(f"- {shape} 2^{r['power']}: wall {wall:.2f} = interpreter, first imports and exit {wall - prof['in_process']:.2f} + {phases}")
    return "\n".join(lines) + "\n"


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4))
    for shape, style in zip(SHAPES, ("-", "--")):
        rows = sorted((r for r in results if r["shape"] == shape), key=lambda r: r["power"])
        if not rows:
            continue
        x = [2 ** r["power"] for r in rows]
        left.plot(x, [r["prove_s"]["snarkjs"] for r in rows], "o" + style, color="tab:orange", label=f"snarkjs, {shape}")
        left.plot(x, [r["prove_s"]["zkmargin"] for r in rows], "s" + style, color="tab:blue", label=f"zkmargin, {shape}")
        warm = [r for r in rows if r.get("warm_prove_s")]
        middle.plot([2 ** r["power"] for r in warm], [r["warm_prove_s"]["snarkjs"] for r in warm], "o" + style, color="tab:orange", label=f"snarkjs, {shape}")
        middle.plot([2 ** r["power"] for r in warm], [r["warm_prove_s"]["zkmargin"] for r in warm], "s" + style, color="tab:blue", label=f"zkmargin, {shape}")
        right.plot(x, [r["peak_mib"]["snarkjs"] for r in rows], "o" + style, color="tab:orange", label=f"snarkjs, {shape}")
        right.plot(x, [r["peak_mib"]["zkmargin"] for r in rows], "s" + style, color="tab:blue", label=f"zkmargin, {shape}")
    panels = ((left, "prove, fresh process, wall time", "seconds"), (middle, "prove, warm process, per proof", "seconds"),
              (right, "prove, fresh process, peak memory", "MiB"))
    for axis, title, unit in panels:
        axis.set_xscale("log", base=2)
        axis.set_xlabel("domain size (constraints)")
        axis.set_ylabel(unit)
        axis.set_title(title)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    fig.tight_layout()
    partial = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(partial, dpi=120)
    os.replace(partial, path)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--sizes", default="12,13,14,15,16", show_default=True, help="Comma-separated log2 domain sizes (18 on request).")
@click.option("--shapes", default=",".join(SHAPES), show_default=True, help="Witness shapes: dense (random field elements), range (mostly bits).")
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1, 20), help="Alternating fresh-process prove runs per tool.")
@click.option("--warm-runs", default=3, show_default=True, type=click.IntRange(0, 50), help="Proofs per tool in one warm process (0: skip).")
@click.option("--micro-size", default=16, show_default=True, type=click.IntRange(8, 20), help="log2 points for the MSM/NTT micro-benchmarks.")
@click.option("--out", "out_dir", default=str(ROOT / "benchmarks" / "results"), show_default=True, type=click.Path(file_okay=False, path_type=Path))
def main(sizes: str, shapes: str, runs: int, warm_runs: int, micro_size: int, out_dir: Path) -> None:
    """Time zkmargin's Groth16 prover against snarkjs's, side by side."""
    if not SNARKJS.is_file():
        raise click.ClickException("snarkjs is not installed: run npm ci --prefix tests/interop")
    try:
        powers = sorted({int(s) for s in sizes.split(",") if s.strip()})
    except ValueError:
        raise click.ClickException(f"--sizes: expected comma-separated integers, got {sizes!r}") from None
    if not powers or not all(4 <= p <= 20 for p in powers):
        raise click.ClickException("--sizes: each size must be between 4 and 20")
    chosen = [s.strip() for s in shapes.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SHAPES]
    if unknown or not chosen:
        raise click.ClickException(f"--shapes: unknown shape {unknown[0] if unknown else ''!r}; choose from {', '.join(SHAPES)}")
    cache, work = out_dir / "cache", out_dir / "work"
    cache.mkdir(parents=True, exist_ok=True)
    results = []
    for power in powers:
        for shape in chosen:
            log(f"{shape}, domain 2^{power}")
            results.append(bench_circuit(shape, power, runs, warm_runs, work, cache))
            r = results[-1]
            log(f"  prove: snarkjs {r['prove_s']['snarkjs']:.2f} s, zkmargin {r['prove_s']['zkmargin']:.2f} s, ratio {r['prove_s']['ratio']:.2f}")
            if r["warm_prove_s"]:
                w = r["warm_prove_s"]
                log(f"  warm:  snarkjs {w['snarkjs']:.2f} s, zkmargin {w['zkmargin']:.2f} s, ratio {w['ratio']:.2f}")
    log(f"micro-benchmarks at 2^{micro_size}")
    micro = micro_benchmarks(micro_size)
    atomic_write(out_dir / "results.json", json.dumps({"results": results, "micro": micro}, indent=1).encode())
    atomic_write(out_dir / "results.md", markdown(results, micro).encode())
    plot(results, out_dir / "prove.png")
    click.echo((out_dir / "results.md").read_text())
    click.echo(f"written: {out_dir / 'results.md'}, {out_dir / 'results.json'}, {out_dir / 'prove.png'}")


if __name__ == "__main__":
    main()
