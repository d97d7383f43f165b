"""Proof bundles: snarkjs's proof.json, public.json and verification_key.json, and statement.json.

The statement is required: without it a proof shows only that someone knows a witness for
some numbers. The proof's public inputs must be the statement's, and the statement's key
fingerprint the key's. Users still compare that fingerprint with the one the prover publishes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .files import FormatError, read_json
from .formats import Proof, VerifyingKey, parse_public_signals
from .groth16 import verify
from .statement import Statement, StatementMismatch

PROOF, PUBLIC, KEY, STATEMENT = "proof.json", "public.json", "verification_key.json", "statement.json"

LOOSE_FILES = "the proof verifies for these public inputs and key; nothing says what they mean without statement.json"


def key_fingerprint(vk: VerifyingKey) -> str:
    """First 16 hex digits of SHA-256 over the canonical key JSON."""
    return hashlib.sha256(json.dumps(vk.to_json(), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str  # what was proven, or why the bundle is invalid
    statement: Statement | None


@dataclass(frozen=True)
class Bundle:
    vk: VerifyingKey
    proof: Proof
    public: tuple[int, ...]
    statement: Statement | None  # None for loose snarkjs files (--vk/--proof/--public) ...
    problem: str = ""  # ... or when statement.json contradicts itself (an edited digest or timestamp)

    def check(self) -> Verdict:
        """Statement against itself, the key and the public inputs first, then the pairing."""
        statement = self.statement
        if self.problem:
            return Verdict(False, self.problem, None)
        if statement is not None:
            fingerprint = key_fingerprint(self.vk)
            try:
                if statement.key_fingerprint != fingerprint:
                    raise StatementMismatch(
                        f"statement.json names key {statement.key_fingerprint or '(none)'}, the key is {fingerprint}"
                    )
                statement.check_public_inputs(self.public)
            except StatementMismatch as exc:
                return Verdict(False, str(exc), statement)
        if not verify(self.vk, self.proof, self.public):
            return Verdict(False, "the proof does not verify for these public inputs and this key", statement)
        return Verdict(True, statement.describe() if statement else LOOSE_FILES, statement)


def load_bundle(
    folder: str | os.PathLike | None = None,
    *,
    proof: str | os.PathLike | None = None,
    public: str | os.PathLike | None = None,
    key: str | os.PathLike | None = None,
) -> Bundle:
    """Read a bundle folder, whose statement.json is required; explicit paths override its files.

    Without a folder, the three snarkjs files are checked alone (no statement)."""
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
    statement, problem = None, ""
    if base is not None:
        if not (base / STATEMENT).is_file():
            raise FormatError(f"{base}: no {STATEMENT}; a proof without its statement proves nothing nameable")
        try:
            statement = Statement.from_json(read_json(base / STATEMENT, limit=16 << 20), STATEMENT)
        except StatementMismatch as exc:
            problem = str(exc)
    return Bundle(  # a key of 1,024 public inputs is ~160 KB; proof and public.json a few KB
        vk=VerifyingKey.from_json(read_json(key_path, limit=1 << 20), str(key_path)),
        proof=Proof.from_json(read_json(proof_path, limit=1 << 20), str(proof_path)),
        public=parse_public_signals(read_json(public_path, limit=1 << 20), str(public_path)),
        statement=statement,
        problem=problem,
    )
