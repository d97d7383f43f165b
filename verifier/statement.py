"""statement.json: what a portfolio-margin proof is about, and the digest that binds it.

The proof's four public inputs are, in order:
  0 commitment   Poseidon sponge of the private portfolio breakdown and a random salt
  1 digest       Poseidon sponge of every public parameter below (and the epoch)
  2 epoch        the market snapshot's time, Unix seconds
  3 threshold    the margin ratio proven, times 10^4 (10000 = collateral covers 1.0x)

The verifier never trusts statement.json: it checks the ranges of every parameter (the
circuit's overflow bounds rely on them), recomputes the digest, and compares all four
values with the proof's public inputs. Whether the risk arrays are the right ones for a
market is a separate question, answered by recomputing them (``zkmargin verify --market
--model``) or by comparing with the arrays a clearing house publishes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Sequence

from .curve import CURVE_ORDER
from .files import FormatError, read_int
from .poseidon import poseidon_sponge

STATEMENT_FORMAT = 1
CIRCUIT = "portfolio-margin"
TAG_PORTFOLIO, TAG_PARAMETERS = 1, 2  # domain separation between the two sponges

PARAMETER_BITS = 64  # |unit values and losses| < 2^64; rates and collateral values in [0, 2^64)
THRESHOLD_SCALE = 10_000
THRESHOLD_BITS = 20  # threshold < 2^20 / 10^4, about 104x
MAX_SLOTS = 1 << 10  # positions, collateral assets or scenarios: keeps sums far below r / 2


class StatementMismatch(FormatError):
    """statement.json is well formed but does not agree with itself or with the proof."""


def label_field(text: str) -> int:
    """A name (instrument, scenario, asset) as a field element: SHA-256, top 253 bits."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big") >> 3


def _ints(value: Any, length: int, where: str, signed: bool) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) != length:
        raise FormatError(f"{where}: expected a list of {length} integers")
    bound = 1 << PARAMETER_BITS
    out = []
    for i, v in enumerate(value):
        if isinstance(v, str):  # digits counted before int(): "--5" or 5,000 digits are errors
            v = read_int(v, f"{where}[{i}]", lo=-(1 << 256), hi=1 << 256)
        if not isinstance(v, int) or isinstance(v, bool):
            raise FormatError(f"{where}[{i}]: expected an integer, got {v!r}")
        if not (-bound < v < bound if signed else 0 <= v < bound):
            raise FormatError(f"{where}[{i}]: {v} is outside the range the circuit is built for")
        out.append(v)
    return tuple(out)


def _labels(value: Any, length: int, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) != length or not all(isinstance(v, str) for v in value):
        raise FormatError(f"{where}: expected a list of {length} names")
    return tuple(value)


