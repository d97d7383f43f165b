"""statement.json: what a proof is about, read strictly, every field bound or recomputed.

Public inputs must equal the proof's; parameters are range-checked and their digest
recomputed; the capacity is their shape; the timestamp is the epoch's; the key fingerprint
is the key's (bundle.py). Unknown fields are errors. Whether the parameters suit a market is
answered by recomputing them (``zkmargin verify --market``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Any, Sequence

from . import kinds  # noqa: F401  (registers the statement kinds)
from .files import FormatError, read_int
from .schema import KINDS, Parameters, StatementKind, strict_object

STATEMENT_FORMAT = 2
PROTOCOL = "groth16"


class StatementMismatch(FormatError):
    """statement.json is well formed but does not agree with itself or with the proof."""


@dataclass(frozen=True)
class Statement:
    """A statement kind with values for its stored public inputs and, if it has them, parameters."""

    kind: StatementKind
    values: dict[str, int]  # the public inputs that are read, by name
    parameters: Parameters | None = None
    key_fingerprint: str = field(default="", compare=False)

    @cached_property
    def public(self) -> dict[str, int]:
        """Every public input by name; the digest is computed once per statement (a sponge over
        a few hundred parameters is a noticeable cost in Python)."""
        out = dict(self.values)
        if self.parameters is not None:
            out["parameters_digest"] = self.parameters.digest(self.values["epoch"])
        return out

    @property
    def timestamp(self) -> str:
        return datetime.fromtimestamp(self.values["epoch"], timezone.utc).isoformat().replace("+00:00", "Z")

    def public_inputs(self) -> list[int]:
        return [self.public[p.name] for p in self.kind.public]

    def check_public_inputs(self, public: Sequence[int]) -> None:
        """Refuse a proof whose public inputs are not exactly this statement's."""
        expected = self.public_inputs()
        if len(public) != len(expected):
            got, kind = len(public), self.kind.name
            raise FormatError(f"public.json: expected {len(expected)} public inputs for a {kind} proof, got {got}")
        for p, got, want in zip(self.kind.public, public, expected):
            if got != want:
                name = p.name.replace("_", " ")
                raise StatementMismatch(f"public.json: the {name} does not match statement.json (stale or edited?)")

    def describe(self) -> str:
        return self.kind.describe(self)

    def to_json(self) -> dict:
        out: dict[str, Any] = {"format": STATEMENT_FORMAT, "circuit": self.kind.name, "protocol": PROTOCOL}
        if self.parameters is not None:
            out["capacity"] = self.parameters.capacity.sizes()
        for p in self.kind.public:
            out[p.name] = str(self.public[p.name])
        if "epoch" in self.values:
            out["timestamp"] = self.timestamp
        if self.parameters is not None:
            out["parameters"] = self.parameters.to_json()
        if self.key_fingerprint:
            out["key_fingerprint"] = self.key_fingerprint
        return out

    @classmethod
    def from_json(cls, obj: Any, where: str = "statement.json") -> "Statement":
        if not isinstance(obj, dict):
            raise FormatError(f"{where}: expected a JSON object")
        if obj.get("format") != STATEMENT_FORMAT:
            raise FormatError(f"{where}: format {str(obj.get('format'))[:20]!r} is not {STATEMENT_FORMAT}")
        kind = KINDS.get(obj.get("circuit")) if isinstance(obj.get("circuit"), str) else None
        if kind is None:
            raise FormatError(f"{where}: unknown statement {str(obj.get('circuit'))[:40]!r} ({', '.join(KINDS)})")
        has_epoch = any(p.name == "epoch" for p in kind.public)
        allowed = ("format", "circuit", "protocol", "key_fingerprint", *(p.name for p in kind.public))
        allowed += ("timestamp",) * has_epoch + ("capacity", "parameters") * bool(kind.parameters)
        strict_object(obj, allowed, where, optional=("key_fingerprint",))
        if obj["protocol"] != PROTOCOL:
            raise FormatError(f"{where}: protocol {str(obj['protocol'])[:20]!r} is not {PROTOCOL!r}")
        stored = [p for p in kind.public if not p.derived]
        values = {p.name: read_int(obj[p.name], f"{where}.{p.name}", lo=p.lo, hi=p.hi) for p in stored}
        parameters = None
        if kind.parameters is not None:
            capacity = kind.parameters.CAPACITY.from_json(obj["capacity"], f"{where}.capacity")
            parameters = kind.parameters.from_json(obj["parameters"], capacity, f"{where}.parameters")
        fingerprint = obj.get("key_fingerprint", "")
        if not isinstance(fingerprint, str) or len(fingerprint) > 64:
            raise FormatError(f"{where}.key_fingerprint: expected a key fingerprint")
        statement = cls(kind, values, parameters, fingerprint)
        if has_epoch and obj["timestamp"] != statement.timestamp:
            raise StatementMismatch(f"{where}: timestamp {str(obj['timestamp'])[:40]!r} is not the epoch's")
        for p in kind.public:
            if p.derived and str(obj[p.name]) != str(statement.public[p.name]):
                raise StatementMismatch(f"{where}: {p.name} does not match the published parameters (edited?)")
        return statement
