"""The zkmargin command line: parse, call the library, print.

Exit codes: 0 success (proof valid), 1 proof checked and invalid, 2 bad input.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path

import click

from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.iden3_files import read_r1cs, write_r1cs, write_wtns
from zkmargin.circuits.margin.case import DEFAULT_CAPACITY, DEFAULT_MODEL, MarginCase, describe_difference, expected_parameters, load_case, parse_threshold
from zkmargin.circuits.margin.circuit import build_margin_circuit
from zkmargin.circuits.margin.inputs import PRESETS
from zkmargin.circuits.margin.risk_arrays import CapacityTooSmall
from zkmargin.prover import DEVELOPMENT_ONLY, Phases, get_engine, prove, read_zkey, setup, write_zkey
from zkmargin.verifier.bundle import KEY, key_fingerprint, load_bundle, write_bundle
from zkmargin.verifier.files import FormatError, write_json
from zkmargin.verifier.statement import CIRCUIT, Capacity

from .output import EXIT_INVALID, EXIT_OK, emit, exit_now, fail, friendly_errors, progress_reporter
from .report import margin_json, margin_lines

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
engine_option = click.option("--engine", "engine_name", default=None, metavar="NAME", help="Arithmetic engine [default: the fastest available].")


def capacity_options(command):
    """--positions/--collateral/--scenarios: the fixed sizes one circuit and key serve."""
    for name, default, what in reversed(
        [
            ("positions", DEFAULT_CAPACITY.positions, "instrument slots (the market's instruments, padded)"),
            ("collateral", DEFAULT_CAPACITY.collateral, "collateral asset slots"),
            ("scenarios", DEFAULT_CAPACITY.scenarios, "scenario slots"),
        ]
    ):
        command = click.option(f"--{name}", type=click.IntRange(1, 1024), default=default, show_default=True, help=f"Circuit capacity: {what}.")(command)
    return command


def case_options(command):
    """The inputs of a margin case; without them, the bundled inter-protocol sample."""
    command = click.option("--threshold", default="1", show_default=True, help="Margin ratio to prove or report: available >= threshold x requirement.")(command)
    command = click.option("--risk-arrays", "risk_arrays", type=click.Path(dir_okay=False, path_type=Path), help="Use published risk arrays as given instead of computing them.")(command)
    command = click.option("--model", default=DEFAULT_MODEL, show_default=True, help=f"Risk model: a preset ({', '.join(PRESETS)}) or a model file.")(command)
    command = click.option("--market", type=click.Path(dir_okay=False, path_type=Path), help="Market snapshot JSON [default: the bundled sample market].")(command)
    command = click.argument("portfolio", required=False, type=click.Path(dir_okay=False, path_type=Path))(command)
    return command


def _capacity(positions: int, collateral: int, scenarios: int) -> Capacity:
    return Capacity(positions, collateral, scenarios)


def _case(portfolio, market, model, risk_arrays, threshold, capacity) -> MarginCase:
    return load_case(portfolio, market, model, capacity, risk_arrays, parse_threshold(threshold))


def _circuit(capacity: Capacity, case: MarginCase | None = None) -> ConstraintSystem:
    api = ConstraintSystem()
    build_margin_circuit(api, capacity, case.witness() if case else None)
    return api


def _engine(name: str | None):
    try:
        return get_engine(name)
    except ValueError as exc:
        raise FormatError(str(exc)) from None


def _key_path(capacity: Capacity) -> Path:
    return Path("keys") / f"{CIRCUIT}-{capacity.label()}.zkey"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zkmargin")
def cli() -> None:
    """Prove in zero knowledge that a portfolio's collateral covers its stress-scenario margin.

    \b
    zkmargin margin            explain a portfolio's requirement and what netting saves
    zkmargin setup             make a (development) proving and verification key
    zkmargin prove             prove a portfolio solvent, writing a proof bundle
    zkmargin verify BUNDLE     check a bundle: digests, public inputs and the proof

    Every command runs on the bundled inter-protocol sample when given no files.
    Proofs are Groth16 over BN254 in snarkjs's formats. Start with `zkmargin demo`.
    """


@cli.command("margin")
@case_options
@capacity_options
@json_option
@friendly_errors
def margin_cmd(portfolio, market, model, risk_arrays, threshold, positions, collateral, scenarios, as_json) -> None:
    """Per-scenario losses, requirement, collateral after haircuts and the netting benefit.

    PORTFOLIO is a portfolio JSON file (default: the bundled sample). Exit code 0 when the
    portfolio meets the requirement at the threshold, 1 when it falls short.
    """
    case = _case(portfolio, market, model, risk_arrays, threshold, _capacity(positions, collateral, scenarios))
    emit(as_json, margin_json(case), margin_lines(case))
    if not case.result.solvent:
        raise SystemExit(EXIT_INVALID)


@cli.command("setup")
@capacity_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("keys"), show_default=True, help="Folder for the proving and verification keys.")
@engine_option
@json_option
@friendly_errors
def setup_cmd(positions, collateral, scenarios, out_dir: Path, engine_name, as_json: bool) -> None:
    """Make a proving key (.zkey) and verification key for one circuit capacity.

    Development only: one party generates and sees the trapdoor, so it could forge proofs
    for this key. Use it for development and testing, not to convince anyone else.
    """
    capacity = _capacity(positions, collateral, scenarios)
    engine = _engine(engine_name)
    r1cs = _circuit(capacity).compile()
    phases = Phases(progress_reporter(as_json, "setup"))
    pk = setup(r1cs, engine, phases)
    zkey_path = out_dir / f"{CIRCUIT}-{capacity.label()}.zkey"
    vk = pk.verifying_key()
    write_zkey(pk, zkey_path)
    write_json(out_dir / KEY, vk.to_json())
    emit(
        as_json,
        {"capacity": capacity.__dict__, "zkey": str(zkey_path), "verification_key": str(out_dir / KEY), "key_fingerprint": key_fingerprint(vk),
         "constraints": r1cs.n_constraints, "development_only": True, "seconds": round(sum(phases.timings.values()), 3)},
        [
            f"warning: {DEVELOPMENT_ONLY}",
            f"circuit {CIRCUIT} {capacity.label()} (positions x collateral x scenarios): {r1cs.n_constraints} constraints",
            f"proving key       {zkey_path}",
            f"verification key  {out_dir / KEY}  (fingerprint {key_fingerprint(vk)})",
        ],
    )


@cli.command("prove")
@case_options
@capacity_options
@click.option("--zkey", "zkey_path", type=click.Path(dir_okay=False, path_type=Path), help="Proving key from `zkmargin setup` [default: keys/portfolio-margin-PxCxS.zkey].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("bundle"), show_default=True, help="Folder for the proof bundle (public: publish it).")
@click.option("--opening", "opening_path", type=click.Path(dir_okay=False, path_type=Path), help="Where to keep the commitment opening (private!) [default: OUT-opening.json beside the bundle].")
@engine_option
@json_option
@friendly_errors
def prove_cmd(portfolio, market, model, risk_arrays, threshold, positions, collateral, scenarios, zkey_path, out_dir: Path, opening_path, engine_name, as_json) -> None:
    """Prove that a portfolio meets its margin requirement, revealing only a commitment.

    Writes a bundle (proof.json, public.json, verification_key.json, statement.json) and,
    separately, the private opening of the commitment (quantities, balances, salt). An
    insolvent portfolio is refused before any proof is attempted.
    """
    capacity = _capacity(positions, collateral, scenarios)
    engine = _engine(engine_name)
    case = _case(portfolio, market, model, risk_arrays, threshold, capacity)
    case.require_solvent()
    zkey_path = zkey_path or _key_path(capacity)
    if not zkey_path.is_file():
        raise FormatError(f"{zkey_path}: proving key not found (run `zkmargin setup` with the same capacity first)")
    pk = read_zkey(zkey_path)
    api = _circuit(capacity, case)
    r1cs, witness = api.compile(), api.witness()
    pk.check_matches(r1cs)
    phases = Phases(progress_reporter(as_json, "prove"))
    with phases.phase("load compiled engine"):
        engine.load()
    proof, public = prove(pk, witness, engine, r1cs, phases)
    vk = pk.verifying_key()
    statement = case.statement()
    write_bundle(out_dir, vk, proof, public, statement.to_json(key_fingerprint(vk)))
    opening_path = opening_path or out_dir.with_name(out_dir.name + "-opening.json")
    write_json(opening_path, _opening(case))
    seconds = sum(phases.timings.values())
    emit(
        as_json,
        {"bundle": str(out_dir), "opening": str(opening_path), "commitment": str(statement.commitment), "epoch": statement.epoch,
         "parameters_digest": str(statement.parameters_digest), "seconds": round(seconds, 3), "timings": {k: round(v, 4) for k, v in phases.timings.items()}},
        [
            f"proved in {seconds:.1f} s: {statement.describe()}",
            f"bundle written to {out_dir}/ (publish it)",
            f"commitment opening written to {opening_path} (keep it private: it reveals the positions)",
        ],
    )


def _opening(case: MarginCase) -> dict:
    scale = case.model.scale
    return {
        "warning": "PRIVATE: this opens the portfolio commitment and reveals every position",
        "account": case.portfolio.account,
        "commitment": str(case.fixed.commitment()),
        "salt": str(case.fixed.salt),
        "scale": scale,
        "quantities": {i: str(q) for i, q in zip(case.parameters.instruments, case.fixed.quantities) if i},
        "collateral": {a: str(v) for a, v in zip(case.parameters.collateral_assets, case.fixed.amounts) if a},
    }


@cli.command("verify")
@click.argument("bundle", required=False, type=click.Path(path_type=Path))
@click.option("--vk", "key_path", type=click.Path(dir_okay=False, path_type=Path), help="verification_key.json (overrides the bundle's; use the one the prover published).")
@click.option("--proof", "proof_path", type=click.Path(dir_okay=False, path_type=Path), help="proof.json (overrides the bundle's).")
@click.option("--public", "public_path", type=click.Path(dir_okay=False, path_type=Path), help="public.json (overrides the bundle's).")
@click.option("--market", type=click.Path(dir_okay=False, path_type=Path), help="Also check the published risk arrays against this market snapshot ...")
@click.option("--model", default=None, help=f"... under this risk model (a preset: {', '.join(PRESETS)}, or a file).")
@click.option("--risk-arrays", "risk_arrays", type=click.Path(dir_okay=False, path_type=Path), help="... or against these published risk arrays.")
@json_option
@friendly_errors
def verify_cmd(bundle, key_path, proof_path, public_path, market, model, risk_arrays, as_json) -> None:
    """Check a proof bundle folder (or snarkjs files given with --vk, --proof, --public).

    For a portfolio-margin bundle this recomputes the parameter digest from statement.json
    and requires the proof's public inputs to match it. With --market and --model it also
    recomputes the risk arrays and requires them to be the published ones.

    Exit code 0 when valid, 1 when not, 2 when the files are unusable. Compare the printed
    key fingerprint with the one the prover published: a proof is only as good as its key.
    """
    loaded = load_bundle(bundle, proof=proof_path, public=public_path, key=key_path)
    verdict = loaded.check()
    notes = []
    if verdict.valid and (market or risk_arrays):
        if verdict.statement is None:
            raise FormatError("--market/--risk-arrays apply to portfolio-margin bundles only")
        if not market:
            raise FormatError("--risk-arrays needs --market too (for collateral prices and instrument venues)")
        try:
            expected, epoch = expected_parameters(market, model or DEFAULT_MODEL, verdict.statement.capacity, risk_arrays)
            difference = describe_difference(verdict.statement.parameters, expected)
        except CapacityTooSmall as exc:
            expected, epoch, difference = None, verdict.statement.epoch, str(exc)
        if epoch != verdict.statement.epoch:
            difference = f"the market snapshot's epoch is {epoch}, the statement's {verdict.statement.epoch}"
        if difference:
            verdict = type(verdict)(False, f"the published parameters are not those of {market} under {model or DEFAULT_MODEL}: {difference}", verdict.statement)
        else:
            notes.append(f"risk arrays, prices and haircuts match {market} under {risk_arrays or model or DEFAULT_MODEL}")
    fingerprint = key_fingerprint(loaded.vk)
    emit(
        as_json,
        {"valid": verdict.valid, "reason": verdict.reason, "key_fingerprint": fingerprint, "public": [str(v) for v in loaded.public], "notes": notes},
        [f"proof is {'VALID' if verdict.valid else 'INVALID'} (verification key fingerprint {fingerprint})"]
        + ([f"proven: {verdict.reason}"] if verdict.valid and verdict.reason else [])
        + ([f"reason: {verdict.reason}"] if not verdict.valid else [])
        + notes,
    )
    if not verdict.valid:
        raise SystemExit(EXIT_INVALID)


@cli.command("inspect")
@capacity_options
@click.option("--r1cs", "r1cs_path", type=click.Path(dir_okay=False, path_type=Path), help="Inspect an .r1cs file instead (for example one circom wrote).")
@json_option
@friendly_errors
def inspect_cmd(positions, collateral, scenarios, r1cs_path, as_json) -> None:
    """Constraints, wires and public inputs of the circuit at a capacity, and where the constraints go."""
    if r1cs_path:
        r1cs = read_r1cs(r1cs_path)
        stats = r1cs.stats()
        emit(as_json, {"r1cs": str(r1cs_path), **stats}, [str(r1cs_path)] + [f"  {k.replace('_', ' '):16} {v}" for k, v in stats.items()])
        return
    capacity = _capacity(positions, collateral, scenarios)
    r1cs = _circuit(capacity).compile()
    stats = r1cs.stats()
    parts = Counter(c.label.split("/")[0].split("[")[0] for c in r1cs.constraints)
    emit(
        as_json,
        {"circuit": CIRCUIT, "capacity": capacity.__dict__, **stats, "constraints_by_part": dict(parts)},
        [f"{CIRCUIT} {capacity.label()} (positions x collateral x scenarios)"]
        + [f"  {k.replace('_', ' '):16} {v}" for k, v in stats.items()]
        + ["  constraints by part:"]
        + [f"    {name:22} {count}" for name, count in parts.most_common()],
    )


@cli.command("export-r1cs")
@capacity_options
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Where to write the .r1cs file.")
@friendly_errors
def export_r1cs_cmd(positions, collateral, scenarios, out_path: Path) -> None:
    """Write the circuit as an iden3 .r1cs file (readable by `snarkjs r1cs info`)."""
    r1cs = _circuit(_capacity(positions, collateral, scenarios)).compile()
    write_r1cs(r1cs, out_path)
    click.echo(f"wrote {out_path} ({r1cs.n_constraints} constraints, {r1cs.n_wires} wires)")


@cli.command("export-wtns")
@case_options
@capacity_options
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Where to write the .wtns file.")
@friendly_errors
def export_wtns_cmd(portfolio, market, model, risk_arrays, threshold, positions, collateral, scenarios, out_path: Path) -> None:
    """Compute the witness of a portfolio and write it as an iden3 .wtns file (for `snarkjs groth16 prove`)."""
    capacity = _capacity(positions, collateral, scenarios)
    case = _case(portfolio, market, model, risk_arrays, threshold, capacity)
    case.require_solvent()
    api = _circuit(capacity, case)
    r1cs, witness = api.compile(), api.witness()
    r1cs.check(witness)
    write_wtns(witness, out_path)
    click.echo(f"wrote {out_path} ({len(witness)} values)")


@cli.command("demo")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Keep the keys and bundle here [default: a temporary folder].")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help=f"Risk model preset ({', '.join(PRESETS)}).")
@engine_option
@json_option
@friendly_errors
def demo_cmd(workdir: Path | None, model: str, engine_name: str | None, as_json: bool) -> None:
    """The bundled inter-protocol portfolio: its margin and netting benefit, then setup, prove and verify."""
    engine = _engine(engine_name)
    capacity = DEFAULT_CAPACITY
    say = (lambda line: None) if as_json else click.echo
    case = load_case(model=model, capacity=capacity)
    say("zkmargin demo: ETH and BTC options on deribit, perpetuals on hyperliquid, lending and spot on aave\n")
    for line in margin_lines(case):
        say(line)
    case.require_solvent()
    with tempfile.TemporaryDirectory(prefix="zkmargin-demo-") as tmp:
        folder = workdir or Path(tmp)
        api = _circuit(capacity, case)
        r1cs, witness = api.compile(), api.witness()
        say(f"\n1/3 setup: {r1cs.n_constraints} constraints ({DEVELOPMENT_ONLY})")
        started = time.perf_counter()
        pk = setup(r1cs, engine, Phases(progress_reporter(as_json, "setup")))
        write_zkey(pk, folder / f"{CIRCUIT}-{capacity.label()}.zkey")
        setup_seconds = time.perf_counter() - started
        say("2/3 prove")
        started = time.perf_counter()
        proof, public = prove(pk, witness, engine, r1cs, Phases(progress_reporter(as_json, "prove")))
        vk = pk.verifying_key()
        write_bundle(folder / "bundle", vk, proof, public, case.statement().to_json(key_fingerprint(vk)))
        prove_seconds = time.perf_counter() - started
        say("3/3 verify the bundle from disk, as a user would")
        started = time.perf_counter()
        verdict = load_bundle(folder / "bundle").check()
        verify_seconds = time.perf_counter() - started
        emit(
            as_json,
            {"valid": verdict.valid, "statement": verdict.reason, "engine": engine.name, "constraints": r1cs.n_constraints,
             "margin": margin_json(case),
             "seconds": {"setup": round(setup_seconds, 2), "prove": round(prove_seconds, 2), "verify": round(verify_seconds, 2)},
             "workdir": str(workdir) if workdir else None},
            [
                f"\nproof is {'VALID' if verdict.valid else 'INVALID'}: {verdict.reason}",
                f"setup {setup_seconds:.1f} s, prove {prove_seconds:.1f} s, verify {verify_seconds:.1f} s (engine: {engine.name})",
            ]
            + ([f"keys and bundle kept in {workdir}/"] if workdir else []),
        )
    if not verdict.valid:
        fail("the demo proof did not verify", EXIT_INVALID)


def main() -> None:
    """The console script: click's standalone mode always ends in SystemExit."""
    try:
        cli(prog_name="zkmargin")
    except SystemExit as stop:
        exit_now(stop.code)
    exit_now(EXIT_OK)


from .ceremony import ceremony  # noqa: E402  (imported last: it reuses the options defined above)

cli.add_command(ceremony)
