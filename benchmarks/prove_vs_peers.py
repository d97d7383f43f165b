"""zkmargin against snarkjs, rapidsnark and groth16py on the same circuits, keys and witnesses, in one run.

    python -m benchmarks.prove_vs_peers                       # 2^12 .. 2^16, both shapes, one core and all cores
    python -m benchmarks.prove_vs_peers --sizes 12,14 --runs 1
    python -m benchmarks.prove_vs_peers --rapidsnark ../shared/anchors/rapidsnark/prover
    python -m benchmarks.prove_vs_peers --sizes 18            # on request: larger sizes

For each size and witness shape: build the circuit and witness, export .r1cs and .wtns, run
zkmargin's setup (timed) and snarkjs's ``groth16 setup`` from a development .ptau that
zkmargin writes (cached per size, because snarkjs needs ~10 minutes to make one at 2^15).
Every prover then proves from that one snarkjs-made key and witness, each proof a fresh
process (wall time and peak memory), after one untimed run of each (so numba's first-run
compilation and cold file caches are never timed); in turn, in an order that rotates from run
to run, first on one core (``taskset -c``) and then on all cores. Before each timed proof the
machine's load is sampled (see load.py) and a run taken under load is flagged. snarkjs checks
every proof; one failure and nothing is written. Then the warm comparison: each prover that
can in one process that holds the key and proves repeatedly, as a prover serving every account
of an epoch would. Micro-benchmarks of the engine's MSMs and NTT follow. Results:
results.json, results.md and prove.png under --out.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import click

from zkmargin.circuits.iden3_files import write_r1cs, write_wtns
from zkmargin.prover import get_engine, setup, write_zkey
from zkmargin.prover.ptau import write_ptau
from zkmargin.circuits.files import atomic_write

from . import load as machine_load
from .circuits import SHAPES, build
from .measure import ROOT, log, run_measured
from .micro import micro_benchmarks
from .peers import KEY, OPTIONAL, SNARKJS, SNARKJS_DIR, WITNESS, PeerError, Prover, choose
from .report import markdown, plot

MODES = ("one-core", "all-core")
EXPECTED_PUBLIC = "expected_public.json"


def mode_cores(mode: str) -> tuple[int, ...]:
    cores = machine_load.usable_cores()
    return cores[:1] if mode == "one-core" else cores


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


class Timing:
    """Times the provers in one folder and remembers every proof they wrote, for snarkjs to check."""

    def __init__(self, folder: Path, load_window: float, busy_threshold: float):
        self.folder, self.load_window, self.busy_threshold = folder, load_window, busy_threshold
        self.proofs: list[tuple[str, str, str | None]] = []  # (prover, proof file, its public file or None)

    def prove(self, prover: Prover, tag: str, cores: tuple[int, ...], pin: bool) -> dict:
        """One fresh-process proof: the load just before it, wall seconds, peak MiB, its output."""
        proof, public = f"{prover.name}_{tag}_proof.json", f"{prover.name}_{tag}_public.json"
        for name in (proof, public):
            (self.folder / name).unlink(missing_ok=True)  # a stale file must not pass for this run's proof
        load = machine_load.sample(cores, self.load_window)
        wall, peak, output = run_measured(prover.prove_command(proof, public), self.folder, cores if pin else None)
        self.proofs.append((prover.name, proof, public if prover.writes_public else None))
        return {"wall_s": wall, "peak_mib": peak, "load": load.to_json(self.busy_threshold), "output": output}

    def warm(self, prover: Prover, runs: int, cores: tuple[int, ...]) -> dict:
        """One warm process proving ``runs`` times: the load just before it and the seconds of each proof."""
        proof = f"{prover.name}_warm_proof.json"
        (self.folder / proof).unlink(missing_ok=True)
        load = machine_load.sample(cores, self.load_window)
        _, _, output = run_measured(prover.warm_command(runs, proof), self.folder)
        self.proofs.append((prover.name, proof, None))
        seconds = json.loads(output.strip().splitlines()[-1])["seconds"]
        return {"median_s": statistics.median(seconds), "runs": seconds, "load": load.to_json(self.busy_threshold)}

    def check_all(self) -> None:
        """snarkjs verifies every proof against the witness's public signals; any failure ends the benchmark."""
        expected = json.loads((self.folder / EXPECTED_PUBLIC).read_text())
        for prover, _, public in self.proofs:
            if public is not None and json.loads((self.folder / public).read_text()) != expected:
                raise click.ClickException(
                    f"{prover} wrote public signals other than the witness's: {self.folder / public}"
                )
        command = [
            "node",
            str(ROOT / "benchmarks" / "snarkjs_verify.cjs"),
            str(SNARKJS_DIR),
            "vk.json",
            EXPECTED_PUBLIC,
        ]
        _, _, out = run_measured(command + [proof for _, proof, _ in self.proofs], self.folder)
        verdicts = json.loads(out.strip().splitlines()[-1])
        rejected = [f"{prover} {proof}" for (prover, proof, _), ok in zip(self.proofs, verdicts, strict=True) if not ok]
        if rejected:
            raise click.ClickException(
                f"snarkjs rejected {len(rejected)} proof(s) in {self.folder}: {', '.join(rejected)}"
            )
        log(f"  snarkjs verified all {len(self.proofs)} proofs")


