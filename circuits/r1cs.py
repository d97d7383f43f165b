"""A compiled rank-1 constraint system: A(w) * B(w) = C(w) for every row.

Wires are numbered in the iden3 order (0 is the constant 1, then the public inputs, then
the private inputs, then every internal wire), so this structure maps one-to-one onto a
``.r1cs`` file and onto the witness vector snarkjs expects.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from zkmargin.verifier.curve import CURVE_ORDER

Row = Mapping[int, int]  # wire index -> coefficient, coefficients nonzero and < r


@dataclass(frozen=True)
class Constraint:
    a: Row
    b: Row
    c: Row
    label: str = ""


class UnsatisfiedConstraint(ValueError):
    """A witness that fails a constraint; the message names the constraint and its gadget."""

    def __init__(self, index: int, label: str, detail: str = ""):
        self.index = index
        self.label = label
        where = f" ({label})" if label else ""
        super().__init__(f"witness fails constraint #{index}{where}{detail}")


def evaluate(row: Row, witness: Sequence[int]) -> int:
    return sum(coef * witness[wire] for wire, coef in row.items()) % CURVE_ORDER


@dataclass
class R1CS:
    n_wires: int
    n_public: int  # public inputs (wires 1..n_public); zkmargin circuits have no public outputs
    n_private_inputs: int
    constraints: list[Constraint]
    wire_names: list[str] = field(default_factory=list)

    @property
    def n_constraints(self) -> int:
        return len(self.constraints)

    @property
    def n_internal(self) -> int:
        return self.n_wires - 1 - self.n_public - self.n_private_inputs

    def first_unsatisfied(self, witness: Sequence[int]) -> int | None:
        if len(witness) != self.n_wires:
            raise ValueError(f"witness has {len(witness)} values, the circuit has {self.n_wires} wires")
        for index, con in enumerate(self.constraints):
            if evaluate(con.a, witness) * evaluate(con.b, witness) % CURVE_ORDER != evaluate(con.c, witness):
                return index
        return None

    def check(self, witness: Sequence[int]) -> None:
        """Raise UnsatisfiedConstraint naming the first failing row, if any."""
        if witness[0] != 1:
            raise UnsatisfiedConstraint(0, "wire 0 must hold the constant 1")
        index = self.first_unsatisfied(witness)
        if index is not None:
            raise UnsatisfiedConstraint(index, self.constraints[index].label)

    def stats(self) -> dict[str, int]:
        return {
            "constraints": self.n_constraints,
            "wires": self.n_wires,
            "public_inputs": self.n_public,
            "private_inputs": self.n_private_inputs,
            "internal_wires": self.n_internal,
            "nonzero_a_b": sum(len(c.a) + len(c.b) for c in self.constraints),
        }

    def cost_by_scope(self, depth: int = 1) -> dict[str, int]:
        """Constraints per gadget scope, cut to ``depth`` path segments with slot indices folded
        (``scenario[3]/signed64/bits`` counts as ``scenario`` at depth 1, ``scenario/signed64`` at 2)."""
        counts = Counter(
            "/".join(_INDEX.sub("", part) for part in c.label.split("/")[:depth]) or "(unscoped)"
            for c in self.constraints
        )
        return dict(counts.most_common())


_INDEX = re.compile(r"\[[^\]]*\]")
