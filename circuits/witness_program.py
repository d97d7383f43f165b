"""A circuit's witness program: what the builder did, frozen into arrays a compiled kernel runs.

Building a circuit in Python costs about 20k constraints a second, mostly linear-combination
bookkeeping that is the same for every input. The program keeps only what depends on the
input values. Every internal wire comes from exactly one recorded hint step, and each step
reads linear combinations of earlier wires:

  product   w = x0 * x1                                  (api.mul)
  bits      w_i = (x0 >> i) & 1, i < count               (to_bits, to_bits_strict)
  divmod    (w_0, w_1) = divmod(x0, d), d = param > 0    (fixedpoint.divide)
  select    w = x1 if x0 != 0 else x2                    (select)
  maximum   w = the largest x_k read as signed integers  (a bound the prover chooses, e.g. a
            group's margin: x in (r/2, r) is x - r)
  shortfall (tau, m) from x0 = k, x1 = n (constants' wires), tail values x_2..x_{n+1} and
            other values after them, all read as signed: tau is the k-th largest tail value (k
            clamped to 1..n), m the largest of the others and, for k >= 1, of
            es = tau + ceil(sum_j max(x_j - tau, 0) / k) (a k above n counts as n + 1): a
            group's margin under expected shortfall (margin/circuit.py)

with x_k = sum_j c_kj * wire_j mod r, and x0 read as its canonical integer in [0, r) for
bits and divmod, exactly as the Python hint reads it. A hint without one of these kinds
(a new gadget's own lambda) makes ``record_program`` refuse with a CircuitError: the kernel
never guesses, so it can never produce a silently different witness.

The program carries the R1CS too (the structure a prover needs beside the key), so a worker
that loads it never runs the builder; ``digest`` hashes all of it and names it in caches.
Nothing here trusts the program for soundness: a wrong witness only makes a proof that does
not verify, and api.witness checks the compiled witness against these constraints anyway.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.files import FormatError

from .builder import CircuitError, ConstraintSystem, HintStep
from .files import atomic_write
from .r1cs import R1CS, Constraint

PRODUCT, BITS, DIVMOD, SELECT, MAXIMUM, SHORTFALL = 0, 1, 2, 3, 4, 5
HINT_KINDS = {
    "product": PRODUCT, "bits": BITS, "divmod": DIVMOD, "select": SELECT, "maximum": MAXIMUM, "shortfall": SHORTFALL
}
_ARITY = {PRODUCT: 2, BITS: 1, DIVMOD: 1, SELECT: 3}  # input linear combinations per kind; maximum, shortfall: any
FORMAT = "zkmargin-witness-program-1"


def limb_array(values: Sequence[int]) -> np.ndarray:
    """Integers in [0, 2^256) as an (n, 4) array of little-endian uint64 limbs."""
    data = b"".join(int(v).to_bytes(32, "little") for v in values)
    return np.frombuffer(data, dtype="<u8").reshape(len(values), 4).copy()


def limbs_below(words: np.ndarray, modulus: int) -> np.ndarray:
    """Which (n, 4)-limb little-endian numbers are below modulus, compared limb by limb
    (no Python integer per value: a key's or a witness's 2^16 values in a millisecond)."""
    below, equal = np.zeros(len(words), dtype=bool), np.ones(len(words), dtype=bool)
    for k in range(3, -1, -1):
        limb = np.uint64((modulus >> (64 * k)) & 0xFFFFFFFFFFFFFFFF)
        below |= equal & (words[:, k] < limb)
        equal &= words[:, k] == limb
    return below


def limb_integers(array: np.ndarray) -> list[int]:
    raw = np.ascontiguousarray(array, dtype="<u8").tobytes()
    return [int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32)]


@dataclass(frozen=True, eq=False)  # arrays: compare programs by digest
class SparseRows:
    """Rows of (wire, coefficient) pairs, CSR style: row k is start[k]:start[k + 1]."""

    start: np.ndarray  # int64, n_rows + 1
    wire: np.ndarray  # int64
    coef: np.ndarray  # uint64 (n, 4), standard form, reduced mod r

    @classmethod
    def of(cls, rows: Sequence[Mapping[int, int]]) -> "SparseRows":
        start = np.zeros(len(rows) + 1, dtype=np.int64)
        start[1:] = np.cumsum([len(row) for row in rows])
        wires = [w for row in rows for w in row]
        coefs = [c for row in rows for c in row.values()]
        return cls(start, np.array(wires, dtype=np.int64), limb_array(coefs))

    def rows(self) -> list[dict[int, int]]:
        coefs = limb_integers(self.coef)
        wires = self.wire.tolist()
        bounds = self.start.tolist()
        return [dict(zip(wires[a:b], coefs[a:b])) for a, b in zip(bounds, bounds[1:])]


@dataclass(frozen=True, eq=False)
class WitnessProgram:
    n_wires: int
    n_public: int
    n_private: int
    input_names: tuple[str, ...]  # wires 1 .. n_public + n_private, in order
    ops: np.ndarray  # int64 (n_ops, 5): kind, first output wire, output count, first input row, param row
    inputs: SparseRows  # the hint steps' input linear combinations, in wire numbering
    params: np.ndarray  # uint64 (n_params, 4): divisors
    a: SparseRows
    b: SparseRows
    c: SparseRows
    labels: tuple[str, ...]  # constraint labels, for the R1CS's error messages
    digest: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.digest:
            object.__setattr__(self, "digest", self._hash())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WitnessProgram) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def n_inputs(self) -> int:
        return self.n_public + self.n_private

    @property
    def n_constraints(self) -> int:
        return len(self.labels)

    def _header(self) -> dict:
        return {
            "format": FORMAT,
            "n_wires": self.n_wires,
            "n_public": self.n_public,
            "n_private": self.n_private,
            "input_names": list(self.input_names),
            "labels": list(self.labels),
        }

    def _arrays(self) -> dict[str, np.ndarray]:
        arrays = {"ops": self.ops, "params": self.params}
        for name in ("inputs", "a", "b", "c"):
            rows: SparseRows = getattr(self, name)
            arrays |= {f"{name}_start": rows.start, f"{name}_wire": rows.wire, f"{name}_coef": rows.coef}
        return arrays

    def _hash(self) -> str:
        h = hashlib.sha256(json.dumps(self._header(), sort_keys=True).encode())
        for name, array in sorted(self._arrays().items()):
            h.update(name.encode() + np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes())
        return h.hexdigest()

    # ------------------------------------------------------------ inputs
    def input_values(self, values: Mapping[str, int]) -> list[int]:
        """The inputs in wire order from a name -> value map, read strictly: a missing or an
        unknown name is an error, not a zero."""
        unknown = set(values) - set(self.input_names)
        if unknown:
            raise FormatError(f"no circuit input named {sorted(unknown)[0]!r}")
        missing = [name for name in self.input_names if name not in values]
        if missing:
            raise FormatError(f"no value for circuit input {missing[0]!r} ({len(missing)} missing)")
        return [values[name] % CURVE_ORDER for name in self.input_names]

    # ------------------------------------------------------------ the R1CS
    def r1cs(self) -> R1CS:
        """The constraint system, as compile() made it (for key checks and witness checks)."""
        constraints = [
            Constraint(a, b, c, label)
            for a, b, c, label in zip(self.a.rows(), self.b.rows(), self.c.rows(), self.labels)
        ]
        return R1CS(self.n_wires, self.n_public, self.n_private, constraints, ["one", *self.input_names])

    # ------------------------------------------------------------ files
    def save(self, path: Path) -> None:
        buffer = io.BytesIO()
        header = json.dumps({**self._header(), "digest": self.digest})
        np.savez(buffer, header=np.frombuffer(header.encode(), dtype=np.uint8), **self._arrays())
        atomic_write(path, buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> "WitnessProgram":
        """A saved program; refused unless its contents hash to the digest it records."""
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(bytes(data["header"]).decode())
                arrays = {name: data[name] for name in data.files if name != "header"}
            if header.get("format") != FORMAT:
                raise FormatError(f"{path}: not a {FORMAT} file")
            rows = {
                name: SparseRows(arrays[f"{name}_start"], arrays[f"{name}_wire"], arrays[f"{name}_coef"])
                for name in ("inputs", "a", "b", "c")
            }
            program = cls(
                header["n_wires"],
                header["n_public"],
                header["n_private"],
                tuple(header["input_names"]),
                arrays["ops"],
                rows["inputs"],
                arrays["params"],
                rows["a"],
                rows["b"],
                rows["c"],
                tuple(header["labels"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise FormatError(f"{path}: unreadable witness program ({exc})") from None
        if program.digest != header.get("digest"):
            raise FormatError(f"{path}: witness program does not match its digest (corrupt or edited)")
        return program


def program_of(api: ConstraintSystem) -> WitnessProgram:
    """The witness program of a built circuit. Raises CircuitError when a hint has no known
    kind: such a circuit has no compiled witness, only the builder's."""
    return record_program(*api.recorded())


