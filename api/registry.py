"""What EpochRegistry.sol takes for an epoch folder: postEpoch's values, and a batch's checkBatch
arguments. Both come from an epoch that verified first (signature, chain, every proof), so
an exchange cannot post, and a user cannot be handed, values of a broken epoch."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from zkmargin.prover.groth16.registry import batch_leaf, batch_path, batches_root
from zkmargin.prover.groth16.solidity import proof_words
from zkmargin.verifier.exchange.epoch import batch_folder, read_proof, verify_epoch
from zkmargin.verifier.exchange.manifest import Manifest
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.schema import label_field


@dataclass(frozen=True)
class EpochPost:
    """postEpoch(epoch, treeRoot, batchesRoot, totalsHash, manifestHash, batchCount)."""

    epoch: int
    tree_root: int
    batches_root: bytes
    totals_hash: bytes
    manifest_hash: bytes
    batch_count: int

    def words(self) -> list[int]:
        return [self.epoch, self.tree_root, *(int.from_bytes(h, "big") for h in (
            self.batches_root, self.totals_hash, self.manifest_hash)), self.batch_count]


def _leaves(manifest: Manifest) -> list[bytes]:
    return [batch_leaf(label_field(b.tier), b.public_hash) for b in manifest.batches]


def totals_hash(manifest: Manifest) -> bytes:
    """SHA-256 of the opened totals as canonical JSON: {"total_names": [..], "totals": ["..", ..]}."""
    opened = {"total_names": list(manifest.total_names), "totals": [str(v) for v in manifest.totals]}
    return hashlib.sha256(json.dumps(opened, sort_keys=True, separators=(",", ":")).encode()).digest()


def epoch_post(folder: Path, exchange_key: Path) -> EpochPost:
    manifest, _ = verify_epoch(folder, exchange_key.read_bytes())
    return EpochPost(
        manifest.epoch,
        manifest.tree_root,
        batches_root(_leaves(manifest)),
        totals_hash(manifest),
        hashlib.sha256(manifest.signing_bytes()).digest(),
        len(manifest.batches),
    )


def batch_check(folder: Path, exchange_key: Path, index: int) -> list[int]:
    """checkBatch(epoch, index, tier, path, a, b, c, publicHash) as 45 words."""
    manifest, _ = verify_epoch(folder, exchange_key.read_bytes())
    if not 0 <= index < len(manifest.batches):
        raise FormatError(f"batch {index}: the epoch has batches 0 to {len(manifest.batches) - 1}")
    batch = manifest.batches[index]
    _, proof = read_proof(batch_folder(folder, index) / "proof.json")
    path = [int.from_bytes(node, "big") for node in batch_path(_leaves(manifest), index)]
    return [manifest.epoch, index, label_field(batch.tier), *path, *proof_words(proof), batch.public_hash]
