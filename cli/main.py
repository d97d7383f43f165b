"""The zkmargin command line: parse, call the library, print.

Exit codes: 0 success (proof valid), 1 proof checked and invalid, 2 bad input.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from zkmargin.circuits import catalog
from zkmargin.circuits.iden3_files import read_r1cs, write_r1cs, write_wtns
from zkmargin.prover import DEVELOPMENT_ONLY, Phases, get_engine, prove, read_zkey, setup, write_zkey
from zkmargin.verifier.bundle import KEY, Bundle, key_fingerprint, load_bundle, write_bundle
from zkmargin.verifier.files import FormatError, read_json, write_json

from .output import EXIT_INVALID, emit, fail, friendly_errors, progress_reporter

DEFAULT_CIRCUIT = "solvency-basic"

circuit_option = click.option(
    "--circuit", "circuit_name", default=DEFAULT_CIRCUIT, show_default=True, metavar="NAME",
    help="Which zkmargin circuit (see `zkmargin inspect --list`).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
engine_option = click.option(
    "--engine", "engine_name", default=None, metavar="NAME",
    help="Arithmetic engine (default: the fastest available).",
)


def _input_for(spec: catalog.CircuitSpec, input_path: Path | None) -> tuple[object, str]:
    if input_path is None:
        return spec.parse_input(spec.sample_input(), f"bundled sample {spec.sample}"), f"bundled sample {spec.sample}"
    return spec.parse_input(read_json(input_path), str(input_path)), str(input_path)


def _engine(name: str | None):
    try:
        return get_engine(name)
    except ValueError as exc:
        raise FormatError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zkmargin")
def cli() -> None:
    """Prove in zero knowledge that collateral covers a margin requirement, and check such proofs.

    Proofs are Groth16 over BN254 in snarkjs's formats: `snarkjs groth16 verify`
    accepts zkmargin proofs and `zkmargin verify` accepts snarkjs proofs.

    Start with `zkmargin demo`.
    """


@cli.command("setup")
@circuit_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("keys"), show_default=True, help="Folder for the proving and verification keys.")
@engine_option
@json_option
@friendly_errors
def setup_cmd(circuit_name: str, out_dir: Path, engine_name: str | None, as_json: bool) -> None:
    """Generate a proving key (.zkey) and verification key for a circuit (development only).

    One party generates and sees the trapdoor, so it could forge proofs: use these keys
    for development and testing, not to convince anyone else.
    """
    spec = catalog.get(circuit_name)
    engine = _engine(engine_name)
    r1cs = spec.compile()
    phases = Phases(progress_reporter(as_json, "setup"))
    pk = setup(r1cs, engine, phases)
    zkey_path = out_dir / f"{spec.name}.zkey"
    vk_path = out_dir / KEY
    write_zkey(pk, zkey_path)
    vk = pk.verifying_key()
    write_json(vk_path, vk.to_json())
    emit(
        as_json,
        {"circuit": spec.name, "zkey": str(zkey_path), "verification_key": str(vk_path),
         "key_fingerprint": key_fingerprint(vk), "constraints": r1cs.n_constraints,
         "development_only": True, "seconds": round(sum(phases.timings.values()), 3)},
        [
            f"warning: {DEVELOPMENT_ONLY}",
            f"circuit {spec.name}: {r1cs.n_constraints} constraints",
            f"proving key       {zkey_path}",
            f"verification key  {vk_path}  (fingerprint {key_fingerprint(vk)})",
        ],
    )


@cli.command("prove")
@circuit_option
@click.option("--zkey", "zkey_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Proving key from `zkmargin setup` [default: keys/CIRCUIT.zkey].")
@click.option("--input", "input_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Circuit input JSON [default: the circuit's bundled sample].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("bundle"), show_default=True, help="Folder to write the proof bundle to.")
@engine_option
@json_option
@friendly_errors
def prove_cmd(circuit_name: str, zkey_path: Path | None, input_path: Path | None, out_dir: Path, engine_name: str | None, as_json: bool) -> None:
    """Prove a circuit input and write a bundle: proof.json, public.json, verification_key.json, statement.json.

    An input that does not satisfy the circuit is refused before any cryptography, with
    the first failing constraint named.
    """
    spec = catalog.get(circuit_name)
    engine = _engine(engine_name)
    inputs, source = _input_for(spec, input_path)
    zkey_path = zkey_path or Path("keys") / f"{spec.name}.zkey"
    if not zkey_path.is_file():
        raise FormatError(f"{zkey_path}: proving key not found (run `zkmargin setup --circuit {spec.name}` first)")
    api = spec.constraint_system(inputs)
    r1cs, witness = api.compile(), api.witness()
    pk = read_zkey(zkey_path)
    pk.check_matches(r1cs)
    phases = Phases(progress_reporter(as_json, "prove"))
    proof, public = prove(pk, witness, engine, r1cs, phases)
    vk = pk.verifying_key()
    statement = {"format": 1, "circuit": spec.name, "key_fingerprint": key_fingerprint(vk)}
    write_bundle(out_dir, vk, proof, public, statement)
    emit(
        as_json,
        {"bundle": str(out_dir), "circuit": spec.name, "input": source, "public": [str(v) for v in public],
         "seconds": round(sum(phases.timings.values()), 3), "timings": {k: round(v, 4) for k, v in phases.timings.items()}},
        [f"proved {spec.name} for {source} in {sum(phases.timings.values()):.1f} s", f"bundle written to {out_dir}/"],
    )


@cli.command("verify")
@click.argument("bundle", required=False, type=click.Path(path_type=Path))
@click.option("--vk", "key_path", type=click.Path(dir_okay=False, path_type=Path), help="verification_key.json (overrides the bundle's).")
@click.option("--proof", "proof_path", type=click.Path(dir_okay=False, path_type=Path), help="proof.json (overrides the bundle's).")
@click.option("--public", "public_path", type=click.Path(dir_okay=False, path_type=Path), help="public.json (overrides the bundle's).")
@json_option
@friendly_errors
def verify_cmd(bundle: Path | None, key_path: Path | None, proof_path: Path | None, public_path: Path | None, as_json: bool) -> None:
    """Check a proof bundle folder, or snarkjs files given with --vk, --proof and --public.

    Exit code 0 when the proof is valid, 1 when it is not, 2 when the files are unusable.
    Compare the printed key fingerprint with the one the prover published: a proof is
    only as good as the key it verifies against.
    """
    loaded: Bundle = load_bundle(bundle, proof=proof_path, public=public_path, key=key_path)
    valid = loaded.verify()
    circuit_name = loaded.statement.get("circuit")
    meaning = None
    if valid and isinstance(circuit_name, str) and circuit_name in catalog.names():
        meaning = catalog.get(circuit_name).describe(list(loaded.public))
    fingerprint = key_fingerprint(loaded.vk)
    emit(
        as_json,
        {"valid": valid, "circuit": circuit_name, "key_fingerprint": fingerprint, "public": [str(v) for v in loaded.public], "statement": meaning},
        [f"proof is {'VALID' if valid else 'INVALID'} (verification key fingerprint {fingerprint})"]
        + ([f"proven: {meaning}"] if meaning else []),
    )
    if not valid:
        raise SystemExit(EXIT_INVALID)


@cli.command("inspect")
@circuit_option
@click.option("--r1cs", "r1cs_path", type=click.Path(dir_okay=False, path_type=Path), help="Inspect an .r1cs file instead (for example one circom wrote).")
@click.option("--list", "list_circuits", is_flag=True, help="List the available circuits.")
@json_option
@friendly_errors
def inspect_cmd(circuit_name: str, r1cs_path: Path | None, list_circuits: bool, as_json: bool) -> None:
    """Constraints, wires and public inputs of a circuit."""
    if list_circuits:
        specs = [catalog.get(n) for n in catalog.names()]
        emit(as_json, {"circuits": {s.name: s.summary for s in specs}}, [f"{s.name:18} {s.summary}" for s in specs])
        return
    r1cs = read_r1cs(r1cs_path) if r1cs_path else catalog.get(circuit_name).compile()
    stats = r1cs.stats()
    name = str(r1cs_path) if r1cs_path else circuit_name
    emit(as_json, {"circuit": name, **stats}, [f"{name}"] + [f"  {k.replace('_', ' '):16} {v}" for k, v in stats.items()])


@cli.command("export-r1cs")
@circuit_option
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Where to write the .r1cs file.")
@friendly_errors
def export_r1cs_cmd(circuit_name: str, out_path: Path) -> None:
    """Write the circuit as an iden3 .r1cs file (readable by `snarkjs r1cs info`)."""
    r1cs = catalog.get(circuit_name).compile()
    write_r1cs(r1cs, out_path)
    click.echo(f"wrote {out_path} ({r1cs.n_constraints} constraints, {r1cs.n_wires} wires)")


@cli.command("export-wtns")
@circuit_option
@click.option("--input", "input_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Circuit input JSON [default: the bundled sample].")
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Where to write the .wtns file.")
@friendly_errors
def export_wtns_cmd(circuit_name: str, input_path: Path | None, out_path: Path) -> None:
    """Compute the witness for an input and write it as an iden3 .wtns file."""
    spec = catalog.get(circuit_name)
    inputs, _ = _input_for(spec, input_path)
    api = spec.constraint_system(inputs)
    r1cs, witness = api.compile(), api.witness()
    r1cs.check(witness)
    write_wtns(witness, out_path)
    click.echo(f"wrote {out_path} ({len(witness)} values)")


@cli.command("demo")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Keep the keys and bundle here [default: a temporary folder].")
@engine_option
@json_option
@friendly_errors
def demo_cmd(workdir: Path | None, engine_name: str | None, as_json: bool) -> None:
    """Set up, prove and verify the bundled sample end to end, and say what was proven."""
    spec = catalog.get(DEFAULT_CIRCUIT)
    engine = _engine(engine_name)
    with tempfile.TemporaryDirectory(prefix="zkmargin-demo-") as tmp:
        folder = workdir or Path(tmp)
        say = (lambda line: None) if as_json else click.echo
        inputs, source = _input_for(spec, None)
        say(f"zkmargin demo: circuit {spec.name} ({spec.summary})")
        say(f"input: {source} (collateral {inputs['collateral']}, requirement {inputs['requirement']}, kept private)")
        api = spec.constraint_system(inputs)
        r1cs, witness = api.compile(), api.witness()
        say(f"1/3 setup ({r1cs.n_constraints} constraints; {DEVELOPMENT_ONLY})")
        started = time.perf_counter()
        pk = setup(r1cs, engine, Phases(progress_reporter(as_json, "setup")))
        write_zkey(pk, folder / f"{spec.name}.zkey")
        setup_seconds = time.perf_counter() - started
        say("2/3 prove")
        started = time.perf_counter()
        proof, public = prove(pk, witness, engine, r1cs, Phases(progress_reporter(as_json, "prove")))
        vk = pk.verifying_key()
        write_bundle(folder / "bundle", vk, proof, public, {"format": 1, "circuit": spec.name, "key_fingerprint": key_fingerprint(vk)})
        prove_seconds = time.perf_counter() - started
        say("3/3 verify (from the files on disk, as a user would)")
        started = time.perf_counter()
        valid = load_bundle(folder / "bundle").verify()
        verify_seconds = time.perf_counter() - started
        meaning = spec.describe(public)
        emit(
            as_json,
            {"valid": valid, "statement": meaning, "engine": engine.name, "constraints": r1cs.n_constraints,
             "seconds": {"setup": round(setup_seconds, 2), "prove": round(prove_seconds, 2), "verify": round(verify_seconds, 2)},
             "workdir": str(workdir) if workdir else None},
            [
                f"proof is {'VALID' if valid else 'INVALID'}: {meaning}",
                f"setup {setup_seconds:.1f} s, prove {prove_seconds:.1f} s, verify {verify_seconds:.1f} s (engine: {engine.name})",
            ]
            + ([f"keys and bundle kept in {workdir}/"] if workdir else []),
        )
    if not valid:
        fail("the demo proof did not verify", EXIT_INVALID)


def main() -> None:
    cli(prog_name="zkmargin")
