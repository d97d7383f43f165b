"""``zkmargin ceremony``: keys from a two-phase ceremony instead of the one-party development setup.

Phase 1 is a public powers-of-tau file the user brings (``import-ptau`` checks it); phase 2
runs here or in snarkjs, interchangeably: ``new`` makes the circuit's initial key, each
contributor runs ``contribute``, a ``beacon`` ends it, anyone runs ``verify``, and
``export`` writes the verification key. Exit codes: 1 when a file was checked and the
ceremony is invalid, 2 for input that cannot be used.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from zkmargin.circuits.iden3_files import read_r1cs
from zkmargin.circuits.r1cs import R1CS
from zkmargin.prover import Phases, read_zkey
from zkmargin.prover.groth16.ceremony import beacon, contribute, key_origin, verify
from zkmargin.prover.groth16.ceremony_new import new_key
from zkmargin.prover.groth16.ceremony_zkey import NEW_KEY_ORDER, read_sections, write_sections
from zkmargin.prover.ptau_import import check_sample, file_blake2b, match_published, open_ptau
from zkmargin.verifier.bundle import key_fingerprint
from zkmargin import api
from zkmargin.circuits.files import write_json
from zkmargin.verifier.files import FormatError

from ..errors import EXIT_INVALID, friendly_errors
from ..options import capacity_options, engine_option, json_option
from ..output import emit, progress_reporter


@click.group("ceremony")
def ceremony() -> None:
    """Production keys: check a powers-of-tau file, then run a phase-2 ceremony (snarkjs-compatible).

    \b
    zkmargin ceremony import-ptau FILE           check a phase-1 file (published hash, pairings)
    zkmargin ceremony new --ptau F -o K0.zkey    the circuit's initial key
    zkmargin ceremony contribute K0 K1           add your secret (prints your contribution hash)
    zkmargin ceremony beacon K2 K3 --beacon HEX  the final public random contribution
    zkmargin ceremony verify K3 --ptau F         check every contribution and the key
    zkmargin ceremony export K3 -o vk.json       the verification key
    """


ptau_option = click.option(
    "--ptau",
    "ptau_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Prepared phase-1 powers of tau (.ptau).",
)
r1cs_option = click.option(
    "--r1cs",
    "r1cs_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Circuit as an .r1cs file [default: the built-in margin circuit at the capacity given].",
)


def _the_circuit(
    r1cs_path: Path | None,
    capacity: tuple[int, ...],
) -> R1CS:
    if r1cs_path is not None:
        return read_r1cs(r1cs_path)
    return api.margin_circuit(api.MarginCapacity(*capacity)).compile()


def _percent_reporter(as_json: bool):
    """A percentage on a terminal while a large file is hashed (Hermez's 2^28 file is 288 GB)."""
    if as_json or not sys.stderr.isatty():
        return None
    shown = [-1]

    def report(done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent != shown[0]:
            shown[0] = percent
            click.echo(f" {percent:3d}%\b\b\b\b\b", err=True, nl=False)

    return report


def _hex(value: str, what: str) -> bytes:
    try:
        data = bytes.fromhex(value)
    except ValueError:
        data = b""
    if not data or len(value) != 2 * len(data):
        raise FormatError(f"{what}: expected an even number of hexadecimal digits")
    return data


@ceremony.command("import-ptau")
@click.argument("ptau_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--samples",
    type=click.IntRange(1, 4096),
    default=32,
    show_default=True,
    help="Random positions per section in the pairing checks.",
)
@click.option("--no-hash", "skip_hash", is_flag=True, help="Skip hashing the whole file (slow for large powers).")
@json_option
@friendly_errors
def import_ptau_cmd(ptau_path: Path, samples: int, skip_hash: bool, as_json: bool) -> None:
    """Check a .ptau: its BLAKE2b-512 against Hermez's published hashes, and its powers with pairings.

    Nothing is downloaded: bring the file (Hermez's powersOfTau28_hez_final_NN.ptau, the
    Perpetual Powers of Tau's, or one from `snarkjs powersoftau`). The pairing check samples
    random positions; `snarkjs powersoftau verify` is the exhaustive check.
    """
    phases = Phases(progress_reporter(as_json, "import-ptau"))
    with open_ptau(ptau_path) as ptau:
        digest, published = None, None
        if not skip_hash:
            with phases.phase("BLAKE2b-512 of the file"):
                digest = file_blake2b(ptau_path, _percent_reporter(as_json))
            published = match_published(digest)
        with phases.phase(f"pairing checks on {samples} random powers per section"):
            report = check_sample(ptau, samples)
        data = {
            "file": str(ptau_path),
            "power": ptau.power,
            "ceremony_power": ptau.ceremony_power,
            "prepared": ptau.prepared,
            "blake2b_512": digest,
            "published_match": published,
            "consistent": report.ok,
            "failure": report.failure,
            "samples": samples,
        }
    match_line = (
        "hash not computed (--no-hash)"
        if digest is None
        else f"hash matches Hermez's published {published['file']} (power {published['power']})"
        if published
        else "hash matches none of Hermez's published files (not a Hermez file, or a different one)"
    )
    emit(
        as_json,
        data,
        [
            f"{ptau_path}: powers of tau up to 2^{ptau.power}, "
            + ("prepared for phase 2" if data["prepared"] else "NOT prepared for phase 2"),
            *([f"blake2b-512 {digest}"] if digest else []),
            match_line,
            f"pairing checks on {samples} random powers per section: "
            + ("consistent" if report.ok else f"FAILED: {report.failure}"),
        ],
    )
    if not report.ok:
        raise SystemExit(EXIT_INVALID)


@ceremony.command("new")
@ptau_option
@r1cs_option
@capacity_options
@click.option(
    "-o",
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the initial .zkey.",
)
@engine_option
@json_option
@friendly_errors
def new_cmd(ptau_path, r1cs_path, capacity, out_path: Path, engine_name, as_json) -> None:
    """The circuit's initial phase-2 key (as `snarkjs zkey new`); it has no contributions yet."""
    r1cs = _the_circuit(r1cs_path, capacity)
    engine = api.engine(engine_name)
    phases = Phases(progress_reporter(as_json, "new"))
    with open_ptau(ptau_path) as ptau:
        sections, cs_hash = new_key(r1cs, ptau, engine, phases)
    write_sections(out_path, sections, NEW_KEY_ORDER)
    emit(
        as_json,
        {
            "zkey": str(out_path),
            "circuit_hash": cs_hash.hex(),
            "constraints": r1cs.n_constraints,
            "seconds": round(sum(phases.timings.values()), 3),
        },
        [
            f"wrote {out_path} ({r1cs.n_constraints} constraints)",
            f"circuit hash {cs_hash.hex()}",
            "no contributions yet: run `zkmargin ceremony contribute` (or snarkjs zkey contribute)",
        ],
    )


def _contribution_output(as_json: bool, out_path: Path, contribution, index: int) -> None:
    emit(
        as_json,
        {
            "zkey": str(out_path),
            "contribution": index,
            "contribution_hash": contribution.hash().hex(),
            "beacon": contribution.kind == 1,
        },
        [f"wrote {out_path}", f"contribution #{index} hash (publish it): {contribution.hash().hex()}"],
    )


@ceremony.command("contribute")
@click.argument("in_path", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("out_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--entropy", default="", help="Extra random text, mixed with 64 bytes from the OS generator.")
@click.option("--name", default=None, help="Contributor name recorded in the key.")
@engine_option
@json_option
@friendly_errors
def contribute_cmd(in_path, out_path, entropy: str, name, engine_name, as_json) -> None:
    """Add a secret contribution to a phase-2 key (as `snarkjs zkey contribute`)."""
    engine = api.engine(engine_name)
    sections = read_sections(in_path)
    out, contribution = contribute(
        sections, str(in_path), engine, entropy.encode("utf-8"), name, Phases(progress_reporter(as_json, "contribute"))
    )
    write_sections(out_path, out)
    _contribution_output(as_json, out_path, contribution, len(key_origin(out)["contributions"]))


@ceremony.command("beacon")
@click.argument("in_path", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("out_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--beacon", "beacon_hex", required=True, help="The public random value, in hex (e.g. a future block hash)."
)
@click.option(
    "--iterations-exp",
    type=click.IntRange(10, 63),
    default=10,
    show_default=True,
    help="Hash the value 2^N times first.",
)
@click.option("--name", default=None, help="Name recorded for the beacon.")
@engine_option
@json_option
@friendly_errors
def beacon_cmd(in_path, out_path, beacon_hex: str, iterations_exp: int, name, engine_name, as_json) -> None:
    """Apply the final public random beacon (as `snarkjs zkey beacon`)."""
    value = _hex(beacon_hex, "--beacon")
    engine = api.engine(engine_name)
    sections = read_sections(in_path)
    out, contribution = beacon(
        sections, str(in_path), engine, value, iterations_exp, name, Phases(progress_reporter(as_json, "beacon"))
    )
    write_sections(out_path, out)
    _contribution_output(as_json, out_path, contribution, len(key_origin(out)["contributions"]))


@ceremony.command("verify")
@click.argument("zkey_path", type=click.Path(dir_okay=False, path_type=Path))
@ptau_option
@r1cs_option
@capacity_options
@engine_option
@json_option
@friendly_errors
def verify_cmd(zkey_path, ptau_path, r1cs_path, capacity, engine_name, as_json) -> None:
    """Check a phase-2 key against the circuit and the ptau, and every contribution in order.

    As `snarkjs zkey verify` does, and interchangeably with it."""
    r1cs = _the_circuit(r1cs_path, capacity)
    engine = api.engine(engine_name)
    sections = read_sections(zkey_path)
    with open_ptau(ptau_path) as ptau:
        report = verify(sections, str(zkey_path), r1cs, ptau, engine, Phases(progress_reporter(as_json, "verify")))
    lines = [f"circuit hash {report.circuit_hash}"]
    for c in report.contributions:
        label = f"contribution #{c.index}" + (f" {c.name}" if c.name else "") + (" (beacon)" if c.beacon else "")
        lines.append(f"{label}: {c.hash}")
        if c.beacon:
            lines.append(f"  beacon value {c.beacon_hash}, 2^{c.iterations_exp} iterations")
    if report.ok and not report.contributions:
        lines.append("warning: no contributions: delta is 1 and anyone can forge proofs with this key")
    lines.append("ceremony key OK" if report.ok else f"INVALID: {report.failure}")
    emit(
        as_json,
        {
            "valid": report.ok,
            "failure": report.failure,
            "circuit_hash": report.circuit_hash,
            "contributions": [c.__dict__ for c in report.contributions],
        },
        lines,
    )
    if not report.ok:
        raise SystemExit(EXIT_INVALID)


@ceremony.command("export")
@click.argument("zkey_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("verification_key.json"),
    show_default=True,
    help="Where to write the verification key.",
)
@json_option
@friendly_errors
def export_cmd(zkey_path: Path, out_path: Path, as_json: bool) -> None:
    """Write a key's verification key (verification_key.json, as `snarkjs zkey export verificationkey`)."""
    pk = read_zkey(zkey_path)
    vk = pk.verifying_key()
    write_json(out_path, vk.to_json())
    origin = key_origin(pk)
    emit(
        as_json,
        {"verification_key": str(out_path), "key_fingerprint": key_fingerprint(vk), "origin": origin},
        [
            f"wrote {out_path} (fingerprint {key_fingerprint(vk)})",
            f"key from a ceremony: {len(origin['contributions'])} contributions"
            + (", ending in a beacon" if origin["beacon"] else "")
            if origin["kind"] == "ceremony"
            else "warning: development key (no ceremony contributions)",
        ],
    )
