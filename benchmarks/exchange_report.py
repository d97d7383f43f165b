"""The exchange benchmark's report: markdown, the issue's targets and a plot, from its JSON alone.

    python -m benchmarks.exchange_report [RESULTS_JSON]   # default benchmarks/results/exchange.json

Redraws the .md and .png beside the JSON without proving again.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.report import NO_MATPLOTLIB, pyplot, save_figure

# (figure, whose, hardware, what it checks): theirs, as published, beside ours
PEERS = (
    ("Binance (published)", 62 * 32 / 700, "32 vCPUs: 62 s per batch of 700 users", "balances only"),
    # 28 min / 10^6 users is 1.7 ms wall a user; the 0.02 core-s counts a laptop's ~12 cores
    ("OKX (published)", 0.02, "a laptop: 10^6 users in 28 min (1.7 ms wall per user)",
     "sums only, no prices or margin"),
)
# the client's sequential phases (prove_epoch's laps) and where each stands in the list
CLIENT_PHASES = (
    ("read and validate", "read book"),
    ("key load and check", "key"),
    ("margin calculation (client: margins, shortfalls, totals chain, commitments, batch hashes)",
     "witnesses and totals chain"),
    ("resume check", "resume check"),
    ("prove phase (all batches: witness + Groth16 + transfer)", "prove batches"),
    ("tree", "tree"),
    ("manifest (openings, parameters, signature)", "manifest"),
)
GIB = 1024


def _first(row: dict) -> dict:
    return row["epochs"][0]


def _tier_note(report: dict) -> str:
    tier = report["options"]["capacity"]
    label = report["options"]["capacity_label"]
    return "" if tier == "default" else f" ({tier} tier {label}: targets are set for the default)"


def _verdict(value: float, target: float, higher_is_better: bool = False) -> str:
    met = value >= target if higher_is_better else value <= target
    if met:
        return "met"
    factor = target / value if higher_is_better else value / target
    return f"**not met: {factor:.1f}x off**"


def _at(report: dict, accounts: int) -> dict:
    """The row for ``accounts``, else the largest measured."""
    rows = report["rows"]
    exact = [r for r in rows if r["accounts"] == accounts]
    return exact[0] if exact else max(rows, key=lambda r: r["accounts"])


def peak_at(report: dict, accounts: int) -> tuple[float, str]:
    """Client peak MiB at ``accounts``: measured, or a straight line through the two largest sizes."""
    rows = sorted(report["rows"], key=lambda r: r["accounts"])
    for r in rows:
        if r["accounts"] == accounts:
            return _first(r)["peak_mib"], "measured"
    if len(rows) < 2:
        r = rows[-1]
        return _first(r)["peak_mib"], f"only {r['accounts']:,} measured: no growth to extrapolate"
    (a, pa), (b, pb) = [(r["accounts"], _first(r)["peak_mib"]) for r in rows[-2:]]
    slope = (pb - pa) / (b - a)
    return pb + slope * (accounts - b), f"extrapolated from {a:,} and {b:,} ({slope * 1024:.2f} KiB per account)"


def targets_table(report: dict) -> list[str]:
    lines = [f"Issue 15's targets{_tier_note(report)}", "", "| measure | target | ours | verdict |",
             "|---|---|---|---|"]
    row = _at(report, 10_000)
    e, n = _first(row), row["accounts"]
    at = "" if n == 10_000 else f" (at {n:,}, not 10^4)"
    lines.append(f"| end to end, book to signed manifest{at} | <= 0.1 core-s/account | "
                 f"{e['core_s_per_account']:.3f} core-s/account | {_verdict(e['core_s_per_account'], 0.1)} |")
    b = e["batch_seconds"]
    if b["prove"] > 0:
        ratio = b["witness"] / b["prove"]
        lines.append(f"| witness generation per batch | <= 10% of proving | {ratio:.1%} "
                     f"({1000 * b['witness'] / e['batches']:.0f} / {1000 * b['prove'] / e['batches']:.0f} ms) | "
                     f"{_verdict(ratio, 0.10)} |")
    v = row["checks"]["epoch verify"]
    ms = 1000 * v["wall_s"] / n
    lines.append(f"| epoch verify, all batches | <= 1 ms/account | {ms:.2f} ms/account ({v['wall_s']:.1f} s) | "
                 f"{_verdict(ms, 1.0)} |")
    i = row["checks"]["inclusion verify"]
    lines.append(f"| user inclusion verify, fresh process | <= 2 s wall | {i['wall_s']:.2f} s | "
                 f"{_verdict(i['wall_s'], 2.0)} |")
    peak, how = peak_at(report, 100_000)
    lines.append(f"| peak memory at 10^5 accounts (client) | <= 8 GiB | {peak / GIB:.2f} GiB, {how} | "
                 f"{_verdict(peak, 8 * GIB)} |")
    scaling = scaling_of(row)
    if scaling:
        whole, prove = scaling
        flag = " (under load)" if any(x["loaded"] for x in row["epochs"]) else ""
        lines.append(f"| scaling, 1 -> 2 local workers | >= 1.7x | {whole:.2f}x epoch wall, {prove:.2f}x prove "
                     f"phase{flag} | {_verdict(whole, 1.7, True)} |")
    else:
        lines.append("| scaling, 1 -> 2 local workers | >= 1.7x | not measured (run with --workers 1 2) | - |")
    return lines


def scaling_of(row: dict) -> tuple[float, float] | None:
    by = {x["workers"]: x for x in row["epochs"]}
    if 1 not in by or 2 not in by:
        return None
    one, two = by[1], by[2]
    return one["wall_s"] / two["wall_s"], one["timings"]["prove batches"] / two["timings"]["prove batches"]


def phase_table(report: dict) -> list[str]:
    lines = ["| accounts | tier | workers | phase | wall s | CPU s | core-ms/account |",
             "|---|---|---|---|---|---|---|"]
    for row in report["rows"]:
        n = row["accounts"]
        for e in row["epochs"]:
            head = f"| {n:,} | {row['capacity']} | {e['workers']} |"
            for label, key in CLIENT_PHASES:
                if key in e["timings"]:
                    cpu = e["cpu"][key]
                    lines.append(f"{head} {label} | {e['timings'][key]:.2f} | {cpu:.2f} | {1000 * cpu / n:.1f} |")
            for part in ("witness", "prove"):
                s = e["batch_seconds"][part]
                lines.append(f"{head} {part}, summed over batches (worker wall) | {s:.2f} | - | {1000 * s / n:.1f} |")
        for name, c in row["checks"].items():
            lines.append(f"| {n:,} | {row['capacity']} | - | {name} (fresh process) | {c['wall_s']:.2f} | "
                         f"{c['cpu_s']:.2f} | {1000 * c['cpu_s'] / n:.2f} |")
    return lines


def summary_table(report: dict) -> list[str]:
    lines = ["| accounts | tier | workers | batches | epoch wall s | CPU s | core-s/account | accounts/s | "
             "client peak MiB | worker peak MiB | busy before | under load |", "|---" * 12 + "|"]
    for row in report["rows"]:
        for e in row["epochs"]:
            lines.append(
                f"| {row['accounts']:,} | {row['capacity']} | {e['workers']} | {e['batches']:,} | {e['wall_s']:.1f} | "
                f"{e['cpu_s']:.1f} | {e['core_s_per_account']:.3f} | {e['accounts_per_s']:.1f} | "
                f"{e['peak_mib']:.0f} | {e['worker_peak_mib']:.0f} | {e['load']['busy_on_cores']:.0%} | "
                f"{'**yes**' if e['loaded'] else 'no'} |")
    return lines


def projection(report: dict, cores: int = 32, accounts: int = 10**6) -> list[str]:
    """A 10^6-account epoch on ``cores`` cores, from the largest row's per-account costs."""
    row = max(report["rows"], key=lambda r: r["accounts"])
    e, n = _first(row), row["accounts"]
    t, b = e["timings"], e["batch_seconds"]
    sequential = sum(t.get(k, 0.0) for k in ("read book", "witnesses and totals chain", "tree", "manifest")) / n
    parallel = (b["witness"] + b["prove"]) / n
    verify = row["checks"]["epoch verify"]["wall_s"] / n
    seq_total, par_total = sequential * accounts, parallel * accounts / cores
    return [
        f"From the {n:,}-account row ({row['capacity']} tier, B = {report['options']['batch_size']}):",
        f"- sequential on the client (read, margin calculation, tree, manifest): {1000 * sequential:.2f} ms/account "
        f"x {accounts:,} = {seq_total:,.0f} s",
        f"- batches (witness + prove, worker seconds): {1000 * parallel:.2f} ms/account x {accounts:,} / {cores} cores "
        f"= {par_total:,.0f} s",
        f"- an epoch of {accounts:,} on {cores} cores: about {seq_total + par_total:,.0f} s "
        f"({(seq_total + par_total) / 3600:.1f} h) if the client's work does not overlap the proving, "
        f"{max(seq_total, par_total):,.0f} s if it did; its verification {verify * accounts:,.0f} s on one core",
    ]


