"""The compiled witness generator: runs a WitnessProgram (circuits/witness_program.py) with
the kernels of witness_kernels.py, compiled ahead of time like the prover's (kernels.py), so
generating a witness imports no numba either.

Values live in Montgomery form (x * 2^256 mod r) so products are one ``fr_mul``; the result
is the (n_wires, 4) array of standard-form limbs that NativeEngine.prepare_scalars would have
made from the Python witness, so the prover reads it as it is. ``first_unsatisfied``
evaluates every constraint row a * b = c on the same array: a compiled witness is checked
against the R1CS before proving (see docs/architecture.md).
"""

from __future__ import annotations

import numpy as np

from zkmargin.circuits.witness_program import WitnessProgram, limb_array
from zkmargin.verifier.curve import CURVE_ORDER as R

from .kernels import kernels


class CompiledWitness:
    """A program loaded for the kernel: coefficients converted to Montgomery form once."""

    def __init__(self, program: WitnessProgram):
        self.program = program
        self._ops = np.ascontiguousarray(program.ops, dtype=np.int64)
        self._inputs = self._rows(program.inputs)
        self._params = np.ascontiguousarray(program.params, dtype=np.uint64).reshape(-1, 4)
        self._abc = [self._rows(rows) for rows in (program.a, program.b, program.c)]

    @staticmethod
    def _rows(rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        coef = np.ascontiguousarray(rows.coef, dtype=np.uint64).reshape(-1, 4)
        return (
            np.ascontiguousarray(rows.start, dtype=np.int64),
            np.ascontiguousarray(rows.wire, dtype=np.int64),
            kernels().witness_to_montgomery(coef),
        )

    def run(self, inputs: list[int]) -> np.ndarray:
        """The witness, (n_wires, 4) standard-form limbs, for input values in wire order (reduced mod r)."""
        if len(inputs) != self.program.n_inputs:
            raise ValueError(f"{len(inputs)} input values for a circuit with {self.program.n_inputs} inputs")
        values = limb_array([v % R for v in inputs]).reshape(len(inputs), 4)
        start, wires, coefs = self._inputs
        return kernels().witness_run(values, self._ops, start, wires, coefs, self._params, self.program.n_wires)

    def first_unsatisfied(self, witness: np.ndarray) -> int | None:
        """The first constraint the witness fails (None when all hold, and wire 0 is 1)."""
        if witness.shape != (self.program.n_wires, 4):
            raise ValueError(f"witness of shape {witness.shape}, the circuit has {self.program.n_wires} wires")
        if tuple(witness[0]) != (1, 0, 0, 0):
            return 0
        row = kernels().witness_first_unsatisfied(witness, *self._abc[0], *self._abc[1], *self._abc[2])
        return None if row < 0 else int(row)
