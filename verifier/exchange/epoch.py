"""One pass over an epoch folder: signature, chain, parameters, keys, every batch proof at once.

Layout (written by `zkmargin epoch prove`):
    manifest.json                       {"manifest", "ed25519_signature"} (manifest.py)
    parameters.json                     {"capacity", "parameters"}: the epoch's public margin parameters
    tree.bin                            the account tree (circuits/exchange/tree.py); users' paths come from it
    keys/<tier>/verification_key.json   snarkjs key; the manifest lists its fingerprint
    batches/<b>/proof.json, public.json snarkjs files; public.json is [the batch's public hash]
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..files import parse_json, read_json
from ..formats import Proof, VerifyingKey, parse_public_signals
from ..kinds import MarginParameters
from ..schema import PublicInput, StatementKind
from .batch_verify import batch_verify
from .inclusion import read_parameters
from .manifest import EpochInvalid, Manifest, read_signed_manifest, tier_fingerprint

MANIFEST, PARAMETERS, TREE, KEY = "manifest.json", "parameters.json", "tree.bin", "verification_key.json"
_SMALL = 1 << 20

#: The batch statement's only public input (circuits/exchange/batch.py proves what it hashes).
EXCHANGE_BATCH = StatementKind(
    "exchange-batch",
    (PublicInput("batch_hash", "Poseidon sponge of the batch's manifest fields, manifest.Batch.preimage"),),
    MarginParameters,
    lambda s: "a batch of an exchange epoch: see `zkmargin epoch verify`",
)


def batch_folder(folder: Path, index: int) -> Path:
    return folder / "batches" / str(index)


def key_path(folder: Path, tier: str) -> Path:
    return folder / "keys" / tier / KEY


def read_proof(path: Path) -> tuple[bytes, Proof]:
    """The file's bytes (the manifest lists their SHA-256) and the proof they hold."""
    data = path.read_bytes() if path.is_file() and path.stat().st_size <= _SMALL else b""
    if not data:
        raise EpochInvalid(f"{path}: missing, empty or over {_SMALL} bytes")
    return data, Proof.from_json(parse_json(data, str(path)), str(path))


def verify_epoch(folder: Path, public_key_pem: bytes) -> tuple[Manifest, MarginParameters]:
    """Raise EpochInvalid (or FormatError for unreadable files) unless everything holds; the
    batch proofs are checked together, and a failing set is bisected to name the bad batch."""
    manifest = read_signed_manifest(read_json(folder / MANIFEST, limit=64 << 20), public_key_pem)
    manifest.check_chain()
    parameters = read_parameters(read_json(folder / PARAMETERS, limit=16 << 20), PARAMETERS)
    if parameters.digest(manifest.epoch) != manifest.parameters_digest:
        raise EpochInvalid(f"{PARAMETERS}: not the parameters the manifest's digest names")
    manifest.check_totals(parameters.capacity)
    keys = {}
    for tier, fingerprint in manifest.tiers.items():
        vk = VerifyingKey.from_json(read_json(key_path(folder, tier), limit=_SMALL), f"keys/{tier}/{KEY}")
        if tier_fingerprint(vk) != fingerprint or vk.n_public != 1:
            raise EpochInvalid(f"keys/{tier}/{KEY}: not the key the manifest names for tier {tier!r}")
        keys[tier] = vk
    items = []
    for b, batch in enumerate(manifest.batches):
        data, proof = read_proof(batch_folder(folder, b) / "proof.json")
        if hashlib.sha256(data).hexdigest() != batch.proof_sha256:
            raise EpochInvalid(f"batch {b}: proof.json is not the file the manifest lists")
        public = parse_public_signals(read_json(batch_folder(folder, b) / "public.json", limit=_SMALL))
        if public != (batch.public_hash,):
            raise EpochInvalid(f"batch {b}: public.json is not [the manifest's public hash]")
        items.append((keys[batch.tier], proof, public))
    bad = batch_verify(items)
    if bad:
        raise EpochInvalid(f"batch {bad[0]}'s proof does not verify" + (f" (and {len(bad) - 1} more)" * (len(bad) > 1)))
    return manifest, parameters
