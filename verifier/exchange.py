"""Exchange mode, the verifier's side: the signed epoch manifest, Merkle paths, totals, batch Groth16.

Ed25519 comes from `cryptography` (OpenSSL's audited code), used only to check the manifest
signature; everything else here is Poseidon and py_ecc, as in the rest of the verifier.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from typing import Any, Sequence

from py_ecc import optimized_bn128 as bn

from .curve import CURVE_ORDER as R
from .files import FormatError, read_int
from .formats import _object
from .groth16 import public_input_commitment, verify
from .poseidon import poseidon, poseidon_sponge

MANIFEST_FORMAT = "zkmargin-epoch-manifest/1"
_SIGNING_PREFIX = b"zkmargin epoch manifest v1\n"  # domain separation: these bytes sign nothing else
ID_BITS = 248  # account identifiers: the first 31 bytes of SHA-256 of the account name (see README)
MAX_TOTAL = 1 << 128  # opened totals are signed integers |v| < 2^128, encoded mod r in the commitment


def walk_path(leaf: int, index: int, siblings: Sequence[int]) -> int:
    """The root above ``leaf`` at ``index``: bit l of index says whether level l's node is a right child."""
    if not 0 <= index < 1 << len(siblings):
        raise FormatError(f"leaf index {index} does not fit a path of depth {len(siblings)}")
    for level, sibling in enumerate(siblings):
        leaf = poseidon([sibling, leaf] if index >> level & 1 else [leaf, sibling])
    return leaf


def totals_commitment(values: Sequence[int], salt: int) -> int:
    """T = sponge(totals mod r, salt): hiding while the salt is secret, binding by Poseidon's collision resistance."""
    return poseidon_sponge([v % R for v in values] + [salt])


def strict_object(value: Any, where: str, keys: Sequence[str]) -> dict:
    """Exactly these keys: our own formats refuse unknown ones (snarkjs's files may carry extras)."""
    extra = sorted(set(_object(value, where, keys)) - set(keys))
    if extra:
        raise FormatError(f"{where}: unknown field {extra[0]!r}")
    return value


def _field(value: Any, where: str) -> int:
    return read_int(value, where, lo=0, hi=R)


def _hex(value: Any, where: str, size: int) -> str:
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
        """The batch proof's one public input hashes all of this, so a proof cannot move between epochs or slots."""
        tier = int.from_bytes(self.tier.encode(), "big")
        ids = [self.first_id, self.last_id, self.subtree_root, self.totals_before, self.totals_after]
        return [m.epoch, m.market_hash, m.parameters_digest, m.threshold, tier, index, *ids]


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
        out = asdict(self)
        for key in ("market_hash", "parameters_digest", "tree_root", "totals_salt"):
            out[key] = str(out[key])
        out["totals"], out["total_names"] = [str(v) for v in self.totals], list(self.total_names)
        out["batches"] = [{k: v if isinstance(v, str) else str(v) for k, v in b.items()} for b in out["batches"]]
        return {"format": MANIFEST_FORMAT, **out}

    def signing_bytes(self) -> bytes:
        """Canonical JSON (sorted keys, no spaces, ASCII) of the parsed manifest: what the exchange signs."""
        return _SIGNING_PREFIX + json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode()

    def check_chain(self) -> None:
        """Totals chain from zero to the opened totals; identifiers rise strictly across batches; tiers are keyed."""
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
        if self.batches and _top_root([b.subtree_root for b in self.batches]) != self.tree_root:
            raise FormatError("tree_root is not the root of the top tree over the batch subtree roots")


def _top_root(nodes: list[int]) -> int:
    """The top tree over batch roots, hashed pairwise; an odd level's missing right node is 0 (as in the tree file)."""
    while len(nodes) > 1:
        nodes = [poseidon([*nodes[i : i + 2], 0][:2]) for i in range(0, len(nodes), 2)]
    return nodes[0]


