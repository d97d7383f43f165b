"""The inclusion file: what an exchange hands one user so they can check, offline, that their
account is in the epoch's book, with nothing but the file, the signed manifest and the key.

Format (JSON, strict: unknown keys are errors):
    format           "zkmargin-inclusion/1"
    epoch            the manifest's epoch
    opening          the account's commitment opening, as `zkmargin prove` writes it (scaled
                     quantities and amounts by name, salt): the leaf is its commitment
    leaf_index       its position among all leaves (identifier order)
    batch_index      its batch; leaf_index // B
    batch_path       log2 B siblings inside the batch subtree, bottom up (decimal strings)
    top_path         the top tree's siblings above the batch root, bottom up
    proof            the batch's Groth16 proof (snarkjs proof.json)
    public_preimage  the batch's public-hash preimage (manifest.Batch.preimage)
    verification_key the batch tier's key; the manifest lists its fingerprint
    parameters       {"capacity", "parameters"}: the epoch's public margin parameters, bound by
                     the manifest's parameters digest, so the user can recompute their margin

``check_inclusion`` walks both paths, matches the batch against the signed manifest and
checks the batch proof; the caller recomputes the leaf and the margin from the opening.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..curve import CURVE_ORDER
from ..files import FormatError, read_int
from ..formats import Proof, VerifyingKey
from ..groth16 import verify
from ..kinds import MarginCapacity, MarginParameters
from ..poseidon import poseidon_sponge
from ..schema import strict_object
from .manifest import EpochInvalid, Manifest, account_id, tier_fingerprint, walk_path

INCLUSION_FORMAT = "zkmargin-inclusion/1"
_FIELDS = ("format", "epoch", "opening", "leaf_index", "batch_index", "batch_path", "top_path", "proof",
           "public_preimage", "verification_key", "parameters")


def _fields(value: Any, where: str, max_len: int) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) > max_len:
        raise FormatError(f"{where}: expected a list of at most {max_len} field elements")
    return tuple(read_int(v, f"{where}[{i}]", lo=0, hi=CURVE_ORDER) for i, v in enumerate(value))


def read_parameters(obj: Any, where: str) -> MarginParameters:
    raw = strict_object(obj, ("capacity", "parameters"), where)
    capacity = MarginCapacity.from_json(raw["capacity"], f"{where}.capacity")
    return MarginParameters.from_json(raw["parameters"], capacity, f"{where}.parameters")  # type: ignore[return-value]


def parameters_json(parameters: MarginParameters) -> dict:
    return {"capacity": parameters.capacity.sizes(), "parameters": parameters.to_json()}


@dataclass(frozen=True)
class Inclusion:
    epoch: int
    opening: dict  # the commitment opening's JSON; circuits.margin.opening reads it
    leaf_index: int
    batch_index: int
    batch_path: tuple[int, ...]
    top_path: tuple[int, ...]
    proof: Proof
    public_preimage: tuple[int, ...]
    verification_key: VerifyingKey
    parameters: MarginParameters

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
            "verification_key": self.verification_key.to_json(),
            "parameters": parameters_json(self.parameters),
        }

    @classmethod
    def from_json(cls, obj: Any, where: str = "inclusion") -> "Inclusion":
        raw = strict_object(obj, _FIELDS, where)
        if raw["format"] != INCLUSION_FORMAT:
            raise FormatError(f"{where}: format must be {INCLUSION_FORMAT!r}")
        if not isinstance(raw["opening"], dict):
            raise FormatError(f"{where}.opening: expected the account's commitment opening")
        return cls(
            read_int(raw["epoch"], f"{where}.epoch", lo=0, hi=1 << 64),
            raw["opening"],
            read_int(raw["leaf_index"], f"{where}.leaf_index", lo=0, hi=1 << 40),
            read_int(raw["batch_index"], f"{where}.batch_index", lo=0, hi=1 << 40),
            _fields(raw["batch_path"], f"{where}.batch_path", 20),
            _fields(raw["top_path"], f"{where}.top_path", 40),
            Proof.from_json(raw["proof"], f"{where}.proof"),
            _fields(raw["public_preimage"], f"{where}.public_preimage", 16),
            VerifyingKey.from_json(raw["verification_key"], f"{where}.verification_key"),
            read_parameters(raw["parameters"], f"{where}.parameters"),
        )


def check_inclusion(inclusion: Inclusion, leaf: int, manifest: Manifest) -> None:
    """Raise FormatError unless ``leaf`` (recomputed from the opening) is in the manifest's tree,
    in the batch the file names, whose public hash the manifest lists and whose proof verifies
    under the tier's key; and unless the parameters are the ones the manifest's digest names."""
    b = inclusion.batch_index
    if inclusion.epoch != manifest.epoch or not 0 <= b < len(manifest.batches):
        raise EpochInvalid("the inclusion file is for another epoch or names a batch the manifest does not have")
    batch = manifest.batches[b]
    size = 1 << len(inclusion.batch_path)
    if inclusion.leaf_index // size != b or len(inclusion.top_path) != (len(manifest.batches) - 1).bit_length():
        raise EpochInvalid("the leaf index, batch index and path lengths do not fit the manifest's tree")
    if walk_path(leaf, inclusion.leaf_index % size, inclusion.batch_path) != batch.subtree_root:
        raise EpochInvalid("the account's leaf does not hash to its batch's subtree root: it is not in that batch")
    if walk_path(batch.subtree_root, b, inclusion.top_path) != manifest.tree_root:
        raise EpochInvalid("the batch root does not hash to the manifest's tree root")
    if list(inclusion.public_preimage) != batch.preimage(manifest, b):
        raise EpochInvalid("the batch's public-hash preimage is not the manifest's")
    if poseidon_sponge(list(inclusion.public_preimage)) != batch.public_hash:
        raise EpochInvalid("the public-hash preimage does not hash to the batch's public hash")
    account = inclusion.opening.get("account")
    ident = account_id(account) if isinstance(account, str) else -1
    if not batch.first_id <= ident <= batch.last_id:
        raise EpochInvalid("the account's identifier lies outside its batch's identifier range")
    if inclusion.parameters.digest(manifest.epoch) != manifest.parameters_digest:
        raise EpochInvalid("the file's parameters are not the ones the manifest's parameters digest names")
    manifest.check_totals(inclusion.parameters.capacity)
    if tier_fingerprint(inclusion.verification_key) != manifest.tiers[batch.tier]:
        raise EpochInvalid(f"the file's verification key is not the manifest's key for tier {batch.tier!r}")
    if not verify(inclusion.verification_key, inclusion.proof, [batch.public_hash]):
        raise EpochInvalid("the batch proof does not verify for the batch's public hash")
