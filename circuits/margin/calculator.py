"""The margin requirement in the clear, computed with exactly the integers the circuit uses.

All sums are at scale^2 (a fixed-point quantity times a fixed-point per-unit number). For
position slots i, scenarios s, collateral slots j, with neg_i = max(-q_i, 0):

  collateral    = sum_j amount_j * collateral_value_j
  position MTM  = sum_i q_i * unit_value_i
  rounding      = sum_i neg_i  (per array rounded in the prover's favour for a short unit)
  contingency   = sum_i |q_i| * contingency_i
  tiers         = sum_j max(0, max_k (slope_jk a_j - offset_jk))    (size-tiered collateral: value above the bands)
  concentration = sum_i max(0, max_k (slope_ik |q_i| - offset_ik))  (add-on on large positions)
  available     = collateral - tiers + MTM - rounding
  L_g[s]        = sum_{i in group g} q_i * unit_loss_i_s + sum_{j in group g} a_j * collateral_loss_j_s
                  (position and collateral slots are group-major; collateral is stressed with its group)
  floor_g       = sum_{i in group g} neg_i * short_option_min_i
  T_g[t]        = L_g over the expected-shortfall (tail) scenarios t, k = tail_k (0: no ES)
  ES_g          = ceil(sum of the k largest T_g[t] / k)          (Rockafellar-Uryasev, see circuit.py)
  M_g           = max(max_s L_g[s], ES_g, floor_g)              (>= 0: floor_g >= 0)
  credit_p      = min(floor(rate_p x [opposite sides] x min(M_g, M_h) / 10^4),
                      M_g + M_h - max_s (L_g[s] + L_h[s]))   (offset pair p: groups 2p, 2p + 1;
                  side_g = [L_g[1] - L_g[0] >= 0], scenario 0 the largest up move, 1 the largest down)
  requirement   = sum_g M_g - sum_p credit_p + contingency + concentration + rounding
  solvent at threshold t  <=>  available >= 0 and available * 10^4 >= t * requirement (t = ratio * 10^4)

Groups are underlyings: each is margined on its own worst scenario and the results are
added, as SPAN sums scan risk per combined commodity and Deribit and OKX margin each index
separately (issue 13). A long BTC perpetual against a short ETH one needs the sum of both.

The short-option minimum is a floor under each group's scan risk, not an add-on to it: SPAN
and OCC/FINRA 4210(g) both charge max(scan risk, minimum) per group.
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
    """Quantities in the parameters' slot order (group-major) and collateral per asset, padded to capacity."""
    quantities = [
        _to_scale(portfolio.positions.get(i, Fraction(0)), scale, f"quantity of {i}") if i else 0
        for i in params.instruments
    ]
    totals = portfolio.asset_totals()
    amounts = [
        _to_scale(totals.get(a, Fraction(0)), scale, f"collateral {a}") if a else 0 for a in params.collateral_assets
    ]
    salt = portfolio.salt if portfolio.salt is not None else secrets.randbelow(CURVE_ORDER)
    return ScaledPortfolio(
        account=account_field(portfolio.account),
        quantities=tuple(quantities),
        amounts=tuple(amounts),
        salt=salt,
    )


