"""zkmargin margin: the requirement explained, in the clear."""

from __future__ import annotations

from dataclasses import astuple

import click

from zkmargin.circuits.margin.risk_arrays import CapacityTooSmall

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

    The capacity options only pad the figures as a circuit of that size would; a market or
    model that needs more slots is shown at the capacity that fits it.

    PORTFOLIO is a portfolio JSON file (default: the bundled sample). Exit code 0 when the
    portfolio meets the requirement at the threshold, 1 when it falls short.
    """
    args = (portfolio, market, model, risk_arrays, threshold, capacity)
    try:
        case = load_case(*args)
    except CapacityTooSmall as small:  # the calculator needs no circuit: grow the padding to fit
        args = (portfolio, market, model, risk_arrays, threshold, astuple(small.needed))
        case = load_case(*args)
    maintenance = load_case(*args, "maintenance").result
    emit(
        as_json,
        {**margin_json(case), **maintenance_json(maintenance)},
        margin_lines(case) + maintenance_lines(case.result, maintenance, case.model.maintenance),
    )
    if not case.result.solvent:
        raise SystemExit(EXIT_INVALID)
