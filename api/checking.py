"""Checking bundles: the proof, the published parameters against a market, and one's own opening."""

from __future__ import annotations

from pathlib import Path

from zkmargin.circuits.margin.calculator import MarginResult
from zkmargin.circuits.margin.case import describe_difference, expected_parameters
from zkmargin.circuits.margin.opening import Opening, open_statement
from zkmargin.circuits.margin.risk_arrays import CapacityTooSmall
from zkmargin.verifier.bundle import Verdict, load_bundle
from zkmargin.verifier.files import FormatError, read_json
from zkmargin.verifier.kinds import MarginParameters
from zkmargin.verifier.statement import Statement


def verify_bundle(
    folder: Path | None = None, *, proof: Path | None = None, public: Path | None = None, key: Path | None = None
) -> Verdict:
    """A bundle folder (statement.json required), or loose snarkjs files without one."""
    return load_bundle(folder, proof=proof, public=public, key=key).check()


def check_parameters(statement: Statement, market: Path, model: str, risk_arrays: Path | None = None) -> str | None:
    """None when the statement's parameters are those the market and model give, else the first
    difference in words."""
    if not isinstance(statement.parameters, MarginParameters):
        raise FormatError(f"--market applies to portfolio-margin bundles, not {statement.kind.name}")
    try:
        parameters = statement.parameters
        level = parameters.margin_level
        expected, epoch = expected_parameters(market, model, parameters.capacity, risk_arrays, level)
    except CapacityTooSmall as exc:
        return str(exc)
    if epoch != statement.public["epoch"]:
        return f"the market snapshot's epoch is {epoch}, the statement's {statement.public['epoch']}"
    return describe_difference(statement.parameters, expected)


def read_opening(path: Path) -> Opening:
    return Opening.from_json(read_json(path), str(path))


def check_opening(statement: Statement, opening: Opening) -> MarginResult:
    """The owner's margin under the bundle's parameters, once the opening is shown to be theirs."""
    return open_statement(statement, opening)