def summarise(samples: dict[str, list[dict]]) -> dict:
    """Median wall, maximum peak and the load flags of each prover's runs in one mode, and zkmargin's ratios."""
    provers = {}
    for name, runs in samples.items():
        provers[name] = {
            "wall_s": statistics.median(r["wall_s"] for r in runs),
            "peak_mib": max(r["peak_mib"] for r in runs),
            "loaded": any(r["load"]["loaded"] for r in runs),
            "runs": [{k: v for k, v in r.items() if k != "output"} for r in runs],
        }
    ours = provers["zkmargin"]["wall_s"]
    busiest = max(r["load"]["busy_on_cores"] for runs in samples.values() for r in runs)
    return {
        "provers": provers,
        "ratio": {name: ours / p["wall_s"] for name, p in provers.items() if name != "zkmargin"},
        "loaded": any(p["loaded"] for p in provers.values()),
        "busy_on_cores_max": busiest,
        "loadavg_1min_max": max(r["load"]["loadavg_1min"] for runs in samples.values() for r in runs),
    }


def bench_circuit(shape: str, power: int, provers: list[Prover], options: dict, work: Path, cache: Path) -> dict:
    folder = work / f"{shape}_{power:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    r1cs, witness = build(shape, 1 << power)
    build_seconds = time.perf_counter() - start
    write_r1cs(r1cs, folder / "circuit.r1cs")
    write_wtns(witness, folder / WITNESS)
    (folder / EXPECTED_PUBLIC).write_text(json.dumps([str(v) for v in witness[1 : 1 + r1cs.n_public]]))

    log(f"  zkmargin setup ({r1cs.n_constraints} constraints)")
    start = time.perf_counter()
    write_zkey(setup(r1cs, get_engine()), folder / "zkmargin.zkey")
    our_setup = time.perf_counter() - start
    ptau, ptau_seconds = ptau_for(power, cache)
    log("  snarkjs groth16 setup")
    their_setup, _, _ = snarkjs("groth16", "setup", "circuit.r1cs", str(ptau), KEY, cwd=folder)
    snarkjs("zkey", "export", "verificationkey", KEY, "vk.json", cwd=folder)

    timing = Timing(folder, options["load_window"], options["busy_threshold"])
    log(f"  prove, untimed warm-up: {', '.join(p.name for p in provers)}")
    for prover in provers:
        timing.prove(prover, "warmup", machine_load.usable_cores(), pin=False)
    modes, profiles = {}, []
    for mode in options["modes"]:
        cores = mode_cores(mode)
        samples: dict[str, list[dict]] = {p.name: [] for p in provers}
        for run in range(options["runs"]):
            order = provers[run % len(provers) :] + provers[: run % len(provers)]  # no prover always goes first
            log(f"  prove, {mode}, run {run + 1}/{options['runs']}: {', '.join(p.name for p in order)}")
            for prover in order:
                sample = timing.prove(prover, f"{mode}_{run}", cores, pin=mode == "one-core")
                samples[prover.name].append(sample)
                if prover.name == "zkmargin" and mode == options["modes"][-1]:
                    profiles.append(json.loads(sample["output"].strip().splitlines()[-1]) | {"wall": sample["wall_s"]})
        modes[mode] = summarise(samples) | {"cores": list(cores)}
        log("  " + mode + ": " + ", ".join(f"{n} {p['wall_s']:.2f} s" for n, p in modes[mode]["provers"].items()))
    warm = warm_comparison(timing, provers, options["warm_runs"]) if options["warm_runs"] else None
    timing.check_all()

    ours = modes[options["modes"][-1]]["provers"]["zkmargin"]["wall_s"]
    profile = min(profiles, key=lambda p: abs(p["wall"] - ours))  # the run nearest the median, with its own wall time
    return {
        "shape": shape,
        "power": power,
        "constraints": r1cs.n_constraints,
        "build_circuit_and_witness_s": build_seconds,
        "setup_s": {"zkmargin": our_setup, "snarkjs": their_setup, "zkmargin_dev_ptau": ptau_seconds},
        "modes": modes,
        "zkmargin_profile_s": profile,
        "warm_prove_s": warm,
    }


