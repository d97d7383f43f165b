"""zkmargin margin: the requirement explained, in the clear."""

from __future__ import annotations

import click

from ..errors import EXIT_INVALID, friendly_errors
from ..options import capacity_options, case_options, json_option, load_case
from ..output import emit
from ..report import maintenance_json, maintenance_lines, margin_json, margin_lines


@click.command("margin")
@case_options
@capacity_options
@json_option
@friendly_errors
def margin(portfolio, market, model, risk_arrays, threshold, capacity, as_json) -> None:
    """Per-scenario losses, requirement, collateral after haircuts and the netting benefit.

    PORTFOLIO is a portfolio JSON file (default: the bundled sample). Exit code 0 when the
    portfolio meets the requirement at the threshold, 1 when it falls short.
    """
    args = (portfolio, market, model, risk_arrays, threshold, capacity)
    case = load_case(*args)
    maintenance = load_case(*args, "maintenance").result
    emit(
        as_json,
        {**margin_json(case), **maintenance_json(maintenance)},
        margin_lines(case) + maintenance_lines(maintenance),
    )
    if not case.result.solvent:
        raise SystemExit(EXIT_INVALID)
