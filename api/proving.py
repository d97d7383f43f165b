"""Proving a margin case into a bundle, and the witness for other provers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from zkmargin.circuits.iden3_files import write_wtns
from zkmargin.circuits.input_values import margin_input_values
from zkmargin.circuits.r1cs import R1CS
from zkmargin.circuits.margin.case import MarginCase
from zkmargin.circuits.margin.opening import Opening
from zkmargin.prover import Phases, prove, read_zkey
from zkmargin.prover.progress import Reporter
from zkmargin.verifier.bundle import KEY, PROOF, PUBLIC, STATEMENT, key_fingerprint
from zkmargin.verifier.files import FormatError
from zkmargin.circuits.files import write_json
from zkmargin.verifier.formats import Proof, VerifyingKey, public_signals_to_json
from zkmargin.verifier.kinds import MarginCapacity
from zkmargin.verifier.statement import Statement

from .key_origin import write_key_origin
from .keys import engine, margin_circuit
from .witness import check_key_once, checked_witness, file_hash, margin_program


@dataclass(frozen=True)
class ProofRecord:
    bundle: Path
    opening: Path
    statement: Statement
    timings: dict[str, float] = field(default_factory=dict)


def prove_case(
    case: MarginCase,
    zkey_path: Path,
    out_dir: Path,
    opening_path: Path | None = None,
    engine_name: str | None = None,
    progress: Reporter | None = None,
    compiled: bool = True,
    cache: Path | None = None,
) -> ProofRecord:
    """Write a bundle for ``case`` and, apart from it, the private commitment opening.

    An insolvent case raises ``Insolvent`` before any key is read: no proof can exist.
    By default the witness is compiled (api/witness.py; its program cached in ``cache``, see
    cache_folder) and checked against the R1CS there; ``compiled=False`` runs the Python
    builder instead, the readable path the compiled witness is tested against."""
    chosen = engine(engine_name)
    case.require_solvent()
    if not zkey_path.is_file():
        raise FormatError(f"{zkey_path}: proving key not found (run `zkmargin setup` with the same capacity first)")
    phases = Phases(progress)
    pk = read_zkey(zkey_path)
    capacity = case.parameters.capacity
    r1cs: R1CS | None = None
    if compiled:
        with phases.phase("witness program (cached)"):
            program = margin_program(capacity, cache)
        with phases.phase("key matches circuit (once per key)"):
            check_key_once(pk, file_hash(zkey_path), program, cache)
        with phases.phase("witness (compiled, checked)"):
            witness: Sequence[int] | np.ndarray = checked_witness(
                program, margin_input_values(capacity, case.witness())
            )
    else:
        with phases.phase("witness (builder)"):
            api = margin_circuit(capacity, case)
            r1cs, witness = api.compile(), api.witness()
        with phases.phase("key matches circuit"):
            pk.check_matches(r1cs)
    with phases.phase("load compiled kernels"):
        chosen.load()
    proof, public = prove(pk, witness, chosen, r1cs, phases)
    write_key_origin(out_dir, pk)
    write_bundle(out_dir, pk.verifying_key(), proof, public, case.statement)
    opening_path = opening_path or out_dir.with_name(out_dir.name + "-opening.json")
    write_json(opening_path, Opening.of(case.portfolio.account, case.fixed, case.parameters).to_json(), private=True)
    return ProofRecord(out_dir, opening_path, case.statement, phases.timings)


def write_bundle(folder: Path, vk: VerifyingKey, proof: Proof, public: list[int], statement: Statement) -> None:
    """The statement records the key's fingerprint; the proof is written last, so a folder with
    a proof is complete."""
    write_json(folder / KEY, vk.to_json())
    write_json(folder / PUBLIC, public_signals_to_json(public))
    write_json(folder / STATEMENT, {**statement.to_json(), "key_fingerprint": key_fingerprint(vk)})
    write_json(folder / PROOF, proof.to_json())


def export_witness(case: MarginCase, capacity: MarginCapacity, out_path: Path) -> int:
    """The case's witness as an iden3 .wtns file (for snarkjs or rapidsnark); returns its length."""
    case.require_solvent()
    api = margin_circuit(capacity, case)
    r1cs, witness = api.compile(), api.witness()
    r1cs.check(witness)
    write_wtns(witness, out_path)
    return len(witness)