@dataclass(frozen=True)
class Capacity:
    """The fixed sizes a circuit (and its key) is built for; portfolios are padded to them."""

    positions: int
    collateral: int
    scenarios: int

    def __post_init__(self) -> None:
        for name in ("positions", "collateral", "scenarios"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 1 <= value <= MAX_SLOTS:
                raise FormatError(f"capacity: {name} must be a whole number from 1 to {MAX_SLOTS}")

    def label(self) -> str:
        return f"{self.positions}x{self.collateral}x{self.scenarios}"


@dataclass(frozen=True)
class PublicParameters:
    """Per-unit numbers in fixed point (units of 1/scale), one row per position slot.

    unit_value[i]        mark-to-market value of one unit of instrument i (negative for a liability)
    unit_loss[i][s]      loss of one long unit in scenario s, weighted, rounded up
    short_option_min[i]  add-on per short unit (options only)
    contingency[i]       add-on per unit held long or short (perpetuals, futures)
    collateral_value[j]  value of one unit of collateral asset j after its haircut, rounded down
    """

    scale: int
    instruments: tuple[str, ...]
    scenarios: tuple[str, ...]
    collateral_assets: tuple[str, ...]
    unit_value: tuple[int, ...]
    unit_loss: tuple[tuple[int, ...], ...]
    short_option_min: tuple[int, ...]
    contingency: tuple[int, ...]
    collateral_value: tuple[int, ...]

    @property
    def capacity(self) -> Capacity:
        return Capacity(len(self.instruments), len(self.collateral_assets), len(self.scenarios))

    def field_elements(self, epoch: int) -> list[int]:
        """The exact sequence the circuit hashes, signed values as field elements."""
        cap = self.capacity
        values = [TAG_PARAMETERS, cap.positions, cap.collateral, cap.scenarios, self.scale, epoch]
        values += [label_field(x) for x in (*self.instruments, *self.scenarios, *self.collateral_assets)]
        values += list(self.unit_value)
        for row in self.unit_loss:
            values += list(row)
        values += [*self.short_option_min, *self.contingency, *self.collateral_value]
        return [v % CURVE_ORDER for v in values]

    def digest(self, epoch: int) -> int:
        return poseidon_sponge(self.field_elements(epoch))

    def to_json(self) -> dict:
        return {
            "scale": self.scale,
            "instruments": list(self.instruments),
            "scenarios": list(self.scenarios),
            "collateral_assets": list(self.collateral_assets),
            "unit_value": [str(v) for v in self.unit_value],
            "unit_loss": [[str(v) for v in row] for row in self.unit_loss],
            "short_option_min": [str(v) for v in self.short_option_min],
            "contingency": [str(v) for v in self.contingency],
            "collateral_value": [str(v) for v in self.collateral_value],
        }

    @classmethod
    def from_json(cls, obj: Any, where: str = "parameters") -> "PublicParameters":
        if not isinstance(obj, dict):
            raise FormatError(f"{where}: expected a JSON object")
        keys = ("scale", "instruments", "scenarios", "collateral_assets", "unit_value", "unit_loss", "short_option_min", "contingency", "collateral_value")
        for key in keys:
            if key not in obj:
                raise FormatError(f"{where}: missing field {key!r}")
        scale = obj["scale"]
        if not isinstance(scale, int) or isinstance(scale, bool) or not 1 <= scale < (1 << PARAMETER_BITS):
            raise FormatError(f"{where}.scale: expected a positive integer")
        if not isinstance(obj["instruments"], list) or not isinstance(obj["scenarios"], list) or not isinstance(obj["collateral_assets"], list):
            raise FormatError(f"{where}: instruments, scenarios and collateral_assets must be lists")
        n, s, c = len(obj["instruments"]), len(obj["scenarios"]), len(obj["collateral_assets"])
        Capacity(n, c, s)  # validates the sizes
        loss = obj["unit_loss"]
        if not isinstance(loss, list) or len(loss) != n:
            raise FormatError(f"{where}.unit_loss: expected {n} rows")
        return cls(
            scale=scale,
            instruments=_labels(obj["instruments"], n, f"{where}.instruments"),
            scenarios=_labels(obj["scenarios"], s, f"{where}.scenarios"),
            collateral_assets=_labels(obj["collateral_assets"], c, f"{where}.collateral_assets"),
            unit_value=_ints(obj["unit_value"], n, f"{where}.unit_value", signed=True),
            unit_loss=tuple(_ints(row, s, f"{where}.unit_loss[{i}]", signed=True) for i, row in enumerate(loss)),
            short_option_min=_ints(obj["short_option_min"], n, f"{where}.short_option_min", signed=False),
            contingency=_ints(obj["contingency"], n, f"{where}.contingency", signed=False),
            collateral_value=_ints(obj["collateral_value"], c, f"{where}.collateral_value", signed=False),
        )


def _field(obj: dict, key: str, where: str, bound: int) -> int:
    value = obj.get(key)
    if isinstance(value, str) and value.isdigit() and value.isascii() and len(value) <= 100:  # int() of 5,000 digits raises
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < bound:
        raise FormatError(f"{where}.{key}: expected a whole number below {bound}")
    return value


@dataclass(frozen=True)
class Statement:
    epoch: int
    timestamp: str
    threshold: int  # x 10^4
    commitment: int
    parameters: PublicParameters
    account_label: str = ""  # optional, descriptive (the account id itself is private)

    @property
    def capacity(self) -> Capacity:
        return self.parameters.capacity

    @cached_property
    def parameters_digest(self) -> int:
        """Computed once per statement: describing, checking and writing it all read it, and
        each Poseidon sponge over a few hundred parameters costs ~70 ms in Python."""
        return self.parameters.digest(self.epoch)

    def public_inputs(self) -> list[int]:
        return [self.commitment, self.parameters_digest, self.epoch, self.threshold]

    def check_public_inputs(self, public: Sequence[int]) -> None:
        """Refuse a proof whose public inputs are not exactly this statement's."""
        names = ("portfolio commitment", "parameter digest", "epoch", "threshold")
        expected = self.public_inputs()
        if len(public) != len(expected):
            raise FormatError(f"public.json: expected {len(expected)} public inputs for a portfolio-margin proof, got {len(public)}")
        for name, got, want in zip(names, public, expected):
            if got != want:
                raise StatementMismatch(f"public.json: the {name} does not match statement.json (stale or edited parameters?)")

    def describe(self) -> str:
        ratio = f"{self.threshold / THRESHOLD_SCALE:g}x " if self.threshold != THRESHOLD_SCALE else ""
        return (
            f"for the portfolio committed as {self.commitment}, at epoch {self.epoch} ({self.timestamp}): "
            f"collateral after haircuts plus position value covers {ratio}the worst loss over "
            f"{len(self.parameters.scenarios)} stress scenarios plus add-ons "
            f"(parameters digest {self.parameters_digest})"
        )

    def to_json(self, key_fingerprint: str | None = None) -> dict:
        cap = self.capacity
        out = {
            "format": STATEMENT_FORMAT,
            "circuit": CIRCUIT,
            "capacity": {"positions": cap.positions, "collateral": cap.collateral, "scenarios": cap.scenarios},
            "epoch": self.epoch,
            "timestamp": self.timestamp,
            "threshold": str(self.threshold),
            "commitment": str(self.commitment),
            "parameters_digest": str(self.parameters_digest),
            "parameters": self.parameters.to_json(),
        }
        if self.account_label:
            out["account"] = self.account_label
        if key_fingerprint:
            out["key_fingerprint"] = key_fingerprint
        return out

    @classmethod
    def from_json(cls, obj: Any, where: str = "statement.json") -> "Statement":
        if not isinstance(obj, dict):
            raise FormatError(f"{where}: expected a JSON object")
        if obj.get("format") != STATEMENT_FORMAT:
            raise FormatError(f"{where}: format {obj.get('format')!r} is not supported (expected {STATEMENT_FORMAT})")
        if obj.get("circuit") != CIRCUIT:
            raise FormatError(f"{where}: circuit {obj.get('circuit')!r} is not {CIRCUIT!r}")
        parameters = PublicParameters.from_json(obj.get("parameters"), f"{where}: parameters")
        capacity = obj.get("capacity")
        if capacity != {"positions": parameters.capacity.positions, "collateral": parameters.capacity.collateral, "scenarios": parameters.capacity.scenarios}:
            raise FormatError(f"{where}: capacity does not match the sizes of the parameters")
        threshold = _field(obj, "threshold", where, 1 << THRESHOLD_BITS)
        if threshold < THRESHOLD_SCALE:
            raise FormatError(f"{where}.threshold: a margin ratio below 1.0 does not show solvency")
        statement = cls(
            epoch=_field(obj, "epoch", where, 1 << 64),
            timestamp=str(obj.get("timestamp", "")),
            threshold=threshold,
            commitment=_field(obj, "commitment", where, CURVE_ORDER),
            parameters=parameters,
            account_label=str(obj.get("account", "")),
        )
        claimed = obj.get("parameters_digest")
        if claimed is not None and str(claimed) != str(statement.parameters_digest):
            raise StatementMismatch(f"{where}: parameters_digest does not match the published parameters (they were edited)")
        return statement