def warm_comparison(timing: Timing, provers: list[Prover], runs: int) -> dict:
    """Median seconds per proof on all cores when one process holds the key and proves ``runs`` times."""
    warm = [p for p in provers if p.warm]
    log(f"  warm: {runs} proofs in one process each: {', '.join(p.name for p in warm)}")
    out = {prover.name: timing.warm(prover, runs, machine_load.usable_cores()) for prover in warm}
    ours = out["zkmargin"]["median_s"]
    return {
        "provers": out,
        "ratio": {name: ours / w["median_s"] for name, w in out.items() if name != "zkmargin"},
        "loaded": any(w["load"]["loaded"] for w in out.values()),
    }


def bad_option(message: str) -> None:
    """One line on stderr and exit 2, as for click's own usage errors."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def parse_list(option: str, text: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    unknown = [s for s in chosen if s not in allowed]
    if unknown or not chosen:
        bad_option(
            f"{option}: unknown or missing value {unknown[0] if unknown else text!r}; choose from {', '.join(allowed)}"
        )
    return chosen


def parse_sizes(sizes: str) -> list[int]:
    try:
        powers = sorted({int(s) for s in sizes.split(",") if s.strip()})
    except ValueError:
        bad_option(f"--sizes: expected comma-separated integers, got {sizes!r}")
    if not powers or not all(4 <= p <= 20 for p in powers):
        bad_option("--sizes: each size must be between 4 and 20")
    return powers


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--sizes", default="12,13,14,15,16", show_default=True, help="Comma-separated log2 domain sizes (18 on request)."
)
@click.option(
    "--shapes",
    default=",".join(SHAPES),
    show_default=True,
    help="Witness shapes: dense (random field elements), range (mostly bits).",
)
@click.option(
    "--modes",
    default=",".join(MODES),
    show_default=True,
    help="one-core (taskset -c on the first usable core) and/or all-core.",
)
@click.option(
    "--peers",
    default=",".join(OPTIONAL),
    show_default=True,
    help="Optional peers to time beside snarkjs (which is always timed).",
)
@click.option(
    "--rapidsnark",
    "rapidsnark_path",
    envvar="ZKMARGIN_RAPIDSNARK",
    metavar="PATH",
    help="rapidsnark's prover binary [env ZKMARGIN_RAPIDSNARK; default ../shared/anchors/rapidsnark/prover].",
)
@click.option(
    "--runs",
    default=3,
    show_default=True,
    type=click.IntRange(1, 20),
    help="Fresh-process prove runs per prover and mode.",
)
@click.option(
    "--warm-runs",
    default=3,
    show_default=True,
    type=click.IntRange(0, 50),
    help="Proofs per prover in one warm process (0: skip).",
)
@click.option(
    "--micro-size",
    default=16,
    show_default=True,
    type=click.IntRange(0, 20),
    help="log2 points for the MSM/NTT micro-benchmarks (0: skip).",
)
@click.option(
    "--load-window",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0.05, 10),
    help="Seconds to sample CPU load before each timing.",
)
@click.option(
    "--busy-threshold",
    default=machine_load.DEFAULT_BUSY_THRESHOLD,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Flag a run as loaded when its cores were busier than this fraction just before it.",
)
@click.option(
    "--out",
    "out_dir",
    default=str(ROOT / "benchmarks" / "results"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for results.json, results.md and prove.png (and the cache/ and work/ folders).",
)
def main(
    sizes: str,
    shapes: str,
    modes: str,
    peers: str,
    rapidsnark_path: str | None,
    runs: int,
    warm_runs: int,
    micro_size: int,
    load_window: float,
    busy_threshold: float,
    out_dir: Path,
) -> None:
    """Time zkmargin's Groth16 prover against snarkjs, rapidsnark and groth16py, side by side.

    Every prover proves from the same snarkjs-made key and witness, each proof a fresh
    process, on one core and on all cores; snarkjs checks every proof before its time is
    kept. The machine's load is sampled before each proof and loaded runs are flagged.
    A peer that is not installed is left out, and the report says why.
    """
    powers = parse_sizes(sizes)
    chosen = parse_list("--shapes", shapes, SHAPES)
    options = {
        "modes": parse_list("--modes", modes, MODES),
        "runs": runs,
        "warm_runs": warm_runs,
        "load_window": load_window,
        "busy_threshold": busy_threshold,
    }
    if 0 < micro_size < 8:
        bad_option("--micro-size: 0 (skip) or 8 to 20")
    if not SNARKJS.is_file() or not shutil.which("node"):
        raise click.ClickException("snarkjs is not installed: run npm ci --prefix tests/interop")
    if "one-core" in options["modes"] and not shutil.which("taskset"):
        raise click.ClickException("taskset not found (util-linux); or run with --modes all-core")
    try:
        provers, absent = choose(parse_list("--peers", peers, OPTIONAL), rapidsnark_path)
    except PeerError as exc:
        bad_option(str(exc))
    for name, why in absent.items():
        log(f"{name}: left out: {why}")
    cache, work = out_dir / "cache", out_dir / "work"
    cache.mkdir(parents=True, exist_ok=True)
    results = []
    for power in powers:
        for shape in chosen:
            log(f"{shape}, domain 2^{power}")
            results.append(bench_circuit(shape, power, provers, options, work, cache))
    micro = {}
    if micro_size:
        log(f"micro-benchmarks at 2^{micro_size}")
        micro = micro_benchmarks(micro_size)
    report = {
        "machine": {
            "cpus": len(machine_load.usable_cores()),
            "modes": {m: list(mode_cores(m)) for m in options["modes"]},
        },
        "provers": {p.name: p.version for p in provers},
        "absent": absent,
        "options": options | {"sizes": powers, "shapes": list(chosen)},
        "results": results,
        "micro": micro,
    }
    written = [out_dir / "results.json", out_dir / "results.md"]
    atomic_write(written[0], json.dumps(report, indent=1).encode())
    atomic_write(written[1], markdown(report).encode())
    why_no_plot = plot(report, out_dir / "prove.png")
    if why_no_plot:
        log(f"plot left out: {why_no_plot}")
    else:
        written.append(out_dir / "prove.png")
    click.echo(written[1].read_text())
    click.echo("written: " + ", ".join(map(str, written)))


def run() -> None:
    """main() with every error as one line: exit 2 for a bad option (click's too), 1 for a failed run."""
    try:
        main.main(standalone_mode=False)
    except click.UsageError as exc:
        bad_option(exc.format_message())
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(1)
    except click.Abort:
        sys.exit(130)


if __name__ == "__main__":
    run()