@dataclass(frozen=True)
class GroupRisk:
    """One risk group (an underlying): its scenario losses, scan risk, floor and margin M_g."""

    name: str
    losses: tuple[int, ...]  # per real scenario, positions and stressed collateral
    floor: int  # short-option minimum of the group
    collateral_losses: tuple[int, ...] = ()  # the stressed collateral's part of losses
    tail_losses: tuple[int, ...] = ()  # per tail scenario (padded columns included, as the circuit has them)
    tail_k: int = 0
    slot: int = -1  # the group's index in the parameters (offset pairs are slots 2p and 2p + 1)

    @property
    def scan(self) -> int:
        return max(self.losses)

    @property
    def expected_shortfall(self) -> int | None:
        """The mean of the k worst tail losses, rounded up (M_g k >= their sum in the circuit)."""
        if not self.tail_k:
            return None
        return -(-sum(sorted(self.tail_losses, reverse=True)[: self.tail_k]) // self.tail_k)

    @property
    def tail_worst(self) -> list[int]:
        """The tail scenarios ES averages: the k largest losses (ties by position)."""
        ranked = sorted(range(len(self.tail_losses)), key=lambda t: -self.tail_losses[t])
        return ranked[: self.tail_k]

    @property
    def margin(self) -> int:
        """M_g = max(scan_g, ES_g, floor_g) >= 0 (the floor is never negative): a group's
        guaranteed gain never pays for another group's risk."""
        es = self.expected_shortfall
        return max(self.scan, self.floor, es if es is not None else self.floor)

    @property
    def binding(self) -> str:
        if self.floor > self.scan and self.margin == self.floor:
            return "short-option minimum"
        es = self.expected_shortfall
        return "expected shortfall" if es is not None and es > self.scan and es == self.margin else "scan risk"

    @property
    def worst_index(self) -> int:
        return max(range(len(self.losses)), key=lambda s: self.losses[s])


@dataclass
class MarginResult:
    """Every figure at scale^2; `real()` converts for display."""

    scale: int
    scenario_names: tuple[str, ...]
    groups: list[GroupRisk]  # groups that hold a position slot (padding left out)
    collateral: int
    position_value: int
    rounding: int
    contingency_addon: int
    threshold: int = THRESHOLD_SCALE
    tail_names: tuple[str, ...] = ()  # expected shortfall's scenarios, padding ("": no move) included
    tier_deduction: int = 0  # size-tiered collateral: what the bands take off the flat-haircut value
    concentration: int = 0  # concentration add-ons on large positions
    offsets: list[tuple[str, str, int]] = field(default_factory=list)  # (group, group, credit) per offset pair

    @property
    def offset_credit(self) -> int:
        return sum(credit for _, _, credit in self.offsets)
    isolated_by_position: int = 0
    isolated_by_venue: int = 0
    greeks: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def scenario_loss(self) -> list[int]:
        """The whole book's loss per scenario (for display: groups are margined separately)."""
        return [sum(g.losses[s] for g in self.groups) for s in range(len(self.scenario_names))]

    @property
    def short_option_addon(self) -> int:
        return sum(g.floor for g in self.groups)

    @property
    def scan(self) -> int:
        """Sum over groups of each group's worst scenario loss, before the floors."""
        return sum(g.scan for g in self.groups)

    @property
    def floor_binds(self) -> bool:
        return any(g.floor > g.scan for g in self.groups)

    @property
    def available(self) -> int:
        return self.collateral - self.tier_deduction + self.position_value - self.rounding

    @property
    def worst_index(self) -> int:
        loss = self.scenario_loss
        return max(range(len(loss)), key=lambda s: loss[s])

    @property
    def requirement(self) -> int:
        """sum_g M_g - credits + contingency + concentration + rounding; never negative (a credit is at
        most its pair's smaller M)."""
        margins = sum(g.margin for g in self.groups) - self.offset_credit
        return margins + self.contingency_addon + self.concentration + self.rounding

    @property
    def excess(self) -> int:
        """available - threshold x requirement (negative: shortfall)."""
        return self.available - -(-self.threshold * self.requirement // THRESHOLD_SCALE)

    @property
    def solvent(self) -> bool:
        return self.available >= 0 and self.available * THRESHOLD_SCALE >= self.threshold * self.requirement

    def binding(self) -> str:
        """Which term sets each group's margin, in words."""
        parts = []
        for g in self.groups:
            worst = self.scenario_names[g.worst_index]
            term = {"short-option minimum": "the short-option minimum", "expected shortfall": "expected shortfall"}.get(
                g.binding, f"worst scenario '{worst}'"
            )
            parts.append(f"{g.name}: {term}" if g.name else term)
        return "; ".join(parts)

    def real(self, value: int) -> Fraction:
        return Fraction(value, self.scale * self.scale)


def group_slots(params: MarginParameters, names: tuple[str, ...] | None = None) -> list[range]:
    """Slots are group-major: group g owns slots [g P, (g + 1) P), P = slots / groups."""
    per = len(names or params.instruments) // len(params.groups)
    return [range(g * per, (g + 1) * per) for g in range(len(params.groups))]


def _terms(params: MarginParameters, quantities, indices, count: int, amounts=None) -> tuple[list[GroupRisk], int, int]:
    """Group risks (with their stressed collateral when ``amounts`` is given), contingency and
    rounding over some position slots (the circuit's sums)."""
    chosen = set(indices)
    groups = []
    contingency = rounding = 0
    cslots = group_slots(params, params.collateral_assets)
    for g, slots in enumerate(group_slots(params)):
        held = [i for i in slots if i in chosen]
        if not any(params.instruments[i] for i in slots) and not any(params.collateral_assets[j] for j in cslots[g]):
            continue  # a padding group: all zero
        stressed = [(amounts[j], params.collateral_loss[j]) for j in cslots[g]] if amounts else []
        on_collateral = tuple(sum(a * row[s] for a, row in stressed) for s in range(count))
        losses = tuple(
            sum(quantities[i] * params.unit_loss[i][s] for i in held) + on_collateral[s] for s in range(count)
        )
        floor = sum(max(-quantities[i], 0) * params.short_option_min[i] for i in held)
        tail_held = [(amounts[j], params.tail_collateral_loss[j]) for j in cslots[g]] if amounts else []
        tail = tuple(
            sum(quantities[i] * params.tail_loss[i][t] for i in held) + sum(a * row[t] for a, row in tail_held)
            for t in range(len(params.tail_scenarios))
        )
        groups.append(GroupRisk(params.groups[g], losses, floor, on_collateral, tail, params.tail_k, g))
        contingency += sum(abs(quantities[i]) * params.contingency[i] for i in held)
        rounding += sum(max(-quantities[i], 0) for i in held)
    return groups, contingency, rounding


def above_lines(x: int, slope: tuple[int, ...], offset: tuple[int, ...]) -> int:
    """max(0, max_k (slope_k x - offset_k)): the least value the circuit's above_lines accepts."""
    return max([0, *(c * x - d for c, d in zip(slope, offset))])


def offset_credits(params: MarginParameters, groups: list[GroupRisk]) -> list[tuple[str, str, int]]:
    """Each offset pair's credit, as the circuit's offset_credit bounds it (a padding group: M = 0)."""
    by_slot = {g.slot: g for g in groups}
    out = []
    for p, rate in enumerate(params.offset_rate):
        pair = [by_slot.get(2 * p + k) for k in (0, 1)]
        longs = [g is None or g.losses[1] - g.losses[0] >= 0 for g in pair]  # padding: all zero, "long"
        common = min(g.margin if g is not None else 0 for g in pair)
        quota = rate * common // THRESHOLD_SCALE if longs[0] != longs[1] else 0
        margins = sum(g.margin for g in pair if g is not None)
        columns = zip(*(g.losses if g is not None else (0,) * len(params.scenarios) for g in pair))
        credit = min(quota, *(margins - sum(joint) for joint in columns))  # never below the pair's joint loss
        out.append((params.groups[2 * p], params.groups[2 * p + 1], credit))
    return out


def evaluate(
    params: MarginParameters,
    fixed: ScaledPortfolio,
    threshold: int = THRESHOLD_SCALE,
    real_scenarios: int | None = None,
) -> MarginResult:
    """The exact numbers the circuit enforces, for the whole portfolio."""
    count = real_scenarios or len(params.scenarios)
    groups, contingency, rounding = _terms(
        params, fixed.quantities, range(len(params.instruments)), count, fixed.amounts
    )
    if params.offset_rate and count < 2:
        raise FormatError("offset pairs need the largest up and down moves as scenarios 0 and 1")
    return MarginResult(
        scale=params.scale,
        scenario_names=params.scenarios[:count],
        groups=groups,
        collateral=sum(a * v for a, v in zip(fixed.amounts, params.collateral_value)),
        position_value=sum(q * v for q, v in zip(fixed.quantities, params.unit_value)),
        rounding=rounding,
        contingency_addon=contingency,
        threshold=threshold,
        tail_names=params.tail_scenarios,
        offsets=offset_credits(params, groups),
        tier_deduction=sum(
            above_lines(a, c, d) for a, c, d in zip(fixed.amounts, params.collateral_tier_slope,
                                                    params.collateral_tier_offset)
        ),
        concentration=sum(
            above_lines(abs(q), c, d) for q, c, d in zip(fixed.quantities, params.concentration_slope,
                                                         params.concentration_offset)
        ),
    )


def isolated_requirements(
    params: MarginParameters,
    fixed: ScaledPortfolio,
    venues: list[str],
    real_scenarios: int,
    holding_charge: list[int] | None = None,
) -> tuple[int, int]:
    """What margining each position alone, and each venue alone (each underlying separately,
    as Deribit and OKX do), would require.

    A long spot holding or supplied lending is not a margined position: alone, a venue counts
    it as collateral at a haircut, so ``holding_charge[i]`` (its haircut x value, per unit)
    replaces its scenario loss when given; charging it the full downside inflates the saving.
    """

    def requirement(indices) -> int:
        charge = holding_charge or [0] * len(fixed.quantities)
        margined = [i for i in indices if not (charge[i] and fixed.quantities[i] > 0)]
        groups, contingency, rounding = _terms(params, fixed.quantities, margined, real_scenarios)
        holdings = sum(fixed.quantities[i] * charge[i] for i in indices if i not in margined)
        concentration = sum(
            above_lines(abs(fixed.quantities[i]), params.concentration_slope[i], params.concentration_offset[i])
            for i in margined
        )
        return sum(g.margin for g in groups) + contingency + concentration + rounding + holdings

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
