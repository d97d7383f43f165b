"""A circuit's input values by wire name, without building the circuit.

The compiled witness generator (witness_program.py) needs only the values of the input
wires. These functions name them as the circuit code does: declared statements through the
same schema walk as declared.py, the margin portfolio as circuits/margin/circuit.py names
its private inputs. If a circuit renames or adds an input, WitnessProgram.input_values
refuses the map (a missing or unknown name), and the property test in
tests/test_witness_program.py, which compares with the builder, fails: a name drift is
never a silently wrong witness.
"""

from __future__ import annotations

from typing import Any

from zkmargin.verifier.kinds import MarginCapacity
from zkmargin.verifier.schema import Capacity, Parameters, StatementKind, label_field
from zkmargin.verifier.statement import Statement

from .margin.circuit import MarginWitness


def declared_values(kind: StatementKind, statement: Statement) -> dict[str, int]:
    """The public input wires of declared.public_inputs."""
    return {p.name: statement.public[p.name] for p in kind.public}


def parameter_values(declaration: type[Parameters], capacity: Capacity, values: Parameters) -> dict[str, int]:
    """The private parameter wires of declared.parameter_wires, named ``unit_loss[i][s]``."""
    out: dict[str, int] = {}

    def walk(name: str, label: bool, sizes: list[int], value: Any) -> None:
        if sizes:
            for k in range(sizes[0]):
                walk(f"{name}[{k}]", label, sizes[1:], value[k])
        else:
            out[name] = label_field(value) if label else value

    for name, p, sizes in declaration.shapes(capacity):
        walk(name, p.label, sizes, getattr(values, name))
    return out


def margin_input_values(capacity: MarginCapacity, witness: MarginWitness) -> dict[str, int]:
    """Every input wire of build_margin_circuit at ``capacity`` for ``witness``."""
    statement, portfolio = witness.statement, witness.portfolio
    if statement.parameters.capacity != capacity:
        raise ValueError(
            f"parameters are padded to {statement.parameters.capacity.label()}, the circuit is {capacity.label()}"
        )
    values = declared_values(statement.kind, statement)
    values |= parameter_values(type(statement.parameters), capacity, statement.parameters)
    values["account"] = portfolio.account
    values |= {f"quantity[{i}]": q for i, q in enumerate(portfolio.quantities)}
    values |= {f"amount[{j}]": a for j, a in enumerate(portfolio.amounts)}
    values["salt"] = portfolio.salt
    return values
