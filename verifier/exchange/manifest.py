"""The signed epoch manifest, the tree's path walk and the blinded totals commitment.

Ed25519 (the `cryptography` package) is used for the manifest signature only."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any, Sequence

from ..curve import CURVE_ORDER as R
from ..files import FormatError, read_int
from ..formats import VerifyingKey
from ..kinds import EPOCH_BITS, THRESHOLD_BITS, THRESHOLD_SCALE
from ..poseidon import poseidon, poseidon_sponge
from ..schema import label_field, strict_object

MANIFEST_FORMAT = "zkmargin-epoch-manifest/1"
ID_BITS = 248  # account identifiers: the first 31 bytes of SHA-256 of the account name
MAX_TOTAL = 1 << 128  # opened totals are signed, |v| < 2^128, taken mod r in the commitment
_field = partial(read_int, lo=0, hi=R)
#: The batch statement's public-hash preimage, in order (the batch circuit hashes these wires).
PREIMAGE = ("epoch", "market_hash", "parameters_digest", "threshold", "tier", "index", "first_id", "last_id",
            "accounts", "subtree_root", "totals_before", "totals_after")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # a tier names a folder: keys/<tier>/


class EpochInvalid(FormatError):
    """Well-formed files that do not check out (signature, chain, tree, proofs): exit 1, not 2."""


def account_id(account: str) -> int:
    """An account's identifier: the first 31 bytes of SHA-256(name), big-endian. The single
    statement's committed account is SHA-256's top 253 bits, so it is id * 2^5 + (5 more bits)."""
    return int.from_bytes(hashlib.sha256(account.encode("utf-8")).digest()[: ID_BITS // 8], "big")


def tier_fingerprint(vk: VerifyingKey) -> str:
    """SHA-256 of the key's canonical JSON: what the manifest lists per tier."""
    return hashlib.sha256(json.dumps(vk.to_json(), sort_keys=True).encode()).hexdigest()


def walk_path(leaf: int, index: int, siblings: Sequence[int]) -> int:
    """The root above ``leaf``: bit l of ``index`` set means the level-l node is a right child."""
    if not 0 <= index < 1 << len(siblings):
        raise FormatError(f"leaf index {index} does not fit a path of depth {len(siblings)}")
    for level, sibling in enumerate(siblings):
        leaf = poseidon([sibling, leaf] if index >> level & 1 else [leaf, sibling])
    return leaf


def top_root(nodes: list[int]) -> int:
    """The top tree over batch roots; an odd level is completed with a 0 node, as in the tree file."""
    while len(nodes) > 1:
        nodes = [poseidon([*nodes[i : i + 2], 0][:2]) for i in range(0, len(nodes), 2)]
    return nodes[0]


def total_names(capacity) -> tuple[str, ...]:
    """The totals vector in the batch circuit's order. The commitment binds values by position
    only, so a manifest must open them under exactly these names, or it could relabel them."""
    n, c, s = capacity.positions, capacity.collateral, capacity.scenarios
    return (*(f"collateral[{j}]" for j in range(c)), *(f"long[{i}]" for i in range(n)),
            *(f"short[{i}]" for i in range(n)), "requirement", "available", *(f"loss[{k}]" for k in range(s)),
            "accounts", "shortfall_accounts", "shortfall_sum")


def totals_commitment(values: Sequence[int], salt: int) -> int:
    """Hiding while the salt is secret; binding by Poseidon's collision resistance."""
    return poseidon_sponge([v % R for v in values] + [salt])


def _hex(value: Any, where: str, size: int = 32) -> str:
    if not isinstance(value, str) or len(value) != 2 * size or value.strip("0123456789abcdef"):
        raise FormatError(f"{where}: expected {2 * size} lowercase hex digits")
    return value


@dataclass(frozen=True)
class Batch:
    tier: str
    first_id: int
    last_id: int
    accounts: int
    subtree_root: int
    totals_before: int
    totals_after: int
    public_hash: int
    proof_sha256: str

    def preimage(self, m: "Manifest", index: int) -> list[int]:
        """Hashed into the proof's one public input, so a proof cannot move between epochs or slots."""
        head = {"epoch": m.epoch, "market_hash": m.market_hash, "parameters_digest": m.parameters_digest,
                "threshold": m.threshold, "tier": label_field(self.tier), "index": index}
        return [head[k] if k in head else getattr(self, k) for k in PREIMAGE]