def markdown(report: dict) -> str:
    o = report["options"]
    loaded = sum(e["loaded"] for r in report["rows"] for e in r["epochs"])
    epochs = sum(len(r["epochs"]) for r in report["rows"])
    s = report["setup"]
    setup = (f"made in {s['wall_s']:.1f} s ({s['cpu_s']:.1f} CPU s, peak {s['peak_mib']:.0f} MiB)" if s["made"]
             else "already made by an earlier run (cached)")
    lines = [
        "# zkmargin exchange mode at scale (issue 15)",
        "",
        f"Machine: {report['machine']['usable_cores']} usable cores. Tier {o['capacity']} ({o['capacity_label']}, "
        f"model {o['model']}), B = {o['batch_size']}; synthetic book, seed {o['seed']}. The tier's development key "
        f"{setup}: once per tier, not per epoch, so outside the figures below. Workers 0: in the client's process; "
        "N: a local Dask cluster of N one-thread workers. CPU: the epoch child's rusage with every process it reaped.",
        "",
        f"**Load.** {loaded} of {epochs} epochs were taken with the cores more than {o['busy_threshold']:.0%} busy "
        "with other work just before" + (": their times are slower than an idle machine's." if loaded else "."),
        "",
        *([f"**Note.** {report['note']}", ""] if report.get("note") else []),
        "## Epochs", "", *summary_table(report),
        "", "## Targets", "", *targets_table(report)[2:],
        "", "## Beside published figures (theirs, on their hardware)", "",
        "| who | core-s per user | hardware | checks |", "|---|---|---|---|",
        *(f"| {who} | {c:.3g} | {hw} | {what} |" for who, c, hw, what in PEERS),
    ]
    row = _at(report, 10_000)
    lines.append(f"| zkmargin (this run, {row['accounts']:,} accounts, {row['capacity']} tier) | "
                 f"{_first(row)['core_s_per_account']:.3g} | this machine, 2 cores | every account's full margin "
                 "requirement and shortfall, in zero knowledge |")
    lines += ["", "## Where the time goes", "", *phase_table(report),
              "", "## A 10^6-account epoch on 32 cores", "", *projection(report)]
    return "\n".join(lines) + "\n"


