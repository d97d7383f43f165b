"""The margin requirement in the clear, computed with exactly the integers the circuit uses.

All sums are at scale^2 (a fixed-point quantity times a fixed-point per-unit number). For
position slots i, scenarios s, collateral slots j, with neg_i = max(-q_i, 0):

  collateral    = sum_j amount_j * collateral_value_j
  position MTM  = sum_i q_i * unit_value_i
  rounding      = sum_i neg_i  (per array rounded in the prover's favour for a short unit)
  floor         = sum_i neg_i * short_option_min_i   (the short-option minimum)
  contingency   = sum_i |q_i| * contingency_i
  available     = collateral + MTM - rounding
  need[s]       = sum_i q_i * unit_loss_i_s + contingency + rounding
  floor need    = floor + contingency + rounding
  requirement   = max(0, max_s need[s], floor need) = max(0, max(scan, floor) + contingency + rounding)
  solvent at threshold t  <=>  available * 10^4 >= t * requirement (t = ratio * 10^4)

The short-option minimum is a floor under the scan risk, not an add-on to it: SPAN and
OCC/FINRA 4210(g) both charge max(scan risk, minimum) (issue 13). Because every term is
compared with the same available, max(a, b) <= X is proven as a <= X and b <= X: no maximum
is ever supplied by the prover.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from fractions import Fraction

from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.poseidon import poseidon_sponge
from zkmargin.verifier.kinds import PARAMETER_BITS, TAG_PORTFOLIO, THRESHOLD_SCALE, MarginParameters

from .inputs import Market, Portfolio, RiskModel
from .pricing import black76_greeks


def account_field(account: str) -> int:
    """The account identifier as a field element (SHA-256, top 253 bits)."""
    return int.from_bytes(hashlib.sha256(account.encode("utf-8")).digest(), "big") >> 3


@dataclass(frozen=True)
class ScaledPortfolio:
    """The private witness: quantities per position slot and amounts per collateral slot, scaled."""

    account: int
    quantities: tuple[int, ...]
    amounts: tuple[int, ...]
    salt: int

    def commitment(self) -> int:
        values = [TAG_PORTFOLIO, self.account, *(q % CURVE_ORDER for q in self.quantities), *self.amounts, self.salt]
        return poseidon_sponge(values)


def _to_scale(value: Fraction, scale: int, where: str) -> int:
    scaled = value * scale
    if scaled.denominator != 1:
        raise FormatError(f"{where}: {float(value)} has more decimal places than the model's scale 1/{scale}")
    if abs(scaled) >= 1 << PARAMETER_BITS:
        raise FormatError(
            f"{where}: {float(value)} is too large for the circuit (|value * scale| < 2^{PARAMETER_BITS})"
        )
    return int(scaled)


def scale_portfolio(portfolio: Portfolio, market: Market, params: MarginParameters, scale: int) -> ScaledPortfolio:
    """Quantities in the market's instrument order and collateral per asset, padded to capacity."""
    cap = params.capacity
    quantities = [
        _to_scale(portfolio.positions.get(i, Fraction(0)), scale, f"quantity of {i}") for i in market.instruments
    ]
    totals = portfolio.asset_totals()
    amounts = [_to_scale(totals.get(a, Fraction(0)), scale, f"collateral {a}") for a in market.assets]
    salt = portfolio.salt if portfolio.salt is not None else secrets.randbelow(CURVE_ORDER)
    return ScaledPortfolio(
        account=account_field(portfolio.account),
        quantities=tuple(quantities + [0] * (cap.positions - len(quantities))),
        amounts=tuple(amounts + [0] * (cap.collateral - len(amounts))),
        salt=salt,
    )


