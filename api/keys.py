"""Circuits at a capacity and their (development) keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.margin.case import MarginCase
from zkmargin.circuits.margin.circuit import build_margin_circuit
from zkmargin.circuits.r1cs import R1CS
from zkmargin.prover import Engine, Phases, get_engine, setup, write_zkey
from zkmargin.prover.groth16 import domain_size
from zkmargin.verifier.bundle import KEY, key_fingerprint
from zkmargin.verifier.files import FormatError
from zkmargin.circuits.files import write_json
from zkmargin.verifier.kinds import PORTFOLIO_MARGIN, MarginCapacity
from zkmargin.prover.progress import Reporter


def engine(name: str | None = None) -> Engine:
    """The named arithmetic engine, or the fastest available."""
    try:
        return get_engine(name)
    except ValueError as exc:
        raise FormatError(str(exc)) from None


def margin_circuit(capacity: MarginCapacity, case: MarginCase | None = None) -> ConstraintSystem:
    """The portfolio-margin circuit at ``capacity``; with a case, its witness too."""
    api = ConstraintSystem()
    build_margin_circuit(api, capacity, case.witness() if case else None)
    return api


def circuit_stats(r1cs: R1CS) -> dict[str, int]:
    """Sizes of a circuit, and the Groth16 evaluation domain its key needs."""
    return {**r1cs.stats(), "domain_size": domain_size(r1cs)}


def default_key_path(capacity: MarginCapacity, folder: Path = Path("keys")) -> Path:
    return folder / f"{PORTFOLIO_MARGIN.name}-{capacity.label()}.zkey"


@dataclass(frozen=True)
class KeySet:
    zkey: Path
    verification_key: Path
    fingerprint: str
    constraints: int
    seconds: float


def setup_keys(
    capacity: MarginCapacity, out_dir: Path, engine_name: str | None = None, progress: Reporter | None = None
) -> KeySet:
    """A development proving key and verification key: whoever runs this knows the trapdoor."""
    chosen = engine(engine_name)
    r1cs = margin_circuit(capacity).compile()
    phases = Phases(progress)
    pk = setup(r1cs, chosen, phases)
    zkey_path, vk_path = default_key_path(capacity, out_dir), out_dir / KEY
    vk = pk.verifying_key()
    write_zkey(pk, zkey_path)
    write_json(vk_path, vk.to_json())
    return KeySet(zkey_path, vk_path, key_fingerprint(vk), r1cs.n_constraints, sum(phases.timings.values()))