def record_program(
    r1cs: R1CS, order: list[int], kinds: list[str], names: list[str], steps: Sequence[HintStep]
) -> WitnessProgram:
    """Freeze the builder's hint steps into a program in compiled wire numbering.

    Checks that the steps produce every internal wire once, in order, so the kernel can
    fill the witness front to back with each step reading only wires already written."""
    new_index = {old: new for new, old in enumerate(order)}
    n_inputs = r1cs.n_public + r1cs.n_private_inputs
    ops, rows, params = [], [], []
    next_wire = 1 + n_inputs
    for step in steps:
        code = HINT_KINDS.get(step.kind or "")
        if code is None:
            raise CircuitError(
                f"hint {step.label!r} has no compiled kind (got {step.kind!r}; known: {', '.join(HINT_KINDS)}): "
                "this circuit has no compiled witness"
            )
        if len(step.inputs) != _ARITY.get(code, max(1, len(step.inputs))):
            raise CircuitError(f"hint {step.label!r} of kind {step.kind} reads {len(step.inputs)} values")
        if (code == BITS and not 1 <= step.count <= 254) or (code == DIVMOD and step.count != 2):
            raise CircuitError(f"hint {step.label!r} of kind {step.kind} has {step.count} outputs")
        if code in (PRODUCT, SELECT, MAXIMUM) and step.count != 1 or code == SHORTFALL and step.count != 2:
            raise CircuitError(f"hint {step.label!r} of kind {step.kind} has {step.count} outputs")
        if code == SHORTFALL and (len(step.inputs) < 4 or not step.inputs[1].is_constant()):
            raise CircuitError(f"hint {step.label!r} of kind {step.kind}: k, a constant count, then values")
        if code == DIVMOD and not 0 < step.param < CURVE_ORDER:
            raise CircuitError(f"hint {step.label!r}: divisor {step.param} out of range")
        first = new_index[step.first_wire]
        if first != next_wire or any(kinds[step.first_wire + k] != "internal" for k in range(step.count)):
            raise CircuitError(f"hint {step.label!r}: outputs are not the next internal wires")
        param_row = -1
        if code == DIVMOD:
            param_row = len(params)
            params.append(step.param)
        elif code in (MAXIMUM, SHORTFALL):
            param_row = len(step.inputs)  # for these, the column holds the count of their inputs
        ops.append((code, first, step.count, len(rows), param_row))
        rows += [{new_index[w]: c for w, c in lc.terms.items()} for lc in step.inputs]
        next_wire += step.count
    if next_wire != r1cs.n_wires:
        raise CircuitError(
            f"the hint steps make {next_wire - 1 - n_inputs} internal wires, the circuit has {r1cs.n_internal}"
        )
    return WitnessProgram(
        n_wires=r1cs.n_wires,
        n_public=r1cs.n_public,
        n_private=r1cs.n_private_inputs,
        input_names=tuple(names[w] for w in order[1 : 1 + n_inputs]),
        ops=np.array(ops, dtype=np.int64).reshape(len(ops), 5),
        inputs=SparseRows.of(rows),
        params=limb_array(params).reshape(len(params), 4),
        a=SparseRows.of([con.a for con in r1cs.constraints]),
        b=SparseRows.of([con.b for con in r1cs.constraints]),
        c=SparseRows.of([con.c for con in r1cs.constraints]),
        labels=tuple(con.label for con in r1cs.constraints),
    )
