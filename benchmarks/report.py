"""The benchmark's report: one markdown table of every prover side by side, and one plot.

Both read only the JSON report that prove_vs_peers writes, so they can be redrawn from
results.json without proving again:

    python -m benchmarks.report [RESULTS_DIR]      # default benchmarks/results
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

TARGETS = {"dense": 0.5, "range": 0.25}  # zkmargin / snarkjs prove wall time, at 2^16
MSM_TARGET_SECONDS = 0.3  # G1 MSM, 2^16 random scalars, one core
SETUP_TARGET_SECONDS = 30.0  # development setup at 2^16
COLOURS = {"zkmargin": "tab:blue", "snarkjs": "tab:orange", "rapidsnark": "tab:green", "groth16py": "tab:purple"}
MODE_LABEL = {"one-core": "one core", "all-core": "all cores"}
#: Issue 17's targets against the native peers, one core, fresh process: (peer, shape or None for
#: every shape, domain power or None for every size, at most zkmargin's time / the peer's).
PEER_TARGETS = [
    ("rapidsnark", "range", 16, 1.0),
    ("rapidsnark", "range", 18, 0.8),
    ("rapidsnark", "dense", 16, 0.7),
    ("rapidsnark", "dense", 18, 0.7),
    ("groth16py", None, None, 0.8),
]
PEAK_TARGET = ("rapidsnark", 18, 1.5)  # peak memory at 2^18, at most this times rapidsnark's
TWO_CORE_TARGET = ("dense", 18, 1.7)  # all cores at least this much faster than one, idle machine


def _names(report: dict) -> list[str]:
    return list(report["provers"])


def _cell(prover: dict, ratio: float | None) -> str:
    text = f"{prover['wall_s']:.2f} s / {prover['peak_mib']:.0f} MiB"
    return text + (f" ({ratio:.2f})" if ratio is not None else "")


def _main_mode(report: dict) -> str:
    """The mode the targets are judged in: all cores where measured, as the targets were set."""
    modes = report["options"]["modes"]
    return "all-core" if "all-core" in modes else modes[0]


def prove_table(report: dict) -> list[str]:
    names = _names(report)
    lines = [
        "| shape | domain | cores | "
        + " | ".join(names)
        + " | busy before (median / max) | load avg (max) | under load |",
        "|---|---|---|" + "---|" * len(names) + "---|---|---|",
    ]
    for r in report["results"]:
        for mode, m in r["modes"].items():
            cells = [_cell(m["provers"][n], m["ratio"].get(n)) for n in names]
            busy = [run["load"]["busy_on_cores"] for p in m["provers"].values() for run in p["runs"]]
            flag = "**yes**" if m["loaded"] else "no"
            lines.append(
                f"| {r['shape']} | 2^{r['power']} | {MODE_LABEL[mode]} | "
                + " | ".join(cells)
                + f" | {statistics.median(busy):.0%} / {max(busy):.0%} | {m['loadavg_1min_max']:.2f} | {flag} |"
            )
    return lines


def warm_table(report: dict) -> list[str]:
    rows = [r for r in report["results"] if r.get("warm_prove_s")]
    if not rows:
        return []
    names = list(rows[0]["warm_prove_s"]["provers"])
    lines = [
        "| shape | domain | " + " | ".join(names) + " | under load |",
        "|---|---|" + "---|" * len(names) + "---|",
    ]
    for r in rows:
        w = r["warm_prove_s"]
        cells = [
            f"{w['provers'][n]['median_s']:.2f}" + (f" ({w['ratio'][n]:.2f})" if n in w["ratio"] else "") for n in names
        ]
        lines.append(
            f"| {r['shape']} | 2^{r['power']} | " + " | ".join(cells) + f" | {'**yes**' if w['loaded'] else 'no'} |"
        )
    return lines


def _target_row(measure: str, target: str, measured: str, met: bool) -> str:
    return f"| {measure} | {target} | {measured} | {'yes' if met else 'no'} |"


def targets(report: dict) -> list[str]:
    results, micro, mode = report["results"], report["micro"], _main_mode(report)
    lines = [f"| measure ({MODE_LABEL[mode]}) | target | measured | met |", "|---|---|---|---|"]
    for shape, target in TARGETS.items():
        for r in (r for r in results if r["shape"] == shape and r["power"] == 16):
            ratio = r["modes"][mode]["ratio"]["snarkjs"]
            lines.append(
                _target_row(f"prove, {shape}, 2^16", f"<= {target} x snarkjs", f"{ratio:.2f} x", ratio <= target)
            )
            warm = r.get("warm_prove_s")
            if warm:
                ratio = warm["ratio"]["snarkjs"]
                measure = "(same, warm: one process proving in turn)"
                lines.append(_target_row(measure, f"<= {target} x snarkjs warm", f"{ratio:.2f} x", ratio <= target))
    if "g1_msm_random_1core_s" in micro and micro.get("points") == 1 << 16:
        t = micro["g1_msm_random_1core_s"]
        target = f"<= {MSM_TARGET_SECONDS} s"
        lines.append(_target_row("G1 MSM, 2^16 random, one core", target, f"{t:.3f} s", t <= MSM_TARGET_SECONDS))
    for r in (r for r in results if r["power"] == 16):
        t = r["setup_s"]["zkmargin"]
        measure, target = f"development setup, {r['shape']}, 2^16", f"<= {SETUP_TARGET_SECONDS:.0f} s"
        lines.append(_target_row(measure, target, f"{t:.1f} s", t <= SETUP_TARGET_SECONDS))
    peaks = [r["modes"][mode]["provers"] for r in results]
    fine = sum(p["zkmargin"]["peak_mib"] <= p["snarkjs"]["peak_mib"] for p in peaks)
    measured = f"{fine}/{len(peaks)} sizes"
    lines.append(_target_row("peak memory, proving", "<= snarkjs at every size", measured, fine == len(peaks)))
    return lines


def _off(measured: float, target: float, at_most: bool) -> str:
    """'yes', or how far off: the factor by which the measure must still improve."""
    met = measured <= target if at_most else measured >= target
    return "yes" if met else f"no: {measured / target if at_most else target / measured:.2f}x off"


def peer_targets(report: dict) -> list[str]:
    """Issue 17's targets, each met or exactly how far off; a target whose peer or size was not
    measured says so (rapidsnark needs its binary, 2^18 needs --sizes 18)."""
    results, lines = report["results"], ["| measure | target | measured | met |", "|---|---|---|---|"]

    def rows(shape, power):
        return [r for r in results if shape in (None, r["shape"]) and power in (None, r["power"])]

    for peer, shape, power, target in PEER_TARGETS:
        found = [r for r in rows(shape, power) if peer in r["modes"].get("one-core", {}).get("ratio", {})]
        where = f"{shape or 'every shape'}, {f'2^{power}' if power else 'every size'}, one core"
        if not found:
            lines.append(f"| prove, {where} | <= {target} x {peer} | not measured | - |")
        for r in found:
            m = r["modes"]["one-core"]
            ratio, flag = m["ratio"][peer], " (under load)" if m["loaded"] else ""
            measure = f"prove, {r['shape']}, 2^{r['power']}, one core"
            lines.append(f"| {measure} | <= {target} x {peer} | {ratio:.2f} x{flag} | {_off(ratio, target, True)} |")
    peer, power, target = PEAK_TARGET
    for r in rows(None, power) or [None]:
        if r is None or peer not in r["modes"].get("one-core", {}).get("provers", {}):
            lines.append(f"| peak memory, 2^{power} | <= {target} x {peer} | not measured | - |")
            continue
        provers = r["modes"]["one-core"]["provers"]
        ratio = provers["zkmargin"]["peak_mib"] / provers[peer]["peak_mib"]
        measure = f"peak memory, {r['shape']}, 2^{power}"
        lines.append(f"| {measure} | <= {target} x {peer} | {ratio:.2f} x | {_off(ratio, target, True)} |")
    shape, power, target = TWO_CORE_TARGET
    both = [r for r in rows(shape, power) if {"one-core", "all-core"} <= set(r["modes"])]
    if not both:
        lines.append(f"| two cores vs one, {shape} 2^{power} | >= {target} x faster | not measured | - |")
    for r in both:
        one, two = (r["modes"][k]["provers"]["zkmargin"]["wall_s"] for k in ("one-core", "all-core"))
        flag = " (under load: judge on an idle machine)" if r["modes"]["all-core"]["loaded"] else ""
        lines.append(f"| two cores vs one, {shape} 2^{power} | >= {target} x faster | {one / two:.2f} x{flag} | "
                     f"{_off(one / two, target, False)} |")  # fmt: skip
    return lines


def profile_lines(report: dict) -> list[str]:
    largest: dict[str, dict] = {}
    for r in report["results"]:
        if r["power"] >= largest.get(r["shape"], {"power": -1})["power"]:
            largest[r["shape"]] = r
    lines = []
    for shape, r in largest.items():
        prof = r["zkmargin_profile_s"]
        phases = ", ".join(f"{k} {v:.2f}" for k, v in prof["phases"].items())
        lines.append(
            f"- {shape} 2^{r['power']}: wall {prof['wall']:.2f} = interpreter, first imports and exit "
            f"{prof['wall'] - prof['in_process']:.2f} + {phases}"
        )
        if "phase_cpu_s" in prof:  # CPU time stays meaningful under load; each phase's own peak memory
            own = ", ".join(
                f"{k} {prof['phase_cpu_s'][k]:.2f} s / {prof['phase_peak_mib'][k]:.0f} MiB" for k in prof["phases"]
            )
            lines.append(f"  - CPU seconds / peak MiB per phase: {own}")
    return lines


def markdown(report: dict) -> str:
    opts = report["options"]
    provers = ", ".join(f"{n} ({v})" for n, v in report["provers"].items())
    rows = [m for r in report["results"] for m in r["modes"].values()]
    loaded = sum(m["loaded"] for m in rows)
    one_core = report["machine"]["modes"].get("one-core", ["-"])[0]
    lines = [
        "# zkmargin vs peers: Groth16 prove on BN254",
        "",
        f"Machine: {report['machine']['cpus']} cores; one core = `taskset -c {one_core}`. Provers: {provers}.",
    ]
    lines += [f"Left out: **{n}**, {why}." for n, why in report["absent"].items()]
    lines += [
        "",
        (
            "Same .zkey (made by snarkjs from a zkmargin development .ptau) and .wtns for every prover; each proof "
            "a fresh process, as `snarkjs groth16 prove` on the command line (start-up, reading the key, writing the "
            f"proof included), after one untimed run of each; {opts['runs']} run(s) per prover and mode, in rotating "
            "order; median wall seconds / maximum peak resident MiB; in brackets zkmargin's time divided by the "
            "peer's (below 1: zkmargin is faster). snarkjs verified every proof before its time was kept."
        ),
        "",
        (
            f"**Load.** Before each timed proof the benchmark sleeps {opts['load_window']} s and reads how busy the "
            "cores the proof may use were meanwhile (other people's work: the benchmark itself is idle then), and the "
            "1-minute load average (which also counts the benchmark's own recent proofs). A row is flagged under load "
            f"when any of its runs found its cores more than {opts['busy_threshold']:.0%} busy. **{loaded} of "
            f"{len(rows)} rows were taken under load**"
            + (": their times are slower than an idle machine's." if loaded else ".")
        ),
        "",
        "## Prove, fresh process",
        "",
        *prove_table(report),
    ]
    warm = warm_table(report)
    if warm:
        title = "## Warm: one process holds the key and proves in turn (all cores, median seconds per proof)"
        lines += ["", title, "", "rapidsnark has no such mode.", "", *warm]
    lines += [
        "",
        "## Setup",
        "",
        "| shape | domain | constraints | snarkjs setup (s) | zkmargin setup (s) |",
        "|---|---|---|---|---|",
    ]
    for r in report["results"]:
        setup = r["setup_s"]
        lines.append(
            f"| {r['shape']} | 2^{r['power']} | {r['constraints']} | {setup['snarkjs']:.1f} | {setup['zkmargin']:.1f} |"
        )
    lines += ["", "## Targets", "", *targets(report)]
    lines += ["", "## Targets against the native peers (issue 17)", "", *peer_targets(report)]
    micro = report["micro"]
    if micro:
        lines += ["", f"## Engine kernels (in-process, 2^{micro['points'].bit_length() - 1} points)", ""]
        lines += [f"- {k}: {v:.3f}" for k, v in micro.items() if k != "points"]
    lines += [
        "",
        "## Where zkmargin's prove time goes (largest size of each shape, seconds)",
        "",
        *profile_lines(report),
    ]
    return "\n".join(lines) + "\n"


def plot(report: dict, path: Path) -> str:
    """Draw prove.png; return why not ('' when drawn). Medians taken under load are ringed in red."""
    plt = pyplot()
    if plt is None:
        return NO_MATPLOTLIB

    modes, main = report["options"]["modes"], _main_mode(report)
    panels = [(f"prove, fresh process, {MODE_LABEL[m]}", "seconds", m, "wall_s") for m in modes]
    panels.append((f"peak memory, fresh process, {MODE_LABEL[main]}", "MiB", main, "peak_mib"))
    if any(r.get("warm_prove_s") for r in report["results"]):
        panels.append(("warm process, all cores, per proof", "seconds", "warm", "median_s"))
    rows = (len(panels) + 1) // 2
    fig, axes = plt.subplots(rows, 2, figsize=(12, 4.4 * rows), squeeze=False)
    for axis in axes.flat[len(panels) :]:
        axis.set_visible(False)
    for axis, (title, unit, mode, key) in zip(axes.flat, panels, strict=False):
        for shape, style in zip(("dense", "range"), ("-", "--"), strict=True):
            rows = sorted((r for r in report["results"] if r["shape"] == shape), key=lambda r: r["power"])
            for name in _names(report):
                points = []
                for r in rows:
                    block = r.get("warm_prove_s") if mode == "warm" else r["modes"][mode]
                    if block and name in block["provers"]:
                        entry = block["provers"][name]
                        points.append(
                            (
                                2 ** r["power"],
                                entry[key],
                                entry["load"]["loaded"] if mode == "warm" else entry["loaded"],
                            )
                        )
                if not points:
                    continue
                x, y, hot = zip(*points, strict=True)
                axis.plot(x, y, "o" + style, color=COLOURS.get(name, "black"), markersize=4, label=f"{name}, {shape}")
                axis.plot(
                    [a for a, h in zip(x, hot, strict=True) if h],
                    [b for b, h in zip(y, hot, strict=True) if h],
                    "o",
                    mfc="none",
                    mec="red",
                    markersize=9,
                )
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")
        axis.set_xlabel("domain size (constraints)")
        axis.set_ylabel(unit)
        axis.set_title(title, fontsize=10)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
    fig.suptitle("zkmargin vs peers (red ring: median taken under load)", fontsize=10)
    save_figure(fig, path)
    return ""


NO_MATPLOTLIB = "matplotlib is not installed (pip install -e '.[bench]')"


def pyplot():
    """matplotlib's pyplot, drawing to files (no screen needed), or None where not installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: Path) -> None:
    """Lay out, write all-or-nothing (a temporary file, then rename) and close a matplotlib figure."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    partial = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(partial, dpi=110)
    plt.close(fig)
    os.replace(partial, path)


if __name__ == "__main__":
    if len(sys.argv) > 2 or sys.argv[1:2] in (["-h"], ["--help"]):
        print("usage: python -m benchmarks.report [RESULTS_DIR]  (redraws results.md and prove.png)", file=sys.stderr)
        sys.exit(2)
    folder = Path(sys.argv[1] if len(sys.argv) == 2 else Path(__file__).resolve().parent / "results")
    try:
        report = json.loads((folder / "results.json").read_text())
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {folder / 'results.json'}: {exc}", file=sys.stderr)
        sys.exit(2)
    (folder / "results.md").write_text(markdown(report))
    why = plot(report, folder / "prove.png")
    print(f"redrawn: {folder / 'results.md'}" + (f"; plot left out: {why}" if why else f", {folder / 'prove.png'}"))