def parse_manifest(obj: Any, where: str = "manifest") -> Manifest:
    keys = ("format", *Manifest.__dataclass_fields__)
    m = strict_object(obj, where, keys)
    if m["format"] != MANIFEST_FORMAT:
        raise FormatError(f"{where}: format must be {MANIFEST_FORMAT!r}")
    if not isinstance(m["tiers"], dict) or not all(isinstance(t, str) and t for t in m["tiers"]):
        raise FormatError(f"{where}.tiers: expected an object of tier name -> key SHA-256")
    names, values = m["total_names"], m["totals"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise FormatError(f"{where}.total_names: expected a list of distinct names")
    if not isinstance(values, list) or len(values) != len(names) or not isinstance(m["batches"], list):
        raise FormatError(f"{where}: totals must match total_names, batches must be a list")
    batches = []
    for i, raw in enumerate(m["batches"]):
        b, at = strict_object(raw, f"{where}.batches[{i}]", tuple(Batch.__dataclass_fields__)), f"{where}.batches[{i}]"
        if not isinstance(b["tier"], str) or not 0 < len(b["tier"].encode()) <= 31:
            raise FormatError(f"{at}.tier: expected a name of 1 to 31 bytes")
        ids = [read_int(b[k], f"{at}.{k}", lo=0, hi=1 << ID_BITS) for k in ("first_id", "last_id")]
        hashes = [_field(b[k], f"{at}.{k}") for k in ("subtree_root", "totals_before", "totals_after", "public_hash")]
        batches.append(Batch(b["tier"], *ids, *hashes, _hex(b["proof_sha256"], f"{at}.proof_sha256", 32)))
    return Manifest(
        read_int(m["epoch"], f"{where}.epoch", lo=0, hi=1 << 64),
        *(_field(m[k], f"{where}.{k}") for k in ("market_hash", "parameters_digest")),
        read_int(m["threshold"], f"{where}.threshold", lo=0, hi=1 << 64),
        {t: _hex(f, f"{where}.tiers.{t}", 32) for t, f in m["tiers"].items()},
        tuple(batches),
        _field(m["tree_root"], f"{where}.tree_root"),
        tuple(names),
        tuple(read_int(v, f"{where}.totals[{i}]", lo=1 - MAX_TOTAL, hi=MAX_TOTAL) for i, v in enumerate(values)),
        _field(m["totals_salt"], f"{where}.totals_salt"),
    )


def read_signed_manifest(obj: Any, public_key_pem: bytes, where: str = "manifest.json") -> Manifest:
    """Parse {"manifest": ..., "ed25519_signature": hex} and check the signature under the pinned key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    outer = strict_object(obj, where, ("manifest", "ed25519_signature"))
    manifest = parse_manifest(outer["manifest"], f"{where}.manifest")
    try:
        key = load_pem_public_key(public_key_pem)
    except ValueError:
        raise FormatError("the exchange key is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise FormatError("the exchange key is not an Ed25519 public key")
    try:
        key.verify(bytes.fromhex(_hex(outer["ed25519_signature"], f"{where}.ed25519_signature", 64)),
                   manifest.signing_bytes())
    except InvalidSignature:
        raise FormatError(f"{where}: the signature does not verify under the pinned exchange key") from None
    return manifest


def batch_verify(items: Sequence[tuple[Any, Any, Sequence[int]]]) -> list[int]:
    """Indices of the invalid (key, proof, public inputs) triples; [] when all verify.

    Per key, with fresh random 128-bit r_i, all proofs hold together when
      prod_i e(-r_i A_i, B_i) * e(alpha, beta)^(sum r_i) * e(sum_i r_i IC(x_i), gamma) * e(sum_i r_i C_i, delta) = 1,
    one multi-Miller loop of n + 3 pairs and one final exponentiation. A bad proof passes only if the r_i hit
    a root of a nonzero linear relation: probability 2^-128. A failing group is halved to name the bad proofs.
    """
    groups: dict[int, list[int]] = {}
    for i, (vk, _, _) in enumerate(items):
        groups.setdefault(id(vk), []).append(i)
    bad: list[int] = []
    for indices in groups.values():
        bad += _bisect(items, indices)
    return sorted(bad)


def _bisect(items: Sequence, indices: list[int]) -> list[int]:
    if len(indices) == 1:
        vk, proof, inputs = items[indices[0]]
        return [] if verify(vk, proof, inputs) else indices
    if _holds_together(items, indices):
        return []
    half = len(indices) // 2
    return _bisect(items, indices[:half]) + _bisect(items, indices[half:])


def _holds_together(items: Sequence, indices: list[int]) -> bool:
    vk = items[indices[0]][0]
    weights = [secrets.randbits(128) | 1 for _ in indices]
    inputs = [sum(w * items[i][2][j] for w, i in zip(weights, indices)) % R for j in range(vk.n_public)]
    for i in indices:
        public_input_commitment(vk, items[i][2])  # count and range of each proof's inputs, as verify checks
    ic = bn.add(public_input_commitment(vk, inputs), bn.multiply(vk.ic[0], (sum(weights) - 1) % R))
    c = bn.Z1
    product = bn.FQ12.one()
    for w, i in zip(weights, indices):
        proof = items[i][1]
        c = bn.add(c, bn.multiply(proof.c, w))
        product = product * bn.pairing(proof.b, bn.neg(bn.multiply(proof.a, w)), final_exponentiate=False)
    for g2, g1 in ((vk.beta_2, bn.multiply(vk.alpha_1, sum(weights) % R)), (vk.gamma_2, ic), (vk.delta_2, c)):
        product = product * bn.pairing(g2, g1, final_exponentiate=False)  # py_ecc: a pair with O gives 1
    return bn.final_exponentiate(product) == bn.FQ12.one()