@dataclass
class MarginResult:
    """Every figure at scale^2; `real()` converts for display."""

    scale: int
    scenario_names: tuple[str, ...]
    need: list[int]  # per scenario (real scenarios only, no padding)
    scenario_loss: list[int]
    collateral: int
    position_value: int
    rounding: int
    short_option_addon: int
    contingency_addon: int
    threshold: int = THRESHOLD_SCALE
    isolated_by_position: int = 0
    isolated_by_venue: int = 0
    greeks: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def scan(self) -> int:
        """The worst scenario loss (scan risk), before the floor."""
        return max(self.scenario_loss)

    @property
    def floor_binds(self) -> bool:
        return self.short_option_addon > self.scan

    @property
    def floor_need(self) -> int:
        return self.short_option_addon + self.contingency_addon + self.rounding

    @property
    def available(self) -> int:
        return self.collateral + self.position_value - self.rounding

    @property
    def worst_index(self) -> int:
        return max(range(len(self.need)), key=lambda s: self.need[s])

    @property
    def requirement(self) -> int:
        return max(0, max(self.need), self.floor_need)

    @property
    def excess(self) -> int:
        """available - threshold x requirement (negative: shortfall)."""
        return self.available - -(-self.threshold * self.requirement // THRESHOLD_SCALE)

    @property
    def solvent(self) -> bool:
        needs = [*self.need, self.floor_need]
        return self.available >= 0 and all(self.available * THRESHOLD_SCALE >= self.threshold * n for n in needs)

    def real(self, value: int) -> Fraction:
        return Fraction(value, self.scale * self.scale)


def _need_terms(params: MarginParameters, quantities, indices) -> tuple[list[int], int, int, int]:
    """Scenario losses, short-option and contingency add-ons, and rounding over some position slots."""
    n_scen = len(params.scenarios)
    losses = [0] * n_scen
    short = cont = rounding = 0
    for i in indices:
        q = quantities[i]
        neg = max(-q, 0)
        for s in range(n_scen):
            losses[s] += q * params.unit_loss[i][s]
        short += neg * params.short_option_min[i]
        cont += abs(q) * params.contingency[i]
        rounding += neg
    return losses, short, cont, rounding


def evaluate(
    params: MarginParameters,
    fixed: ScaledPortfolio,
    threshold: int = THRESHOLD_SCALE,
    real_scenarios: int | None = None,
) -> MarginResult:
    """The exact numbers the circuit enforces, for the whole portfolio."""
    all_slots = range(len(params.instruments))
    losses, short, cont, rounding = _need_terms(params, fixed.quantities, all_slots)
    count = real_scenarios or len(params.scenarios)
    need = [losses[s] + cont + rounding for s in range(count)]
    return MarginResult(
        scale=params.scale,
        scenario_names=params.scenarios[:count],
        need=need,
        scenario_loss=losses[:count],
        collateral=sum(a * v for a, v in zip(fixed.amounts, params.collateral_value)),
        position_value=sum(q * v for q, v in zip(fixed.quantities, params.unit_value)),
        rounding=rounding,
        short_option_addon=short,
        contingency_addon=cont,
        threshold=threshold,
    )


def isolated_requirements(
    params: MarginParameters, fixed: ScaledPortfolio, venues: list[str], real_scenarios: int
) -> tuple[int, int]:
    """What margining each position alone, and each venue alone, would require."""

    def requirement(indices) -> int:
        losses, short, cont, rounding = _need_terms(params, fixed.quantities, indices)
        return max(0, max(max(losses[:real_scenarios]), short) + cont + rounding)

    held = [i for i, q in enumerate(fixed.quantities) if q]
    by_position = sum(requirement([i]) for i in held)
    by_venue = sum(requirement([i for i in held if venues[i] == v]) for v in sorted({venues[i] for i in held}))
    return by_position, by_venue


def portfolio_greeks(portfolio: Portfolio, market: Market, model: RiskModel) -> dict[str, dict[str, float]]:
    """Net delta, gamma and vega (per 1 vol point) per underlying."""
    out: dict[str, dict[str, float]] = {u: {"delta": 0.0, "gamma": 0.0, "vega": 0.0} for u in market.underlyings}
    for ident, qty in portfolio.positions.items():
        inst = market.instruments[ident]
        g = out[inst.underlying]
        size = float(qty * inst.multiplier)
        if inst.is_option:
            under = market.underlyings[inst.underlying]
            vol = float(inst.vol if inst.vol is not None else under.vol)
            greeks = black76_greeks(
                inst.kind, float(under.spot), float(inst.strike), market.years_to_expiry(inst), vol, float(market.rate)
            )
            g["delta"] += size * greeks.delta
            g["gamma"] += size * greeks.gamma
            g["vega"] += size * greeks.vega / 100
        else:
            g["delta"] += size
    return {u: g for u, g in out.items() if any(g.values())}
