"""The R1CS builder: circuit code that reads like the mathematics, and doubles as the witness generator.

A circuit is a Python function of an ``api`` (a :class:`ConstraintSystem`). Run it once
without input values and it yields the constraint system for setup; run it with values
and the same code fills in the witness. Values a constraint cannot compute directly
(bits, quotients, comparison results) come from *hints*: Python functions whose outputs
become private wires, which the calling gadget must then constrain. Hints are the only
place a dishonest prover has freedom, so every hint carries a name, and tests replace
hints with adversarial ones (``tamper``) to show the constraints catch them.

Linear combinations are free: ``a + 2*b - 5`` costs nothing; only ``api.mul`` of two
non-constant values and the ``assert_*`` calls add rows.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence, Union

from zkmargin.verifier.curve import CURVE_ORDER

from .r1cs import R1CS, Constraint

ONE = 0  # builder id of the constant wire

_PUBLIC, _PRIVATE, _INTERNAL = "public", "private", "internal"


class CircuitError(ValueError):
    """The circuit itself is wrong (not the witness): an unconstrained wire, a false constant."""


class LinearCombination:
    """sum_i c_i * wire_i + constant, over the scalar field. Immutable."""

    __slots__ = ("terms",)

    def __init__(self, terms: dict[int, int] | None = None):
        self.terms: dict[int, int] = terms or {}

    @classmethod
    def constant(cls, value: int) -> "LinearCombination":
        value %= CURVE_ORDER
        return cls({ONE: value} if value else {})

    def is_constant(self) -> bool:
        return all(wire == ONE for wire in self.terms)

    @property
    def constant_value(self) -> int:
        return self.terms.get(ONE, 0)

    def single_wire(self) -> int | None:
        """The wire id if this is exactly 1 * wire, else None."""
        if len(self.terms) == 1:
            ((wire, coef),) = self.terms.items()
            if wire != ONE and coef == 1:
                return wire
        return None

    def _combine(self, other: "Value", sign: int) -> "LinearCombination":
        other = as_lc(other)
        terms = dict(self.terms)
        for wire, coef in other.terms.items():
            value = (terms.get(wire, 0) + sign * coef) % CURVE_ORDER
            if value:
                terms[wire] = value
            else:
                terms.pop(wire, None)
        return LinearCombination(terms)

    def __add__(self, other: "Value") -> "LinearCombination":
        return self._combine(other, 1)

    __radd__ = __add__

    def __sub__(self, other: "Value") -> "LinearCombination":
        return self._combine(other, -1)

    def __rsub__(self, other: "Value") -> "LinearCombination":
        return as_lc(other)._combine(self, -1)

    def __neg__(self) -> "LinearCombination":
        return LinearCombination({w: (-c) % CURVE_ORDER for w, c in self.terms.items()})

    def __mul__(self, scalar: int) -> "LinearCombination":
        if not isinstance(scalar, int):
            raise TypeError("a linear combination times a wire is not linear: use api.mul(a, b)")
        scalar %= CURVE_ORDER
        if not scalar:
            return LinearCombination()
        return LinearCombination({w: c * scalar % CURVE_ORDER for w, c in self.terms.items()})

    __rmul__ = __mul__

    def __repr__(self) -> str:
        parts = [f"{c}*w{w}" if w != ONE else str(c) for w, c in sorted(self.terms.items())]
        return "LC(" + (" + ".join(parts) or "0") + ")"


Value = Union[LinearCombination, int]


@dataclass(frozen=True)
class HintStep:
    """One hint as recorded: its kind, the linear combinations it reads, where its outputs start."""

    kind: str | None
    param: int
    inputs: tuple[LinearCombination, ...]
    first_wire: int  # builder id of the first output; the outputs are consecutive
    count: int
    label: str


Tamper = Callable[[str, list[int]], list[int]]


def as_lc(value: Value) -> LinearCombination:
    if isinstance(value, LinearCombination):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return LinearCombination.constant(value)
    raise TypeError(f"expected a linear combination or an int, got {type(value).__name__}")


class ConstraintSystem:
    """Collects wires and constraints, and (when inputs have values) the witness.

    ``tamper(label, values)`` may rewrite any hint's output before it is stored: it models
    a malicious prover and is only ever used by tests.
    """

    def __init__(self, tamper: Tamper | None = None):
        self._kinds: list[str] = ["one"]
        self._names: list[str] = ["one"]
        self._values: list[int | None] = [1]
        self._constraints: list[Constraint] = []
        self._scope: list[str] = []
        self._known_bits: dict[int, int] = {}
        self._tamper = tamper
        # The recorded program (see witness_program.py): one step per hint, in creation order.
        self._steps: list[HintStep] = []

    # ----------------------------------------------------------------- wires
    def _new_wire(self, kind: str, name: str, value: int | None) -> LinearCombination:
        if value is not None:
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"value of {name} must be an int")
            value %= CURVE_ORDER
        self._kinds.append(kind)
        self._names.append(name)
        self._values.append(value)
        return LinearCombination({len(self._kinds) - 1: 1})

    def public_input(self, name: str, value: int | None = None) -> LinearCombination:
        return self._new_wire(_PUBLIC, name, value)

    def private_input(self, name: str, value: int | None = None) -> LinearCombination:
        return self._new_wire(_PRIVATE, name, value)

    def hint(
        self,
        compute: Callable[..., int | Sequence[int]],
        *inputs: Value,
        count: int = 1,
        name: str = "hint",
        kind: str | None = None,
        param: int = 0,
    ) -> list[LinearCombination]:
        """Private wires computed out of circuit from the values of ``inputs``.

        The caller must constrain every wire returned: a hint is the prover's free choice.
        ``kind`` (one of witness_program.HINT_KINDS, with ``param``) says what ``compute``
        computes, so the compiled witness generator can compute it too; a hint without a
        kind leaves the circuit buildable but not compilable.
        """
        label = self._label(name)
        self._steps.append(HintStep(kind, param, tuple(as_lc(x) for x in inputs), len(self._kinds), count, label))
        values = [self.value(x) for x in inputs]
        if any(v is None for v in values):
            outputs: list[int | None] = [None] * count
        else:
            result = compute(*values)
            outputs = [result] if isinstance(result, int) else list(result)
            if len(outputs) != count:
                raise CircuitError(f"hint {label} returned {len(outputs)} values, expected {count}")
            if self._tamper is not None:
                outputs = list(self._tamper(label, [v % CURVE_ORDER for v in outputs]))
        return [self._new_wire(_INTERNAL, f"{label}[{i}]" if count > 1 else label, v) for i, v in enumerate(outputs)]

    def value(self, x: Value) -> int | None:
        """The witness value of a linear combination, or None before values are known."""
        total = 0
        for wire, coef in as_lc(x).terms.items():
            v = self._values[wire]
            if v is None:
                return None
            total += coef * v
        return total % CURVE_ORDER

    # ----------------------------------------------------------- arithmetic
    def add(self, *xs: Value) -> LinearCombination:
        return sum((as_lc(x) for x in xs), LinearCombination())

    def sub(self, a: Value, b: Value) -> LinearCombination:
        return as_lc(a) - b

    def mul(self, a: Value, b: Value) -> LinearCombination:
        """a * b: free when either side is a constant, one constraint otherwise."""
        a, b = as_lc(a), as_lc(b)
        if a.is_constant():
            return b * a.constant_value
        if b.is_constant():
            return a * b.constant_value
        (product,) = self.hint(lambda x, y: x * y, a, b, name="product", kind="product")
        self.assert_mul(a, b, product)
        return product

    def square(self, a: Value) -> LinearCombination:
        return self.mul(a, a)

    # ------------------------------------------------------------ assertions
    def assert_mul(self, a: Value, b: Value, c: Value) -> None:
        """Add the row a * b = c."""
        a, b, c = as_lc(a), as_lc(b), as_lc(c)
        if a.is_constant() and b.is_constant() and c.is_constant():
            if a.constant_value * b.constant_value % CURVE_ORDER != c.constant_value:
                raise CircuitError(f"{self._label('constant constraint')} can never hold")
            return
        self._constraints.append(Constraint(dict(a.terms), dict(b.terms), dict(c.terms), self._label("")))

    def assert_equal(self, a: Value, b: Value) -> None:
        """a = b, written as (a - b) * 1 = 0."""
        self.assert_zero(as_lc(a) - b)

    def assert_zero(self, a: Value) -> None:
        self.assert_mul(a, 1, 0)

    # --------------------------------------------------- what has been proven
    def known_bits(self, x: Value) -> int | None:
        """An upper bound n with 0 <= x < 2^n already enforced by a constraint, if any."""
        x = as_lc(x)
        if x.is_constant():
            return x.constant_value.bit_length()
        wire = x.single_wire()
        return None if wire is None else self._known_bits.get(wire)

    def record_bits(self, x: Value, bits: int) -> None:
        """Remember that constraints already force 0 <= x < 2^bits (lets gadgets skip repeats)."""
        wire = as_lc(x).single_wire()
        if wire is not None and bits < self._known_bits.get(wire, 1 << 30):
            self._known_bits[wire] = bits

    # ----------------------------------------------------------------- scope
    @contextlib.contextmanager
    def scope(self, name: str) -> Iterator[None]:
        """Label the constraints added inside, so errors can say which gadget failed."""
        self._scope.append(name)
        try:
            yield
        finally:
            self._scope.pop()

    def _label(self, name: str) -> str:
        return "/".join([*self._scope, name] if name else self._scope)

    # --------------------------------------------------------------- compile
    @property
    def n_constraints(self) -> int:
        return len(self._constraints)

    def _wire_order(self) -> list[int]:
        order = [ONE]
        for kind in (_PUBLIC, _PRIVATE, _INTERNAL):
            order += [w for w, k in enumerate(self._kinds) if k == kind]
        return order

    def compile(self) -> R1CS:
        """Freeze into an R1CS with iden3 wire numbering.

        Refuses a circuit with a wire that no constraint mentions: such a wire is a value
        the prover could set freely, which is always a bug (and for a public input, one an
        optimiser could drop).
        """
        order = self._wire_order()
        new_index = {old: new for new, old in enumerate(order)}
        used = {ONE}
        for con in self._constraints:
            used.update(con.a, con.b, con.c)
        unused = [self._names[w] for w in order if w not in used]
        if unused:
            raise CircuitError(f"wire {unused[0]!r} appears in no constraint ({len(unused)} such wires)")

        def remap(row: dict[int, int]) -> dict[int, int]:
            return {new_index[w]: c for w, c in sorted(row.items(), key=lambda item: new_index[item[0]])}

        constraints = [Constraint(remap(c.a), remap(c.b), remap(c.c), c.label) for c in self._constraints]
        return R1CS(
            n_wires=len(order),
            n_public=self._kinds.count(_PUBLIC),
            n_private_inputs=self._kinds.count(_PRIVATE),
            constraints=constraints,
            wire_names=[self._names[w] for w in order],
        )

    def recorded(self) -> tuple[R1CS, list[int], list[str], list[str], list[HintStep]]:
        """The compiled R1CS and what witness_program.program_of freezes beside it: the wire
        order, each wire's kind and name (by builder id), and the hint steps in order."""
        return self.compile(), self._wire_order(), list(self._kinds), list(self._names), list(self._steps)

    def witness(self) -> list[int]:
        """Wire values in the compiled order; every input must have been given a value."""
        values = [self._values[w] for w in self._wire_order()]
        if any(v is None for v in values):
            missing = next(self._names[w] for w in self._wire_order() if self._values[w] is None)
            raise CircuitError(f"no value for wire {missing!r}: build with input values to get a witness")
        return values  # type: ignore[return-value]


def weighted_sum(pairs: Iterable[tuple[int, Value]]) -> LinearCombination:
    """sum_k c_k * x_k accumulated in one dictionary (repeated + would copy it each time),
    reduced mod r once per wire at the end (Poseidon's MDS rows sum 17 terms a wire)."""
    acc: dict[int, int] = {}
    for coef, x in pairs:
        for wire, c in as_lc(x).terms.items():
            acc[wire] = acc.get(wire, 0) + coef * c
    reduced = ((w, c % CURVE_ORDER) for w, c in acc.items())
    return LinearCombination({w: c for w, c in reduced if c})


def linear_sum(terms: Iterable[Value]) -> LinearCombination:
    return weighted_sum((1, t) for t in terms)
