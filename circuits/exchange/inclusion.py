"""The inclusion file: what an exchange hands one user so they can check, offline, that their
account is in the epoch's book.

Format (JSON, strict: unknown keys are errors):
    format          "zkmargin-inclusion/1"
    epoch           the manifest's epoch
    opening         the account exactly as in the book (positions, collateral, salt)
    leaf_index      its position among all leaves (identifier order)
    batch_index     its batch; leaf_index // B
    batch_path      B's log2 siblings inside the batch subtree, bottom up (decimal strings)
    top_path        the top tree's siblings above the batch root, bottom up
    proof           the batch's Groth16 proof (snarkjs proof.json)
    public_preimage the batch's public-hash preimage (see zkmargin.circuits.exchange.checks.Batch.preimage)

``check_inclusion`` walks both paths and matches the batch against the signed manifest;
the leaf itself is the account's commitment, recomputed by the caller from the opening.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.circuits.exchange.checks import Manifest, walk_path
from zkmargin.verifier.files import FormatError, read_int
from zkmargin.verifier.formats import Proof
from zkmargin.verifier.poseidon import poseidon_sponge
from zkmargin.verifier.schema import strict_object

from .book import account_id

INCLUSION_FORMAT = "zkmargin-inclusion/1"
_FIELDS = ("format", "epoch", "opening", "leaf_index", "batch_index", "batch_path", "top_path", "proof",
           "public_preimage")


def _fields(value: Any, where: str, max_len: int) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) > max_len:
        raise FormatError(f"{where}: expected a list of at most {max_len} field elements")
    return tuple(read_int(v, f"{where}[{i}]", lo=0, hi=CURVE_ORDER) for i, v in enumerate(value))


@dataclass(frozen=True)
class Inclusion:
    epoch: int
    opening: dict  # raw portfolio JSON; parse_portfolio validates it against the epoch's market
    leaf_index: int
    batch_index: int
    batch_path: tuple[int, ...]
    top_path: tuple[int, ...]
    proof: Proof
    public_preimage: tuple[int, ...]

    def to_json(self) -> dict:
        return {
            "format": INCLUSION_FORMAT,
            "epoch": self.epoch,
            "opening": self.opening,
            "leaf_index": self.leaf_index,
            "batch_index": self.batch_index,
            "batch_path": [str(v) for v in self.batch_path],
            "top_path": [str(v) for v in self.top_path],
            "proof": self.proof.to_json(),
            "public_preimage": [str(v) for v in self.public_preimage],
        }

    @classmethod
    def from_json(cls, obj: Any, where: str = "inclusion") -> "Inclusion":
        raw = strict_object(obj, _FIELDS, where)
        if raw["format"] != INCLUSION_FORMAT:
            raise FormatError(f"{where}: format must be {INCLUSION_FORMAT!r}")
        if not isinstance(raw["opening"], dict):
            raise FormatError(f"{where}.opening: expected the account's portfolio object")
        return cls(
            read_int(raw["epoch"], f"{where}.epoch", lo=0, hi=1 << 64),
            raw["opening"],
            read_int(raw["leaf_index"], f"{where}.leaf_index", lo=0, hi=1 << 40),
            read_int(raw["batch_index"], f"{where}.batch_index", lo=0, hi=1 << 40),
            _fields(raw["batch_path"], f"{where}.batch_path", 20),
            _fields(raw["top_path"], f"{where}.top_path", 40),
            Proof.from_json(raw["proof"], f"{where}.proof"),
            _fields(raw["public_preimage"], f"{where}.public_preimage", 16),
        )


def check_inclusion(inclusion: Inclusion, leaf: int, manifest: Manifest) -> None:
    """Raise FormatError unless ``leaf`` (recomputed from the opening) is in the manifest's tree,
    in the batch the file names, whose public hash the manifest lists. The batch proof is then
    checked against [public_hash] with that tier's key (the caller holds the key)."""
    b = inclusion.batch_index
    if inclusion.epoch != manifest.epoch or not 0 <= b < len(manifest.batches):
        raise FormatError("the inclusion file is for another epoch or names a batch the manifest does not have")
    batch = manifest.batches[b]
    size = 1 << len(inclusion.batch_path)
    if inclusion.leaf_index // size != b or len(inclusion.top_path) != (len(manifest.batches) - 1).bit_length():
        raise FormatError("the leaf index, batch index and path lengths do not fit the manifest's tree")
    if walk_path(leaf, inclusion.leaf_index % size, inclusion.batch_path) != batch.subtree_root:
        raise FormatError("the account's leaf does not hash to its batch's subtree root: it is not in that batch")
    if walk_path(batch.subtree_root, b, inclusion.top_path) != manifest.tree_root:
        raise FormatError("the batch root does not hash to the manifest's tree root")
    if walk_path(leaf, inclusion.leaf_index, inclusion.batch_path + inclusion.top_path) != manifest.tree_root:
        raise FormatError("the full path does not reach the tree root")
    if list(inclusion.public_preimage) != batch.preimage(manifest, b):
        raise FormatError("the batch's public-hash preimage is not the manifest's")
    if poseidon_sponge(list(inclusion.public_preimage)) != batch.public_hash:
        raise FormatError("the public-hash preimage does not hash to the batch's public hash")
    account = inclusion.opening.get("account")
    ident = account_id(account) if isinstance(account, str) else -1
    if not batch.first_id <= ident <= batch.last_id:
        raise FormatError("the account's identifier lies outside its batch's identifier range")
