"""One margin case: a portfolio under a market snapshot and a risk model, ready to report or prove."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from zkmargin.verifier.files import FormatError, read_json
from zkmargin.verifier.kinds import THRESHOLD_BITS, THRESHOLD_SCALE, MarginCapacity, MarginParameters
from zkmargin.verifier.statement import Statement

from .calculator import (
    ScaledPortfolio,
    MarginResult,
    evaluate,
    scale_portfolio,
    isolated_requirements,
    portfolio_greeks,
)
from .circuit import MarginWitness, margin_statement
from .inputs import Market, Portfolio, Reader, RiskModel, load_market, load_model, load_portfolio, sample_path
from .risk_arrays import (
    RiskArrays,
    at_level,
    compute_risk_arrays,
    load_risk_array_file,
    to_public_parameters,
    with_offsets,
)

DEFAULT_CAPACITY = MarginCapacity(positions=8, collateral=4, scenarios=32, groups=2)  # the sample: ETH, BTC
DEFAULT_MODEL = "crypto-pm"


class Insolvent(Exception):
    """The portfolio does not meet the requirement: no proof can exist, so none is attempted.

    Not a FormatError: the input is fine, the answer is no (exit 1, as ``margin`` gives)."""


def parse_threshold(text: str) -> int:
    value = Reader("--threshold").number(text, "threshold", positive=True) * THRESHOLD_SCALE
    if value.denominator != 1 or value < THRESHOLD_SCALE or value >= 1 << THRESHOLD_BITS:
        raise FormatError(f"--threshold: give a ratio from 1 to 104 with at most 4 decimals, got {text}")
    return int(value)


@dataclass
class MarginCase:
    market: Market
    portfolio: Portfolio
    model: RiskModel
    arrays: RiskArrays
    parameters: MarginParameters
    fixed: ScaledPortfolio
    result: MarginResult
    sources: dict[str, str]

    @property
    def epoch(self) -> int:
        return self.market.epoch

    def witness(self) -> MarginWitness:
        return MarginWitness(self.statement, self.fixed)

    @cached_property
    def statement(self) -> Statement:
        """Cached: its commitment and digest are Poseidon sponges, costly in Python."""
        return margin_statement(self.parameters, self.fixed, self.epoch, self.result.threshold)

    def require_solvent(self) -> None:
        r = self.result
        if r.solvent:
            return
        ratio = f" at {r.threshold / THRESHOLD_SCALE:g}x" if r.threshold != THRESHOLD_SCALE else ""
        raise Insolvent(
            f"insolvent{ratio}: {r.binding()} needs {float(r.real(r.requirement)):,.2f}, "
            f"available after haircuts is {float(r.real(r.available)):,.2f}, "
            f"shortfall {float(r.real(-r.excess)):,.2f}; no proof attempted"
        )


def load_case(
    portfolio_path: str | Path | None = None,
    market_path: str | Path | None = None,
    model: str = DEFAULT_MODEL,
    capacity: MarginCapacity = DEFAULT_CAPACITY,
    risk_arrays_path: str | Path | None = None,
    threshold: int = THRESHOLD_SCALE,
    level: str = "initial",
) -> MarginCase:
    """Read and check everything; without paths, the bundled inter-protocol sample."""
    market_file = Path(market_path) if market_path else sample_path("market.json")
    portfolio_file = Path(portfolio_path) if portfolio_path else sample_path("portfolio.json")
    market = load_market(market_file)
    portfolio = load_portfolio(portfolio_file, market)
    risk_model = load_model(model)
    if risk_arrays_path:
        arrays = load_risk_array_file(read_json(risk_arrays_path), market, risk_model, str(risk_arrays_path))
    else:
        arrays = compute_risk_arrays(market, risk_model)
    arrays = with_offsets(at_level(arrays, risk_model, level), risk_model)
    parameters = to_public_parameters(arrays, capacity)
    fixed = scale_portfolio(portfolio, market, parameters, risk_model.scale)
    real = len(arrays.scenarios)
    result = evaluate(parameters, fixed, threshold, real_scenarios=real)
    venues = [market.instruments[i].venue if i in market.instruments else "" for i in parameters.instruments]
    charges = holding_charges(parameters, market, risk_model)
    result.isolated_by_position, result.isolated_by_venue = isolated_requirements(
        parameters, fixed, venues, real, charges
    )
    result.greeks = portfolio_greeks(portfolio, market, risk_model)
    sources = {
        "portfolio": str(portfolio_path or "bundled sample portfolio.json"),
        "market": str(market_path or "bundled sample market.json"),
        "model": str(model),
        "risk_arrays": str(risk_arrays_path) if risk_arrays_path else "computed (Black-76)",
    }
    return MarginCase(market, portfolio, risk_model, arrays, parameters, fixed, result, sources)


def holding_charges(parameters: MarginParameters, market: Market, model: RiskModel) -> list[int]:
    """Per slot, what a venue would charge a long spot or lending unit held alone: it is
    collateral, not a margined position, so it loses its haircut (the asset of the same symbol
    as its underlying, else the model's 'major' class), not the full scenario downside."""
    out = []
    for ident, value in zip(parameters.instruments, parameters.unit_value):
        inst = market.instruments.get(ident)
        if inst is None or inst.kind not in ("spot", "lending"):
            out.append(0)
            continue
        asset = market.assets.get(inst.underlying)
        haircut = model.haircut(asset) if asset else model.class_haircuts["major"]
        out.append(max(1, -(-value * haircut.numerator // haircut.denominator)))
    return out


def expected_parameters(
    market_path: str | Path,
    model: str,
    capacity: MarginCapacity,
    risk_arrays_path: str | Path | None = None,
    level: str = "initial",
) -> tuple[MarginParameters, int]:
    """The parameters (and epoch) a market snapshot and model give: for checking a statement."""
    market = load_market(market_path)
    risk_model = load_model(model)
    if risk_arrays_path:
        arrays = load_risk_array_file(read_json(risk_arrays_path), market, risk_model, str(risk_arrays_path))
    else:
        arrays = compute_risk_arrays(market, risk_model)
    return to_public_parameters(with_offsets(at_level(arrays, risk_model, level), risk_model), capacity), market.epoch


def describe_difference(published: MarginParameters, expected: MarginParameters) -> str | None:
    """None when equal, else the first difference in words."""
    for name in (
        "scale",
        "margin_level",
        "groups",
        "instruments",
        "scenarios",
        "collateral_assets",
        "unit_value",
        "short_option_min",
        "contingency",
        "collateral_value",
        "tail_k",
        "tail_scenarios",
        "collateral_tier_slope",
        "collateral_tier_offset",
        "concentration_slope",
        "concentration_offset",
        "offset_rate",
    ):
        a, b = getattr(published, name), getattr(expected, name)
        if a != b:
            if isinstance(a, tuple):
                k = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y) if len(a) == len(b) else 0
                return f"{name.replace('_', ' ')} differs at slot {k}"
            return f"{name} differs"
    p, e = published, expected
    rows = [(p.instruments, p.unit_loss, e.unit_loss, p.scenarios, "scenario")]
    rows.append((p.collateral_assets, p.collateral_loss, e.collateral_loss, p.scenarios, "scenario"))
    rows.append((p.instruments, p.tail_loss, e.tail_loss, p.tail_scenarios, "tail scenario"))
    rows.append((p.collateral_assets, p.tail_collateral_loss, e.tail_collateral_loss, p.tail_scenarios, "tail"))
    for names, mine, theirs, columns, what in rows:
        for i, (row_a, row_b) in enumerate(zip(mine, theirs)):
            if row_a != row_b:
                s = next(k for k, (x, y) in enumerate(zip(row_a, row_b)) if x != y)
                return f"the loss of {names[i] or f'slot {i}'} in {what} '{columns[s]}' differs"
    if published != expected:  # every field is compared above; this keeps a new one from slipping through
        return "the parameters differ"
    return None
