"""Test helpers: building circuits honestly or with a malicious prover's hints."""

from __future__ import annotations

from typing import Callable

from zkmargin.circuits.builder import ConstraintSystem


def run_circuit(build: Callable[[ConstraintSystem], object], tamper=None):
    """Build with values; return (api, r1cs, witness, result of build)."""
    api = ConstraintSystem(tamper=tamper)
    result = build(api)
    r1cs = api.compile()
    return api, r1cs, api.witness(), result


def holds(build: Callable[[ConstraintSystem], object], tamper=None) -> bool:
    """True when the witness produced (possibly by tampered hints) satisfies every constraint."""
    _, r1cs, witness, _ = run_circuit(build, tamper)
    return r1cs.first_unsatisfied(witness) is None


def replace_hint(label_part: str, replacement: Callable[[list[int]], list[int]]):
    """A malicious prover: rewrite the outputs of every hint whose label ends with label_part.

    Labels are scope paths ("solvent/assert_le64/to_bits64/bits"); matching whole trailing
    segments keeps "bits" from also catching ".../bits_at_most(...)/product".
    """
    seen = []

    def tamper(label: str, values: list[int]) -> list[int]:
        if ("/" + label).endswith("/" + label_part):
            seen.append(label)
            return replacement(values)
        return values

    tamper.seen = seen
    return tamper