@dataclass(frozen=True)
class Manifest:
    epoch: int
    market_hash: int
    parameters_digest: int
    threshold: int
    tiers: dict[str, str]  # tier name -> tier_fingerprint of its verification key
    batches: tuple[Batch, ...]
    tree_root: int
    total_names: tuple[str, ...]
    totals: tuple[int, ...]
    totals_salt: int

    def total(self, name: str) -> int:
        if name not in self.total_names:
            raise FormatError(f"the manifest opens no total named {name!r}")
        return self.totals[self.total_names.index(name)]

    def to_json(self) -> dict:
        text = {k: v if isinstance(v, (str, dict)) else str(v) for k, v in asdict(self).items() if k != "batches"}
        batches = [{k: v if isinstance(v, str) else str(v) for k, v in asdict(b).items()} for b in self.batches]
        names, totals = list(self.total_names), [str(v) for v in self.totals]
        return {**text, "format": MANIFEST_FORMAT, "batches": batches, "total_names": names, "totals": totals}

    def signing_bytes(self) -> bytes:
        """What the exchange signs: a domain tag, then canonical JSON (sorted keys, no spaces, ASCII)."""
        canonical = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return b"zkmargin epoch manifest v1\n" + canonical.encode()

    def check_totals(self, capacity) -> None:
        """The opened totals carry the circuit's names, in its order, and open the last batch's
        commitment: what a user may read from the manifest without checking every batch."""
        if self.total_names != total_names(capacity):
            raise EpochInvalid("total_names are not the batch circuit's totals, in its order")
        self._check_opening()

    def _check_opening(self) -> None:
        if not self.batches or totals_commitment(self.totals, self.totals_salt) != self.batches[-1].totals_after:
            raise EpochInvalid("the opened totals do not open the last batch's totals commitment")

    def check_chain(self) -> None:
        """Totals chain from zero to the opened totals, identifiers rise across batches, hashes and tree agree."""
        before, last = totals_commitment([0] * len(self.totals), 0), -1
        for b, batch in enumerate(self.batches):
            if batch.tier not in self.tiers:
                raise EpochInvalid(f"batch {b}: tier {batch.tier!r} has no key fingerprint")
            if batch.totals_before != before:
                raise EpochInvalid(f"batch {b}: totals_before is not the previous batch's totals_after")
            if not last < batch.first_id <= batch.last_id:
                raise EpochInvalid(f"batch {b}: identifiers do not rise strictly from the previous batch")
            if not batch.accounts <= batch.last_id - batch.first_id + 1:
                raise EpochInvalid(f"batch {b}: more accounts than identifiers in its range")
            if poseidon_sponge(batch.preimage(self, b)) != batch.public_hash:
                raise EpochInvalid(f"batch {b}: public_hash is not the hash of the manifest's fields")
            before, last = batch.totals_after, batch.last_id
        self._check_opening()
        if self.total("accounts") != sum(b.accounts for b in self.batches):
            raise EpochInvalid("the opened account count is not the sum of the batches' counts")
        if not self.batches or top_root([b.subtree_root for b in self.batches]) != self.tree_root:
            raise EpochInvalid("tree_root is not the root of the top tree over the batch subtree roots")


def parse_manifest(obj: Any, where: str = "manifest") -> Manifest:
    m = strict_object(obj, ("format", *Manifest.__dataclass_fields__), where)
    names, values, tiers = m["total_names"], m["totals"], m["tiers"]
    if m["format"] != MANIFEST_FORMAT or not isinstance(tiers, dict) or not isinstance(m["batches"], list):
        raise FormatError(f"{where}: not a {MANIFEST_FORMAT} (format, tiers or batches)")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise FormatError(f"{where}.total_names: expected a list of distinct names")
    if not all(_SAFE_NAME.fullmatch(t) for t in tiers):
        raise FormatError(f"{where}.tiers: a tier name is letters, digits, '_', '.' and '-' (it names a folder)")
    if not isinstance(values, list) or len(values) != len(names):
        raise FormatError(f"{where}.totals: expected one total per name")
    batches = []
    for i, raw in enumerate(m["batches"]):
        at = f"{where}.batches[{i}]"
        b = strict_object(raw, tuple(Batch.__dataclass_fields__), at)
        if not isinstance(b["tier"], str) or b["tier"] not in tiers:
            raise FormatError(f"{at}.tier: not a tier of the manifest")
        ids = [read_int(b[k], f"{at}.{k}", lo=0, hi=1 << ID_BITS) for k in ("first_id", "last_id")]
        count = read_int(b["accounts"], f"{at}.accounts", lo=1, hi=1 << 20)
        hashes = [_field(b[k], f"{at}.{k}") for k in ("subtree_root", "totals_before", "totals_after", "public_hash")]
        batches.append(Batch(b["tier"], *ids, count, *hashes, _hex(b["proof_sha256"], f"{at}.proof_sha256")))
    return Manifest(
        read_int(m["epoch"], f"{where}.epoch", lo=0, hi=1 << EPOCH_BITS),
        *(_field(m[k], f"{where}.{k}") for k in ("market_hash", "parameters_digest")),
        read_int(m["threshold"], f"{where}.threshold", lo=THRESHOLD_SCALE, hi=1 << THRESHOLD_BITS),
        {t: _hex(f, f"{where}.tiers.{t[:64]}") for t, f in tiers.items()},
        tuple(batches),
        _field(m["tree_root"], f"{where}.tree_root"),
        tuple(names),
        tuple(read_int(v, f"{where}.totals[{i}]", lo=1 - MAX_TOTAL, hi=MAX_TOTAL) for i, v in enumerate(values)),
        _field(m["totals_salt"], f"{where}.totals_salt"),
    )


def read_signed_manifest(obj: Any, public_key_pem: bytes, where: str = "manifest.json") -> Manifest:
    """Parse {"manifest", "ed25519_signature"} and check the signature under the key the user pinned."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    outer = strict_object(obj, ("manifest", "ed25519_signature"), where)
    manifest = parse_manifest(outer["manifest"], f"{where}.manifest")
    try:
        key = load_pem_public_key(public_key_pem)
    except ValueError:
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise FormatError("the exchange key is not an Ed25519 public key in PEM")
    try:
        key.verify(bytes.fromhex(_hex(outer["ed25519_signature"], f"{where}.signature", 64)), manifest.signing_bytes())
    except InvalidSignature:
        raise EpochInvalid(f"{where}: the signature does not verify under the pinned exchange key") from None
    return manifest
