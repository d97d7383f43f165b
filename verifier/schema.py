"""How a statement is declared: its public inputs with their ranges, and its public parameters.

A kind is written down once (kinds.py); derived from it are statement.json's strict JSON
form, the native range checks, the digest order, the circuit's wires and in-circuit range
checks (circuits/declared.py) and the verifier's checks. A parameter is a dataclass field
declared with ``param()``, as gnark tags struct fields: its capacity axes, its range, or a
name. Field order is digest order.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, fields
from typing import Any, Callable, ClassVar, Iterator

from .curve import CURVE_ORDER
from .files import FormatError, read_int
from .poseidon import poseidon_sponge

MAX_SLOTS = 1 << 10  # per capacity axis: keeps every sum far below r / 2
MAX_PARAMETERS = 1 << 14  # all parameter values of one statement: bounds the digest's cost (seconds)
MAX_LABEL = 200  # characters in an instrument, scenario or asset name


def label_field(text: str) -> int:
    """A name (instrument, scenario, asset) as a field element: SHA-256, top 253 bits."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big") >> 3


def strict_object(obj: Any, allowed: tuple[str, ...], where: str, optional: tuple[str, ...] = ()) -> dict:
    """A JSON object with exactly the ``allowed`` keys (``optional`` ones may be absent)."""
    if not isinstance(obj, dict):
        raise FormatError(f"{where}: expected a JSON object")
    for key in [k for k in obj if k not in allowed] + [k for k in allowed if k not in obj and k not in optional]:
        raise FormatError(f"{where}: {'unknown' if key in obj else 'missing'} field {str(key)[:40]!r}")
    return obj


@dataclass(frozen=True)
class Param:
    """One declared parameter: indexed by capacity ``axes``, each value lo <= v < hi, or a name.
    A parameter with an axis of size 0, or ``within`` an axis of size 0, is absent: not read,
    not wired, not digested (an optional feature costs nothing when its axis is 0)."""

    axes: tuple[str, ...]
    lo: int
    hi: int
    label: bool
    within: str = ""


def param(*axes: str, lo: int = 0, hi: int = 1 << 64, label: bool = False, within: str = "", **default: Any) -> Any:
    """``default=`` only for a field added after keys exist (an optional feature, off when absent)."""
    return field(metadata={"param": Param(axes, lo, hi, label, within)}, **default)


