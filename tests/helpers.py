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


def margin_satisfied(witness, tamper=None) -> bool:
    """The margin circuit at its statement's capacity, built with ``witness`` (hints possibly
    tampered): does every row hold?"""
    from zkmargin.circuits.margin.circuit import build_margin_circuit

    api = ConstraintSystem(tamper=tamper)
    build_margin_circuit(api, witness.statement.parameters.capacity, witness)
    return api.compile().first_unsatisfied(api.witness()) is None


def assert_margin_compiled_equals_builder(capacity, witness, program=None) -> None:
    """The compiled witness equals the builder's wire for wire, and both name the same first
    failing row (None when satisfied). ``program``: the capacity's, built here if not given."""
    from zkmargin.circuits.input_values import margin_input_values
    from zkmargin.circuits.margin.circuit import build_margin_circuit
    from zkmargin.circuits.witness_program import limb_integers, program_of
    from zkmargin.prover.native.witness import CompiledWitness

    oracle = ConstraintSystem()
    build_margin_circuit(oracle, capacity, witness)
    expected = oracle.witness()
    if program is None:
        structure = ConstraintSystem()
        build_margin_circuit(structure, capacity)
        program = program_of(structure)
    kernel = CompiledWitness(program)
    got = kernel.run(program.input_values(margin_input_values(capacity, witness)))
    assert limb_integers(got) == expected
    assert kernel.first_unsatisfied(got) == oracle.compile().first_unsatisfied(expected)
