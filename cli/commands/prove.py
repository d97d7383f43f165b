"""zkmargin prove: a bundle for a solvent portfolio, and its private opening."""

from __future__ import annotations

from pathlib import Path

import click

from zkmargin import api

from ..errors import friendly_errors
from ..options import capacity_options, case_options, engine_option, json_option, load_case
from ..output import emit, progress_reporter


@click.command("prove")
@case_options
@capacity_options
@click.option(
    "--zkey",
    "zkey_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Proving key from `zkmargin setup` [default: keys/portfolio-margin-PxCxS.zkey].",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bundle"),
    show_default=True,
    help="Folder for the proof bundle (public: publish it).",
)
@click.option(
    "--opening",
    "opening_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to keep the commitment opening (private!) [default: OUT-opening.json beside the bundle].",
)
@click.option(
    "--margin",
    "level",
    type=click.Choice(["initial", "maintenance"]),
    default="initial",
    show_default=True,
    help="Which requirement to prove; the statement names it and the digest binds it.",
)
@engine_option
@json_option
@friendly_errors
def prove(
    portfolio,
    market,
    model,
    risk_arrays,
    threshold,
    capacity,
    zkey_path,
    out_dir: Path,
    opening_path,
    level,
    engine_name,
    as_json,
) -> None:
    """Prove that a portfolio meets its margin requirement, revealing only a commitment.

    Writes a bundle (proof.json, public.json, verification_key.json, statement.json) and,
    separately, the private opening of the commitment (quantities, balances, salt). An
    insolvent portfolio is refused before any proof is attempted (exit 1).
    """
    case = load_case(portfolio, market, model, risk_arrays, threshold, capacity, level)
    zkey_path = zkey_path or api.default_key_path(case.parameters.capacity)
    record = api.prove_case(case, zkey_path, out_dir, opening_path, engine_name, progress_reporter(as_json, "prove"))
    statement, seconds = record.statement, sum(record.timings.values())
    emit(
        as_json,
        {
            "bundle": str(record.bundle),
            "opening": str(record.opening),
            "commitment": str(statement.public["commitment"]),
            "epoch": statement.public["epoch"],
            "parameters_digest": str(statement.public["parameters_digest"]),
            "seconds": round(seconds, 3),
            "timings": {k: round(v, 4) for k, v in record.timings.items()},
        },
        [
            f"proved in {seconds:.1f} s: {statement.describe()}",
            f"bundle written to {record.bundle}/ (publish it)",
            f"commitment opening written to {record.opening} (keep it private: it reveals the positions)",
        ],
    )