def plot(report: dict, path: Path) -> str:
    """Draw core-seconds per account by phase and client peak memory against accounts; return why not."""
    plt = pyplot()
    if plt is None:
        return NO_MATPLOTLIB

    rows = sorted(report["rows"], key=lambda r: r["accounts"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    workers = sorted({e["workers"] for r in rows for e in r["epochs"]})
    for w in workers:
        points = [(r["accounts"], e) for r in rows for e in r["epochs"] if e["workers"] == w]
        x = [a for a, _ in points]
        left.plot(x, [e["core_s_per_account"] for _, e in points], "o-", label=f"end to end, workers {w}")
        right.plot(x, [e["peak_mib"] for _, e in points], "o-", label=f"client, workers {w}")
        hot = [(a, e) for a, e in points if e["loaded"]]
        left.plot([a for a, _ in hot], [e["core_s_per_account"] for _, e in hot], "o", mfc="none", mec="red",
                  markersize=10)
    first = [(r["accounts"], _first(r)) for r in rows]
    for label, key in CLIENT_PHASES:
        left.plot([a for a, _ in first], [e["cpu"].get(key, 0) / a for a, e in first], ".--", label=label[:40])
    for who, c, _, _ in PEERS:
        left.axhline(c, color="grey", linestyle=":", linewidth=1)
        left.annotate(who, (first[0][0], c), fontsize=7, color="grey")
    for axis, unit, title in ((left, "core-seconds per account", "CPU per account (red ring: under load)"),
                              (right, "MiB (VmHWM)", "peak memory of the epoch's client process")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("accounts")
        axis.set_ylabel(unit)
        axis.set_title(title, fontsize=10)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=6)
    fig.suptitle(f"zkmargin exchange mode, {report['options']['capacity']} tier, B = {report['options']['batch_size']}",
                 fontsize=10)
    save_figure(fig, path)
    return ""


if __name__ == "__main__":
    if len(sys.argv) > 2 or sys.argv[1:2] in (["-h"], ["--help"]):
        print("usage: python -m benchmarks.exchange_report [RESULTS_JSON]", file=sys.stderr)
        sys.exit(2)
    source = Path(sys.argv[1] if len(sys.argv) == 2 else Path(__file__).resolve().parent / "results" / "exchange.json")
    try:
        report = json.loads(source.read_text())
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {source}: {exc}", file=sys.stderr)
        sys.exit(2)
    source.with_suffix(".md").write_text(markdown(report))
    why = plot(report, source.with_suffix(".png"))
    print(f"redrawn: {source.with_suffix('.md')}" + (f"; plot left out: {why}" if why else ""))
