"""`zkmargin export solidity|registry|calldata`: what a smart contract needs.

The library side is zkmargin.prover.groth16.solidity; this module only reads the files,
writes the contracts and prints.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from zkmargin.prover.groth16.solidity import (
    GATE_FILE,
    MARGIN_PUBLIC_INPUTS,
    REGISTRY_FILE,
    VERIFIER_FILE,
    epoch_registry_contract,
    margin_gate_contract,
    solidity_calldata,
    verifier_contract,
)
from zkmargin.verifier.bundle import KEY, PROOF, PUBLIC, key_fingerprint
from zkmargin.verifier.files import FormatError, read_json
from zkmargin.circuits.files import atomic_write
from zkmargin.verifier.formats import Proof, VerifyingKey, parse_public_signals

from ..errors import friendly_errors
from ..options import proof_option, public_option
from .export import export_r1cs, export_wtns


@click.group("export")
def export() -> None:
    """Write what a smart contract needs: a verifier contract for a key, or a proof's calldata."""


def _in_bundle(path: Path, name: str) -> Path:
    """A bundle folder stands for its file of that name; a file stands for itself."""
    return path / name if path.is_dir() else path


out_dir_option = click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("contracts"),
    show_default=True,
    help="Folder for the .sol files.",
)


@export.command("solidity")
@click.argument("key", type=click.Path(path_type=Path))
@out_dir_option
@click.option(
    "--gate/--no-gate",
    default=True,
    show_default=True,
    help=f"Also write {GATE_FILE} (for keys with {MARGIN_PUBLIC_INPUTS} public inputs: portfolio margin).",
)
@friendly_errors
def solidity_cmd(key: Path, out_dir: Path, gate: bool) -> None:
    """Write a Groth16 verifier contract for KEY (verification_key.json, or a bundle folder).

    The verifier is for this key only: its points are constants in the code. For a
    portfolio-margin key (4 public inputs) it also writes MarginGate.sol, the policy a
    lending protocol calls: pinned parameter digests, a minimum threshold and a maximum
    epoch age (see the README, "On-chain verification").
    """
    key_path = _in_bundle(key, KEY)
    vk = VerifyingKey.from_json(read_json(key_path), str(key_path))
    fingerprint = key_fingerprint(vk)
    written = [out_dir / VERIFIER_FILE]
    atomic_write(written[0], verifier_contract(vk, fingerprint).encode())
    if gate and vk.n_public == MARGIN_PUBLIC_INPUTS:
        written.append(out_dir / GATE_FILE)
        atomic_write(written[1], margin_gate_contract().encode())
    click.echo(f"wrote {', '.join(map(str, written))} (verifier for key {fingerprint}, {vk.n_public} public inputs)")
    if gate and vk.n_public != MARGIN_PUBLIC_INPUTS:
        click.echo(f"no {GATE_FILE}: the key has {vk.n_public} public inputs, a margin key {MARGIN_PUBLIC_INPUTS}")


@export.command("registry")
@out_dir_option
@friendly_errors
def registry_cmd(out_dir: Path) -> None:
    """Write EpochRegistry.sol, where an exchange posts each epoch's roots and hashes.

    Deploy it once, register each tier's batch verifier (`zkmargin export solidity` on the
    tier's key) with setTierVerifier, then post every epoch with postEpoch. Anyone checks a
    batch with the view call checkBatch (see the README, "On-chain verification").
    """
    path = out_dir / REGISTRY_FILE
    atomic_write(path, epoch_registry_contract().encode())
    click.echo(f"wrote {path}")


POST_EPOCH = "postEpoch(uint256,uint256,bytes32,bytes32,bytes32,uint64)"
CHECK_BATCH = "checkBatch(uint256,uint256,uint256,bytes32[32],uint256[2],uint256[2][2],uint256[2],uint256)"


@export.command("registry-calldata")
@click.argument("epoch_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--exchange-key",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The exchange's pinned public key (PEM): the epoch is verified before anything is printed.",
)
@click.option("--batch", type=int, default=None, help="Print checkBatch's arguments for this batch instead.")
@friendly_errors
def registry_calldata_cmd(epoch_dir: Path, exchange_key: Path, batch: int | None) -> None:
    """Print, as JSON, what EpochRegistry takes for EPOCH_DIR: postEpoch's arguments, or with
    --batch N the arguments of the view call checkBatch for batch N (its path and proof)."""
    from zkmargin.api.registry import batch_check, epoch_post

    if batch is None:
        function, values = POST_EPOCH, epoch_post(epoch_dir, exchange_key).words()
    else:
        function, values = CHECK_BATCH, batch_check(epoch_dir, exchange_key, batch)
    click.echo(json.dumps({"function": function, "arguments": [f"0x{v:064x}" for v in values]}))


@export.command("calldata")
@click.argument("bundle", required=False, type=click.Path(path_type=Path))
@proof_option
@public_option
@friendly_errors
def calldata_cmd(bundle: Path | None, proof_path: Path | None, public_path: Path | None) -> None:
    """Print verifyProof's arguments for a proof, as `snarkjs zkey export soliditycalldata` does.

    Prints a, b, c and the public inputs as 0x-hex words, B's coordinates in the EVM's
    (c1, c0) order. MarginGate's check and requireSolvent take the same arguments.
    """
    if bundle is None and (proof_path is None or public_path is None):
        raise FormatError("give a bundle folder, or both --proof and --public")
    proof_path = proof_path or Path(bundle) / PROOF
    public_path = public_path or Path(bundle) / PUBLIC
    proof = Proof.from_json(read_json(proof_path), str(proof_path))
    public = parse_public_signals(read_json(public_path), str(public_path))
    click.echo(solidity_calldata(proof, public))


# `zkmargin export r1cs` and `export wtns` are the same commands as `export-r1cs` and `export-wtns`.
export.add_command(export_r1cs, "r1cs")
export.add_command(export_wtns, "wtns")
