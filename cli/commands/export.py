"""zkmargin export-r1cs and export-wtns: the circuit and a witness in iden3's formats, for snarkjs."""

from __future__ import annotations

from pathlib import Path

import click

from zkmargin import api
from zkmargin.circuits.iden3_files import write_r1cs

from ..errors import friendly_errors
from ..options import capacity_options, case_options, load_case

out_option = click.option(
    "-o",
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the file.",
)


@click.command("export-r1cs")
@capacity_options
@out_option
@friendly_errors
def export_r1cs(capacity, out_path: Path) -> None:
    """Write the circuit as an iden3 .r1cs file (readable by `snarkjs r1cs info`)."""
    r1cs = api.margin_circuit(api.MarginCapacity(*capacity)).compile()
    write_r1cs(r1cs, out_path)
    click.echo(f"wrote {out_path} ({r1cs.n_constraints} constraints, {r1cs.n_wires} wires)")


@click.command("export-wtns")
@case_options
@capacity_options
@out_option
@friendly_errors
def export_wtns(portfolio, market, model, risk_arrays, threshold, capacity, out_path: Path) -> None:
    """Compute the witness of a portfolio and write it as an iden3 .wtns file (for `snarkjs groth16 prove`)."""
    case = load_case(portfolio, market, model, risk_arrays, threshold, capacity)
    count = api.export_witness(case, case.parameters.capacity, out_path)
    click.echo(f"wrote {out_path} ({count} values)")