@dataclass(frozen=True)
class Capacity:
    """The fixed sizes a circuit and its key are built for (subclassed per statement kind)."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value, low = getattr(self, f.name), f.metadata.get("min", 1)  # an optional axis declares min 0
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MAX_SLOTS:
                raise FormatError(f"capacity: {f.name} must be a whole number from {low} to {MAX_SLOTS}")

    def sizes(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def active(self) -> dict[str, int]:
        """The sizes the digest names: the optional axes (min 0) only when one is in use, so a
        capacity that leaves every optional feature off hashes as it did before they existed."""
        optional = [f.name for f in fields(self) if "min" in f.metadata]
        sizes = self.sizes()
        return {k: v for k, v in sizes.items() if k not in optional or any(sizes[o] for o in optional)}

    def label(self) -> str:
        """8x4x32x2, then each optional axis in use by name: 8x4x32x2-tail-scenarios60."""
        main = [str(getattr(self, f.name)) for f in fields(self) if "min" not in f.metadata]
        extra = [f"-{f.name.replace('_', '-')}{getattr(self, f.name)}" for f in fields(self)
                 if "min" in f.metadata and getattr(self, f.name)]
        return "x".join(main) + "".join(extra)

    @classmethod
    def from_json(cls, obj: Any, where: str) -> "Capacity":
        optional = tuple(f.name for f in fields(cls) if "min" in f.metadata)
        return cls(**strict_object(obj, tuple(f.name for f in fields(cls)), where, optional))


class Parameters:
    """Base of a statement's public parameters: a frozen dataclass of ``param()`` fields.

    The digest is Poseidon's sponge over (tag, capacity sizes, epoch, every value in field
    order, row by row), names as ``label_field`` and signed values as field elements."""

    TAG: ClassVar[int]
    CAPACITY: ClassVar[type[Capacity]]

    @classmethod
    def declared(cls) -> list[tuple[str, Param]]:
        return [(f.name, f.metadata["param"]) for f in fields(cls)]  # type: ignore[arg-type]

    @property
    def capacity(self) -> Capacity:
        sizes: dict[str, int] = {}
        for name, p in self.declared():
            value = getattr(self, name)
            for axis in p.axes:
                sizes.setdefault(axis, len(value))
                value = value[0] if value else ()
        return self.CAPACITY(**sizes)

    @classmethod
    def shapes(cls, capacity: Capacity) -> Iterator[tuple[str, Param, list[int]]]:
        sizes = capacity.sizes()
        for name, p in cls.declared():
            if all(sizes[a] for a in p.axes) and (not p.within or sizes[p.within]):
                yield name, p, [sizes[a] for a in p.axes]

    def field_elements(self, epoch: int) -> list[int]:
        values = [self.TAG, *self.capacity.active().values(), epoch]
        for name, p, _ in self.shapes(self.capacity):
            values += [label_field(v) if p.label else v % CURVE_ORDER for v in _flat(getattr(self, name))]
        return values

    def digest(self, epoch: int) -> int:
        return poseidon_sponge(self.field_elements(epoch))
    def to_json(self) -> dict:
        return {
            name: _nested(getattr(self, name), lambda v: v if p.label else str(v))
            for name, p, _ in self.shapes(self.capacity)
        }

    @classmethod
    def from_json(cls, obj: Any, capacity: Capacity, where: str) -> "Parameters":
        """Strict reading: every declared field, nothing else, each of its shape and range.

        The count of values is capped before any is read, so a capacity of 1024^3 is refused
        at once instead of taking minutes to digest."""
        shapes = list(cls.shapes(capacity))
        count = sum(math.prod(sizes) for _, _, sizes in shapes)
        if count > MAX_PARAMETERS:
            raise FormatError(f"{where}: capacity {capacity.label()} means {count} parameters, over {MAX_PARAMETERS}")
        obj = strict_object(obj, tuple(name for name, _, _ in shapes), where)
        return cls(**{name: _read(obj[name], p, sizes, f"{where}.{name}") for name, p, sizes in shapes})  # type: ignore[call-arg]


def _flat(value: Any) -> Iterator[Any]:
    if isinstance(value, tuple):
        for item in value:
            yield from _flat(item)
    else:
        yield value


def _nested(value: Any, leaf: Callable[[Any], Any]) -> Any:
    return [_nested(v, leaf) for v in value] if isinstance(value, tuple) else leaf(value)


def _read(value: Any, p: Param, sizes: list[int], where: str) -> Any:
    if sizes:
        if not isinstance(value, list) or len(value) != sizes[0]:
            raise FormatError(f"{where}: expected a list of {sizes[0]} entries")
        return tuple(_read(v, p, sizes[1:], f"{where}[{i}]") for i, v in enumerate(value))
    if p.label:
        if not isinstance(value, str) or len(value) > MAX_LABEL:
            raise FormatError(f"{where}: expected a name of at most {MAX_LABEL} characters")
        return value
    return read_int(value, where, lo=p.lo, hi=p.hi)


@dataclass(frozen=True)
class PublicInput:
    """A public input and the range its meaning needs: lo <= v < hi, enforced inside the circuit,
    so that a verifier holding nothing but the proof (snarkjs, a contract) learns the same."""

    name: str
    meaning: str
    lo: int = 0
    hi: int = CURVE_ORDER
    derived: bool = False  # recomputed from the parameters (their digest), not read


@dataclass(frozen=True)
class StatementKind:
    name: str
    public: tuple[PublicInput, ...]
    parameters: type[Parameters] | None
    describe: Callable[[Any], str]  # the claim in words, given a Statement


KINDS: dict[str, StatementKind] = {}


def register(kind: StatementKind) -> StatementKind:
    KINDS[kind.name] = kind
    return kind
