"""zkmargin inspect: what a circuit costs, and where."""

from __future__ import annotations

from pathlib import Path

import click

from zkmargin import api
from zkmargin.circuits.iden3_files import read_r1cs

from ..errors import friendly_errors
from ..options import capacity_options, json_option
from ..output import emit


@click.command("inspect")
@capacity_options
@click.option(
    "--r1cs",
    "r1cs_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Inspect an .r1cs file instead (for example one circom wrote).",
)
@click.option(
    "--depth",
    type=click.IntRange(1, 8),
    default=1,
    show_default=True,
    help="How deep into gadget scopes to break the constraints down.",
)
@json_option
@friendly_errors
def inspect(capacity, r1cs_path, depth, as_json) -> None:
    """Constraints, wires and public inputs of the circuit at a capacity, and where the constraints go."""
    if r1cs_path:
        r1cs = read_r1cs(r1cs_path)
        stats = api.circuit_stats(r1cs)
        emit(
            as_json,
            {"r1cs": str(r1cs_path), **stats},
            [str(r1cs_path)] + [f"  {k.replace('_', ' '):16} {v}" for k, v in stats.items()],
        )
        return
    capacity = api.MarginCapacity(*capacity)
    r1cs = api.margin_circuit(capacity).compile()
    stats, parts = api.circuit_stats(r1cs), r1cs.cost_by_scope(depth)
    emit(
        as_json,
        {"circuit": "portfolio-margin", "capacity": capacity.sizes(), **stats, "constraints_by_part": parts},
        [f"portfolio-margin {capacity.label()} (positions x collateral x scenarios x groups, then axes in use)"]
        + [f"  {k.replace('_', ' '):16} {v}" for k, v in stats.items()]
        + ["  constraints by part:"]
        + [f"    {name:30} {count}" for name, count in parts.items()],
    )
