"""Exchange mode at scale (issue 15): an epoch of a synthetic book, phase by phase, against the targets.

    python -m benchmarks.exchange --accounts 1000 [--accounts 10000 ...] [--workers 1 2]
        [--batch-size 16] [--capacity small|default] [--out benchmarks/results]

For each size, a SYNTHETIC book (`zkmargin book sample`'s generator, fixed seed) is proven as
one epoch in a fresh child process per worker count (benchmarks/exchange_epoch.py), then the
epoch is verified, one account's inclusion file exported, and that file verified, each in a
fresh process, as the exchange, an auditor and a user would run them. The tier's key is made
beforehand (a development key, once per tier and cached): an exchange makes it once, not per
epoch, so setup is reported apart and left out of the per-account figures.

CPU seconds are the children's rusage (wait4: a child and every process it reaped, local Dask
workers included); peak memory is the child's own VmHWM (sampled; never ru_maxrss, which a
forked child inherits from this parent), and the largest VmHWM of any of its descendants
(a Dask worker). Before each epoch the benchmark sleeps a second and reads how busy the cores
were (benchmarks/load.py): rows taken while other work ran are flagged, not hidden.

`--capacity small` is the tiny test tier (2 instruments, 1 collateral asset, 10 scenarios,
occ10's model on the tiny test market): cheap enough for 10^4 accounts on two cores. The
issue's targets are set for the default tier; every row says which tier it used.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.exchange_report import markdown, plot, targets_table
from benchmarks.load import DEFAULT_BUSY_THRESHOLD, sample, usable_cores

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEED = 1
TIERS = {  # name: capacity fields, market (None: the bundled sample), model
    "small": ({"positions": 2, "collateral": 1, "scenarios": 10}, DATA / "tiny_market.json", "occ10"),
    "default": (None, None, None),
}


@dataclass(frozen=True)
class Measured:
    wall_s: float
    cpu_s: float  # user + system of the child and every descendant it reaped
    peak_mib: float  # the child's own VmHWM
    peak_descendant_mib: float  # the largest VmHWM of any process under it (a Dask worker), 0 if none
    output: str


def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = []
        # every thread's children: a local Dask cluster spawns its workers from its event-loop thread
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                kids += [int(k) for k in task.read_text().split()]
            except OSError:
                pass
        out += kids
        todo += kids
    return out


def run_child(command: list[str]) -> Measured:
    """Run ``command`` from the repository root; its wall, CPU (wait4's rusage) and peak memory."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    with tempfile.TemporaryFile("w+") as captured:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=captured, stderr=subprocess.STDOUT, text=True)
        peak, worker_peak, seen = 0, 0, 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _status_kib(child.pid, "VmHWM:"))
            seen += 1
            if seen % 20 == 0:  # walking /proc for descendants is dearer: every 0.1 s
                worker_peak = max([worker_peak, *(_status_kib(d, "VmHWM:") for d in _descendants(child.pid))])
            time.sleep(0.005)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        captured.seek(0)
        output = captured.read()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command[:8])} failed ({child.returncode}):\n{output[-3000:]}")
    return Measured(wall, usage.ru_utime + usage.ru_stime, peak / 1024, worker_peak / 1024, output)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from zkmargin.cli.main import main; main()", *args]


def _json_tail(output: str) -> dict:
    """The JSON object the output ends with, one line or indented (libraries may log before it)."""
    lines = output.rstrip().splitlines()
    for k in range(len(lines) - 1, -1, -1):
        if lines[k].startswith("{"):
            try:
                return json.loads("\n".join(lines[k:]))
            except ValueError:
                continue
    raise SystemExit(f"no JSON in the child's output:\n{output[-2000:]}")


def _tier(name: str):
    from zkmargin.api import DEFAULT_CAPACITY, DEFAULT_MODEL, MarginCapacity
    from zkmargin.circuits.margin.inputs import sample_path

    fields, market, model = TIERS[name]
    capacity = MarginCapacity(**fields) if fields else DEFAULT_CAPACITY
    return capacity, market or sample_path("market.json"), model or DEFAULT_MODEL


def _ensure_key(capacity, batch_size: int, key_dir: Path) -> dict:
    """The tier's development key, made once in a fresh process (its cost reported, not per epoch)."""
    from zkmargin.circuits.exchange.batch import BatchShape

    tier = BatchShape(capacity, batch_size).tier
    if (key_dir / f"exchange-batch-{tier}.zkey").is_file():
        return {"tier": tier, "made": False}
    code = ("import json,sys; from pathlib import Path; from zkmargin.api import MarginCapacity; "
            "from zkmargin.api.epoch import tier_key; from zkmargin.circuits.exchange.batch import BatchShape; "
            "tier_key(BatchShape(MarginCapacity(**json.loads(sys.argv[1])), int(sys.argv[2])), Path(sys.argv[3]), "
            "None, None, lambda _: None)")
    m = run_child([sys.executable, "-c", code, json.dumps(dataclasses.asdict(capacity)), str(batch_size),
                   str(key_dir)])
    return {"tier": tier, "made": True, "wall_s": m.wall_s, "cpu_s": m.cpu_s, "peak_mib": m.peak_mib}


def _first_account(book: Path) -> str:
    with book.open() as lines:
        for line in lines:
            entry = json.loads(line)
            if "account" in entry:
                return entry["account"]
    raise SystemExit(f"{book}: no account line")


