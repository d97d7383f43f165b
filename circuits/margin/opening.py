"""The commitment opening: the private file that lets a portfolio's owner recognise their bundle.

``zkmargin prove`` writes it beside the bundle and never into it. With it, a user recomputes
the commitment (is this bundle about my portfolio?) and their own margin under the bundle's
published parameters (what exactly was proven about me?), with no other input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.files import FormatError, read_int
from zkmargin.verifier.kinds import PARAMETER_BITS, MarginParameters
from zkmargin.verifier.schema import strict_object
from zkmargin.verifier.statement import Statement, StatementMismatch

from .calculator import ScaledPortfolio, MarginResult, account_field, evaluate

WARNING = "PRIVATE: this opens the portfolio commitment and reveals every position"
_LIMIT = 1 << PARAMETER_BITS  # |quantity| and amounts, as the circuit proves them


@dataclass(frozen=True)
class Opening:
    """Scaled quantities per instrument and amounts per collateral asset, named as in the parameters."""

    account: str
    salt: int
    scale: int
    quantities: dict[str, int]
    collateral: dict[str, int]

    @classmethod
    def of(cls, account: str, fixed: ScaledPortfolio, parameters: MarginParameters) -> "Opening":
        return cls(
            account,
            fixed.salt,
            parameters.scale,
            {i: q for i, q in zip(parameters.instruments, fixed.quantities) if i},
            {a: v for a, v in zip(parameters.collateral_assets, fixed.amounts) if a},
        )

    def fixed(self, parameters: MarginParameters, where: str = "opening") -> ScaledPortfolio:
        """The witness in the parameters' slot order; a name the parameters lack is an error."""
        if self.scale != parameters.scale:
            raise FormatError(f"{where}: scale {self.scale} is not the bundle's {parameters.scale}")
        for names, held, what in (
            (parameters.instruments, self.quantities, "instrument"),
            (parameters.collateral_assets, self.collateral, "asset"),
        ):
            unknown = sorted(set(held) - set(names))
            if unknown:
                raise FormatError(f"{where}: {what} {unknown[0][:60]!r} is not in the bundle's parameters")
        return ScaledPortfolio(
            account_field(self.account),
            tuple(self.quantities.get(i, 0) if i else 0 for i in parameters.instruments),
            tuple(self.collateral.get(a, 0) if a else 0 for a in parameters.collateral_assets),
            self.salt,
        )

    def to_json(self) -> dict:
        return {
            "warning": WARNING,
            "account": self.account,
            "salt": str(self.salt),
            "scale": self.scale,
            "quantities": {k: str(v) for k, v in self.quantities.items()},
            "collateral": {k: str(v) for k, v in self.collateral.items()},
        }

    @classmethod
    def from_json(cls, obj: Any, where: str = "opening") -> "Opening":
        strict_object(
            obj, ("warning", "account", "salt", "scale", "quantities", "collateral"), where, optional=("warning",)
        )
        if not isinstance(obj["account"], str) or len(obj["account"]) > 200:
            raise FormatError(f"{where}.account: expected the account name")

        def amounts(key: str, lo: int) -> dict[str, int]:
            table = obj[key]
            if not isinstance(table, dict) or len(table) > 1 << 10:
                raise FormatError(f"{where}.{key}: expected an object of names and scaled amounts")
            return {name: read_int(v, f"{where}.{key}.{name[:60]}", lo=lo, hi=_LIMIT) for name, v in table.items()}

        return cls(
            obj["account"],
            read_int(obj["salt"], f"{where}.salt", lo=0, hi=CURVE_ORDER),
            read_int(obj["scale"], f"{where}.scale", lo=1, hi=_LIMIT),
            amounts("quantities", -_LIMIT),
            amounts("collateral", 0),
        )


def open_statement(statement: Statement, opening: Opening, where: str = "opening") -> MarginResult:
    """Check that ``opening`` opens the statement's commitment; return the owner's margin under
    the statement's parameters, exactly as the circuit computes it."""
    parameters = statement.parameters
    if not isinstance(parameters, MarginParameters):
        raise FormatError(f"--opening applies to portfolio-margin bundles, not {statement.kind.name}")
    fixed = opening.fixed(parameters, where)
    if fixed.commitment() != statement.public["commitment"]:
        raise StatementMismatch(
            f"{where} does not open this bundle's commitment: the bundle is not about this portfolio"
        )
    scenarios = parameters.scenarios
    real = len(scenarios)
    while real > 1 and scenarios[real - 1] == scenarios[0]:  # padding repeats the first scenario
        real -= 1
    return evaluate(parameters, fixed, statement.public["threshold"], real_scenarios=real)
