"""Proof bundles: a folder with proof.json, public.json, verification_key.json and statement.json.

The first three are snarkjs's files unchanged. statement.json says what the proof is
about; for a portfolio-margin proof it carries the public parameters, and the verifier
recomputes their digest and requires all four public inputs to match it (see
statement.py). Validity still comes from the key: users should compare the key's
fingerprint with the one the prover publishes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import FormatError, read_json, write_json
from .formats import Proof, VerifyingKey, parse_public_signals, public_signals_to_json
from .groth16 import verify
from .statement import CIRCUIT, Statement, StatementMismatch

PROOF, PUBLIC, KEY, STATEMENT = "proof.json", "public.json", "verification_key.json", "statement.json"


def key_fingerprint(vk: VerifyingKey) -> str:
    """First 16 hex digits of SHA-256 over the canonical key JSON."""
    return hashlib.sha256(json.dumps(vk.to_json(), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Bundle:
    vk: VerifyingKey
    proof: Proof
    public: tuple[int, ...]
    statement: dict[str, Any]

    def verify(self) -> bool:
        return self.check().valid

    def check(self) -> "Verdict":
        """Statement first (FormatError if malformed), then public inputs, then the pairing."""
        statement = None
        if self.statement.get("circuit") == CIRCUIT:
            try:
                statement = Statement.from_json(self.statement)
                statement.check_public_inputs(self.public)
            except StatementMismatch as exc:
                return Verdict(False, str(exc), statement)
        if not verify(self.vk, self.proof, self.public):
            return Verdict(False, "the proof does not verify for these public inputs and this key", statement)
        return Verdict(True, statement.describe() if statement else "", statement)


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str  # what was proven, or why the bundle is invalid
    statement: Statement | None


def load_bundle(
    folder: str | os.PathLike | None = None,
    *,
    proof: str | os.PathLike | None = None,
    public: str | os.PathLike | None = None,
    key: str | os.PathLike | None = None,
) -> Bundle:
    """Read a bundle folder; explicit file paths override the folder's files."""
    base = Path(folder) if folder is not None else None
    if base is not None and not base.is_dir():
        raise FormatError(f"{base}: not a bundle folder")

    def pick(explicit, name: str) -> Path:
        if explicit is not None:
            return Path(explicit)
        if base is None:
            raise FormatError(f"give a bundle folder or the path of {name}")
        return base / name

    proof_path, public_path, key_path = pick(proof, PROOF), pick(public, PUBLIC), pick(key, KEY)
    statement: dict[str, Any] = {}
    if base is not None and (base / STATEMENT).is_file():
        raw = read_json(base / STATEMENT)
        if not isinstance(raw, dict):
            raise FormatError(f"{STATEMENT}: expected a JSON object")
        statement = raw
    return Bundle(
        vk=VerifyingKey.from_json(read_json(key_path), str(key_path)),
        proof=Proof.from_json(read_json(proof_path), str(proof_path)),
        public=parse_public_signals(read_json(public_path), str(public_path)),
        statement=statement,
    )


def write_bundle(folder: str | os.PathLike, vk: VerifyingKey, proof: Proof, public: list[int], statement: dict[str, Any]) -> None:
    folder = Path(folder)
    write_json(folder / KEY, vk.to_json())
    write_json(folder / PUBLIC, public_signals_to_json(public))
    write_json(folder / STATEMENT, statement)
    write_json(folder / PROOF, proof.to_json())  # last: a folder with a proof is complete