def epoch_row(book: Path, work: Path, keys, market: Path, model: str, capacity, batch_size: int, key_dir: Path,
              workers: int) -> dict:
    """One epoch proven in a fresh child, with the load just before it."""
    load = sample(usable_cores(), 1.0)
    out = work / f"epoch-w{workers}"
    m = run_child([sys.executable, "-m", "benchmarks.exchange_epoch", str(book), str(out), str(keys.private_key),
                   str(market), model, json.dumps(dataclasses.asdict(capacity)), str(batch_size), str(key_dir),
                   str(workers)])
    record = _json_tail(m.output)
    accounts = record["accounts"]
    client_cpu = {k: v for k, v in record["cpu"].items() if k != "prove batches"}
    # Local workers' CPU reaches this child's rusage only when its cluster closes: whatever the
    # child spent beyond its client laps is the proving phase's (cluster start and stop included).
    prove_cpu = m.cpu_s - sum(client_cpu.values())
    return {
        "workers": workers, "accounts": accounts, "batches": record["batches"], "tier": record["tier"],
        "constraints": record["constraints"], "epoch_dir": str(out),
        "wall_s": m.wall_s, "cpu_s": m.cpu_s, "core_s_per_account": m.cpu_s / accounts,
        "accounts_per_s": accounts / m.wall_s, "peak_mib": m.peak_mib, "worker_peak_mib": m.peak_descendant_mib,
        "timings": record["timings"], "cpu": {**client_cpu, "prove batches": prove_cpu},
        "batch_seconds": record["batch_seconds"],
        "load": load.to_json(DEFAULT_BUSY_THRESHOLD), "loaded": load.loaded(DEFAULT_BUSY_THRESHOLD),
    }


def checks(epoch_dir: Path, keys, book: Path, work: Path) -> dict:
    """Epoch verify, inclusion export and inclusion verify: each a fresh process, as its user runs it."""
    account = _first_account(book)
    inclusion = work / "inclusion.json"
    out = {}
    for name, command in (
        ("epoch verify", _cli("epoch", "verify", str(epoch_dir), "--exchange-key", str(keys.public_key), "--json")),
        ("inclusion export", _cli("inclusion", "export", str(epoch_dir), account, "--out", str(inclusion), "--json")),
        ("inclusion verify", _cli("inclusion", "verify", str(inclusion), "--manifest", str(epoch_dir / "manifest.json"),
                                  "--exchange-key", str(keys.public_key), "--json")),
    ):
        m = run_child(command)
        if name != "inclusion export" and not _json_tail(m.output).get("valid"):
            raise SystemExit(f"{name} did not say valid:\n{m.output[-2000:]}")
        out[name] = {"wall_s": m.wall_s, "cpu_s": m.cpu_s, "peak_mib": m.peak_mib}
    return out


def measure(sizes: list[int], workers: list[int], batch_size: int, tier: str, scratch: Path) -> dict:
    from zkmargin import api
    from zkmargin.prover.cache import cache_folder

    capacity, market, model = _tier(tier)
    key_dir = cache_folder() / "bench-keys"
    setup = _ensure_key(capacity, batch_size, key_dir)
    keys = api.new_exchange_keys(scratch / "exchange")
    rows = []
    for accounts in sizes:
        work = scratch / f"n{accounts}"
        work.mkdir(parents=True, exist_ok=True)
        book = work / "book.jsonl"
        start = time.perf_counter()
        api.sample_book(book, accounts, SEED, market)
        book_s = time.perf_counter() - start
        epochs = []
        for w in workers:
            print(f"  {accounts:,} accounts, {tier} tier, B = {batch_size}, workers {w} ...", file=sys.stderr,
                  flush=True)
            epochs.append(epoch_row(book, work, keys, market, model, capacity, batch_size, key_dir, w))
        rows.append({"accounts": accounts, "capacity": tier, "book_generation_s": book_s, "epochs": epochs,
                     "checks": checks(Path(epochs[0]["epoch_dir"]), keys, book, work)})
    return {
        "options": {"sizes": sizes, "workers": workers, "batch_size": batch_size, "capacity": tier,
                    "capacity_label": capacity.label(), "model": model, "market": str(market), "seed": SEED,
                    "busy_threshold": DEFAULT_BUSY_THRESHOLD},
        "machine": {"cpus": os.cpu_count(), "usable_cores": len(usable_cores()),
                    "page_size": resource.getpagesize()},
        "setup": setup, "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, action="append", help="a book size, repeatable [default: 1000]")
    parser.add_argument("--workers", type=int, nargs="+", default=[1],
                        help="worker counts to compare (0: in process, without Dask; N: N local Dask workers) "
                             "[default: 1]")
    parser.add_argument("--batch-size", type=int, default=16, help="accounts per batch proof, B [default: 16]")
    parser.add_argument("--capacity", choices=sorted(TIERS), default="default",
                        help="tier: the default 8x4x32x2, or small (the tiny test tier) [default: default]")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results",
                        help="where exchange.{md,json,png} go [default: benchmarks/results]")
    parser.add_argument("--name", default="exchange", help="file name stem of the outputs [default: exchange]")
    args = parser.parse_args()
    sizes = args.accounts or [1000]
    if min(sizes) < 1 or min(args.workers) < 0:
        parser.error("--accounts must be at least 1 and --workers at least 0")
    with tempfile.TemporaryDirectory(prefix="zkmargin-exchange-bench-") as scratch:
        report = measure(sizes, args.workers, args.batch_size, args.capacity, Path(scratch))
    args.out.mkdir(parents=True, exist_ok=True)
    from zkmargin.circuits.files import atomic_write

    atomic_write(args.out / f"{args.name}.json", (json.dumps(report, indent=1) + "\n").encode())
    atomic_write(args.out / f"{args.name}.md", markdown(report).encode())
    why = plot(report, args.out / f"{args.name}.png")
    print("\n".join(targets_table(report)))
    print(f"\nwritten: {args.out / (args.name + '.md')}, .json" + (f"; plot left out: {why}" if why else ", .png"))


if __name__ == "__main__":
    main()
