"""The circuits zkmargin can set up and prove, by name.

A circuit entry knows how to build its constraints (with or without input values), how
to read and validate its input file, and how to say in words what a proof of it means.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable

from zkmargin.verifier.files import FormatError

from .builder import ConstraintSystem
from .r1cs import R1CS


@dataclass(frozen=True)
class CircuitSpec:
    name: str
    summary: str
    #: build(api, inputs or None): adds the circuit's wires and constraints to api
    build: Callable[[ConstraintSystem, Any], None]
    #: parse_input(raw JSON, file label) -> validated inputs for build; FormatError if bad
    parse_input: Callable[[Any, str], Any]
    #: the bundled sample input file name (in zkmargin.circuits/samples)
    sample: str
    #: describe(public inputs) -> one sentence saying what a valid proof establishes
    describe: Callable[[list[int]], str]

    def constraint_system(self, inputs: Any = None, tamper=None) -> ConstraintSystem:
        api = ConstraintSystem(tamper=tamper)
        self.build(api, inputs)
        return api

    def compile(self) -> R1CS:
        return self.constraint_system().compile()

    def sample_input(self) -> Any:
        return json.loads(resources.files("zkmargin.circuits").joinpath("samples", self.sample).read_text())


_CATALOG: dict[str, CircuitSpec] = {}


def register(spec: CircuitSpec) -> CircuitSpec:
    _CATALOG[spec.name] = spec
    return spec


def names() -> list[str]:
    _load()
    return sorted(_CATALOG)


def get(name: str) -> CircuitSpec:
    _load()
    if name not in _CATALOG:
        raise FormatError(f"unknown circuit {name!r}; available: {', '.join(sorted(_CATALOG))}")
    return _CATALOG[name]


def _load() -> None:
    from . import solvency_basic  # noqa: F401  (each module registers its circuits)
