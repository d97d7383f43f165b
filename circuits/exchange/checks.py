"""Exchange mode: the signed epoch manifest, Merkle paths and blinded totals (batch Groth16 is in
groth16.py). Ed25519 (the `cryptography` package) is used for the manifest signature only."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any, Sequence

from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.files import FormatError, read_int
from zkmargin.verifier.poseidon import poseidon, poseidon_sponge
from zkmargin.verifier.schema import label_field, strict_object

MANIFEST_FORMAT = "zkmargin-epoch-manifest/1"
ID_BITS = 248  # account identifiers: the first 31 bytes of SHA-256 of the account name
MAX_TOTAL = 1 << 128  # opened totals are signed, |v| < 2^128, taken mod r in the commitment
_field = partial(read_int, lo=0, hi=R)


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
    subtree_root: int
    totals_before: int
    totals_after: int
    public_hash: int
    proof_sha256: str

    def preimage(self, m: "Manifest", index: int) -> list[int]:
        """Hashed into the proof's one public input, so a proof cannot move between epochs or slots."""
        head = [m.epoch, m.market_hash, m.parameters_digest, m.threshold, label_field(self.tier), index]
        return head + [self.first_id, self.last_id, self.subtree_root, self.totals_before, self.totals_after]


@dataclass(frozen=True)
class Manifest:
    epoch: int
    market_hash: int
    parameters_digest: int
    threshold: int
    tiers: dict[str, str]  # tier name -> SHA-256 of its verification_key.json
    batches: tuple[Batch, ...]
    tree_root: int
    total_names: tuple[str, ...]
    totals: tuple[int, ...]
    totals_salt: int

    def to_json(self) -> dict:
        text = {k: v if isinstance(v, (str, dict)) else str(v) for k, v in asdict(self).items() if k != "batches"}
        batches = [{k: v if isinstance(v, str) else str(v) for k, v in asdict(b).items()} for b in self.batches]
        names, totals = list(self.total_names), [str(v) for v in self.totals]
        return {**text, "format": MANIFEST_FORMAT, "batches": batches, "total_names": names, "totals": totals}

    def signing_bytes(self) -> bytes:
        """What the exchange signs: a domain tag, then canonical JSON (sorted keys, no spaces, ASCII)."""
        canonical = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return b"zkmargin epoch manifest v1\n" + canonical.encode()

    def check_chain(self) -> None:
        """Totals chain from zero to the opened totals, identifiers rise across batches, hashes and tree agree."""
        before, last = totals_commitment([0] * len(self.totals), 0), -1
        for b, batch in enumerate(self.batches):
            if batch.tier not in self.tiers:
                raise FormatError(f"batch {b}: tier {batch.tier!r} has no key fingerprint")
            if batch.totals_before != before:
                raise FormatError(f"batch {b}: totals_before is not the previous batch's totals_after")
            if not last < batch.first_id <= batch.last_id:
                raise FormatError(f"batch {b}: identifiers do not rise strictly from the previous batch")
            if poseidon_sponge(batch.preimage(self, b)) != batch.public_hash:
                raise FormatError(f"batch {b}: public_hash is not the hash of the manifest's fields")
            before, last = batch.totals_after, batch.last_id
        if totals_commitment(self.totals, self.totals_salt) != before:
            raise FormatError("the opened totals do not open the last batch's totals commitment")
        if not self.batches or top_root([b.subtree_root for b in self.batches]) != self.tree_root:
            raise FormatError("tree_root is not the root of the top tree over the batch subtree roots")


def parse_manifest(obj: Any, where: str = "manifest") -> Manifest:
    m = strict_object(obj, ("format", *Manifest.__dataclass_fields__), where)
    names, values, tiers = m["total_names"], m["totals"], m["tiers"]
    if m["format"] != MANIFEST_FORMAT or not isinstance(tiers, dict) or not isinstance(m["batches"], list):
        raise FormatError(f"{where}: not a {MANIFEST_FORMAT} (format, tiers or batches)")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise FormatError(f"{where}.total_names: expected a list of distinct names")
    if not isinstance(values, list) or len(values) != len(names):
        raise FormatError(f"{where}.totals: expected one total per name")
    batches = []
    for i, raw in enumerate(m["batches"]):
        at = f"{where}.batches[{i}]"
        b = strict_object(raw, tuple(Batch.__dataclass_fields__), at)
        if b["tier"] not in tiers:
            raise FormatError(f"{at}.tier: not a tier of the manifest")
        ids = [read_int(b[k], f"{at}.{k}", lo=0, hi=1 << ID_BITS) for k in ("first_id", "last_id")]
        hashes = [_field(b[k], f"{at}.{k}") for k in ("subtree_root", "totals_before", "totals_after", "public_hash")]
        batches.append(Batch(b["tier"], *ids, *hashes, _hex(b["proof_sha256"], f"{at}.proof_sha256")))
    return Manifest(
        read_int(m["epoch"], f"{where}.epoch", lo=0, hi=1 << 64),
        *(_field(m[k], f"{where}.{k}") for k in ("market_hash", "parameters_digest")),
        read_int(m["threshold"], f"{where}.threshold", lo=0, hi=1 << 64),
        {str(t): _hex(f, f"{where}.tiers.{t}") for t, f in tiers.items()},
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
        raise FormatError(f"{where}: the signature does not verify under the pinned exchange key") from None
    return manifest
