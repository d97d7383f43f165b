"""The minimal solvency statement: committed collateral covers a committed requirement.

Private: collateral and requirement (whole units, < 2^64) and a blinding salt.
Public:  commitment = Poseidon(collateral, requirement, salt).
Proves:  requirement <= collateral, both range-checked to 64 bits.

It exercises every layer with the smallest real statement, which makes it the circuit of
the snarkjs interoperability tests; the portfolio-margin circuit computes the requirement
itself instead of taking it as an input.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.poseidon import poseidon

from .builder import ConstraintSystem
from .r1cs import R1CS
from .gadgets import assert_in_range, assert_less_or_equal, poseidon_hash

AMOUNT_BITS = 64


def build(api: ConstraintSystem, inputs: dict[str, int] | None) -> None:
    inputs = inputs or {}
    commitment = api.public_input("commitment", commitment_of(inputs) if inputs else None)
    collateral = api.private_input("collateral", inputs.get("collateral"))
    requirement = api.private_input("requirement", inputs.get("requirement"))
    salt = api.private_input("salt", inputs.get("salt"))
    with api.scope("amounts"):
        assert_in_range(api, collateral, AMOUNT_BITS)
        assert_in_range(api, requirement, AMOUNT_BITS)
    with api.scope("solvent"):
        assert_less_or_equal(api, requirement, collateral, AMOUNT_BITS)
    with api.scope("commitment"):
        api.assert_equal(poseidon_hash(api, [collateral, requirement, salt]), commitment)


def commitment_of(inputs: dict[str, int]) -> int:
    return poseidon([inputs["collateral"], inputs["requirement"], inputs["salt"]])


def parse_input(raw: Any, where: str) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise FormatError(f"{where}: expected a JSON object with collateral, requirement and salt")
    out = {}
    for field, bound in (("collateral", 1 << AMOUNT_BITS), ("requirement", 1 << AMOUNT_BITS), ("salt", CURVE_ORDER)):
        if field not in raw:
            raise FormatError(f"{where}: missing field {field!r}")
        value = raw[field]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.isascii() or not value.isdigit():
            raise FormatError(f"{where}: {field} must be a non-negative whole number, got {raw[field]!r}")
        number = int(value)
        if number >= bound:
            raise FormatError(f"{where}: {field} is out of range (must be below {bound})")
        out[field] = number
    if out["requirement"] > out["collateral"]:
        raise FormatError(
            f"{where}: insolvent: requirement {out['requirement']} exceeds collateral {out['collateral']} "
            f"by {out['requirement'] - out['collateral']}; no proof can exist"
        )
    return out


def describe(public: list[int]) -> str:
    return f"the committed collateral covers the committed requirement (commitment {public[0]})"


name = "solvency-basic"
summary = "collateral >= requirement for a Poseidon-committed (collateral, requirement, salt)"


def constraint_system(inputs: dict[str, int] | None = None, tamper=None) -> ConstraintSystem:
    api = ConstraintSystem(tamper=tamper)
    build(api, inputs)
    return api


def r1cs() -> R1CS:
    return constraint_system().compile()


def sample_input() -> dict:
    return json.loads(resources.files("zkmargin.circuits").joinpath("samples", "solvency_basic.json").read_text())
