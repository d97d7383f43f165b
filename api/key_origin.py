"""How a bundle's key was made, as the prover records it: development (one party knows the
trapdoor) or a ceremony (its contribution hashes).

The record is the prover's claim, kept beside statement.json rather than in it: nothing in
a bundle can prove it, because the ceremony transcript lives in the .zkey. A user who wants
more runs `zkmargin ceremony verify` on the published key, circuit and ptau. What the record
does is make a development key impossible to miss.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zkmargin.circuits.files import write_json
from zkmargin.prover.groth16.ceremony import key_origin
from zkmargin.prover.groth16.zkey import ProvingKey
from zkmargin.verifier.files import FormatError, read_json
from zkmargin.verifier.schema import strict_object

KEY_ORIGIN = "key_origin.json"
_HEX = set("0123456789abcdef")


@dataclass(frozen=True)
class KeyOrigin:
    kind: str  # "development" or "ceremony"
    contributions: tuple[str, ...]  # contribution hashes, hex, in order
    beacon: bool
    circuit_hash: str | None

    @classmethod
    def of(cls, pk: ProvingKey) -> "KeyOrigin":
        origin = key_origin(pk)
        return cls(origin["kind"], tuple(origin["contributions"]), origin["beacon"], origin["circuit_hash"])

    def describe(self) -> str:
        if self.kind == "development":
            return "WARNING: a development key: whoever ran its setup knows the trapdoor and could forge this proof"
        last = self.contributions[-1][:32] if self.contributions else "?"
        beacon = " and a final beacon" if self.beacon else " and NO final beacon"
        return (
            f"key from a ceremony of {len(self.contributions)} contribution(s){beacon}, last hash {last}..., "
            "as the prover claims: check it with `zkmargin ceremony verify`"
        )

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "contributions": list(self.contributions),
            "beacon": self.beacon,
            "circuit_hash": self.circuit_hash,
        }

    @classmethod
    def from_json(cls, obj: object, where: str = KEY_ORIGIN) -> "KeyOrigin":
        obj = strict_object(obj, ("kind", "contributions", "beacon", "circuit_hash"), where)
        hashes = obj["contributions"]
        if obj["kind"] not in ("development", "ceremony") or not isinstance(obj["beacon"], bool):
            raise FormatError(f"{where}: kind must be development or ceremony, beacon true or false")
        if (
            not isinstance(hashes, list)
            or len(hashes) > 1024
            or not all(isinstance(h, str) and len(h) == 128 and set(h) <= _HEX for h in hashes)
        ):
            raise FormatError(f"{where}: contributions must be a list of 64-byte hashes in hex")
        if (obj["kind"] == "ceremony") != bool(hashes):
            raise FormatError(f"{where}: a ceremony key lists its contributions, a development key none")
        circuit = obj["circuit_hash"]
        if circuit is not None and not (isinstance(circuit, str) and len(circuit) == 128 and set(circuit) <= _HEX):
            raise FormatError(f"{where}: circuit_hash must be a 64-byte hash in hex, or null")
        return cls(obj["kind"], tuple(hashes), obj["beacon"], circuit)


def write_key_origin(bundle: Path, pk: ProvingKey) -> None:
    write_json(bundle / KEY_ORIGIN, KeyOrigin.of(pk).to_json())


def read_key_origin(bundle: Path) -> KeyOrigin | None:
    """None when the bundle records nothing (snarkjs files, older bundles)."""
    path = bundle / KEY_ORIGIN
    return KeyOrigin.from_json(read_json(path, limit=1 << 20)) if path.is_file() else None
