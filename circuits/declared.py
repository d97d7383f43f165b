"""A statement's declaration (verifier/schema.py) turned into wires: the circuit side of "declare once".

``public_inputs`` makes the public input wires in declared order and proves each one's
declared range, so a verifier holding only the proof learns it. ``parameter_wires`` makes
one private wire per parameter value, with the same names and shapes as the dataclass, and
``parameters_digest`` hashes them in declared order: equal to the public digest, it binds
every wire to the published number (whose range the verifier checks).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.schema import Capacity, Parameters, StatementKind, label_field
from zkmargin.verifier.statement import Statement

from .builder import ConstraintSystem, LinearCombination
from .gadgets import assert_between, poseidon_sponge


def public_inputs(
    api: ConstraintSystem, kind: StatementKind, statement: Statement | None
) -> dict[str, LinearCombination]:
    wires = {p.name: api.public_input(p.name, statement.public[p.name] if statement else None) for p in kind.public}
    for p in kind.public:
        if (p.lo, p.hi) != (0, CURVE_ORDER):
            with api.scope(f"{p.name}_range"):
                assert_between(api, wires[p.name], p.lo, p.hi)  # p.lo <= public input < p.hi
    return wires


def parameter_wires(
    api: ConstraintSystem, declaration: type[Parameters], capacity: Capacity, values: Parameters | None
) -> SimpleNamespace:
    """Wires shaped like the declared fields: ``w.unit_loss[i][s]``."""

    def make(name: str, label: bool, sizes: list[int], value: Any) -> Any:
        if sizes:
            return [
                make(f"{name}[{k}]", label, sizes[1:], value[k] if value is not None else None) for k in range(sizes[0])
            ]
        if value is not None and label:
            value = label_field(value)
        return api.private_input(name, value)

    return SimpleNamespace(
        **{
            name: make(name, p.label, sizes, getattr(values, name) if values is not None else None)
            for name, p, sizes in declaration.shapes(capacity)
        }
    )


def parameters_digest(
    api: ConstraintSystem,
    declaration: type[Parameters],
    capacity: Capacity,
    wires: SimpleNamespace,
    epoch: LinearCombination,
) -> LinearCombination:
    """The sponge of Parameters.field_elements, over wires."""

    def flat(value: Any) -> list:
        return [x for item in value for x in flat(item)] if isinstance(value, list) else [value]

    hashed: list = [declaration.TAG, *capacity.active().values(), epoch]
    for name, _, _ in declaration.shapes(capacity):
        hashed += flat(getattr(wires, name))
    return poseidon_sponge(api, hashed)
