"""Public risk arrays: per-unit values, scenario losses and add-ons, in fixed point.

For instrument i and scenario s (move m, volatility direction, weight w):
  unit value V0      spot, lending: S * mult; perpetuals, futures: 0 (P&L is settled into
                     collateral); options: mark, else Black-76 at today's spot and vol
  unit loss L[i][s]  w * (model value today - value after the shock), loss positive
  short-option min   (fraction * S + per-contract amount) * mult, per short unit
  contingency        rate * price * mult, per unit long or short (perpetuals, futures)
  collateral value   price * (1 - haircut) per unit of a collateral asset

Rounding goes against the prover: losses and add-ons round up, values round down (the
circuit adds one unit per short unit to cover the sign). Every underlying of a scenario
moves by that scenario's move for it ("*" for all): hedges across underlyings net as if
perfectly correlated unless the model gives divergent moves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import PARAMETER_BITS, MarginCapacity, MarginParameters

from .inputs import MARGIN_LEVELS, Instrument, Market, Reader, RiskModel
from .pricing import black76
from .tiers import Lines, collateral_lines, concentration_lines, per_unit

_FLOAT_SLACK = 1e-9  # relative slack on float option values before rounding


@dataclass(frozen=True)
class InstrumentRisk:
    """One instrument's risk in exact or float real units (before fixed point)."""

    instrument_id: str
    venue: str
    group: str  # the risk group: its underlying
    unit_value: Fraction | float
    unit_loss: tuple[Fraction | float, ...]  # one per scenario, weighted
    short_option_min: Fraction
    contingency: Fraction
    tail_loss: tuple[Fraction | float, ...] = ()  # one per expected-shortfall scenario, unweighted
    concentration: Lines = ()  # add-on lines per unit held, long or short (tiers.py)


@dataclass(frozen=True)
class RiskArrays:
    scenarios: tuple[str, ...]
    instruments: tuple[InstrumentRisk, ...]
    collateral_assets: tuple[str, ...]
    collateral_value: tuple[Fraction, ...]  # per unit, after haircut
    scale: int
    collateral_group: tuple[str | None, ...] = ()  # the underlying each asset tracks, or None
    collateral_loss: tuple[tuple[Fraction, ...], ...] = ()  # per unit and scenario, after haircut, weighted
    level: str = "initial"  # the margin level: "initial" or "maintenance"
    tail_scenarios: tuple[str, ...] = ()  # expected shortfall's scenario set (none: no ES)
    tail_k: int = 0  # ES averages the worst tail_k losses
    tail_collateral_loss: tuple[tuple[Fraction, ...], ...] = ()
    collateral_tiers: tuple[Lines, ...] = ()  # per asset: deduction lines per unit (tiers.py)
    offset_pairs: tuple[tuple[str, str, int], ...] = ()  # (group, group, rate x 10^4); scenarios 0, 1: up, down


def at_level(arrays: RiskArrays, model: RiskModel, level: str) -> RiskArrays:
    """The arrays at a margin level. The model's terms are initial margin; maintenance scales
    each requirement term by the model's published factor (<= 1): scan losses, short-option
    minimum and contingency. Values and collateral are not requirements and do not change."""
    if level not in MARGIN_LEVELS:
        raise FormatError(f"--margin: {level[:40]!r} is not one of {', '.join(MARGIN_LEVELS)}")
    if level == "initial":
        return replace(arrays, level=level)
    f = model.maintenance
    risks = tuple(
        replace(
            r,
            unit_loss=tuple(x * f["scan"] for x in r.unit_loss),
            short_option_min=r.short_option_min * f["short_option_minimum"],
            contingency=r.contingency * f["contingency"],
            tail_loss=tuple(x * f["scan"] for x in r.tail_loss),
        )
        for r in arrays.instruments
    )
    loss = tuple(tuple(x * f["scan"] for x in row) for row in arrays.collateral_loss)
    tail = tuple(tuple(x * f["scan"] for x in row) for row in arrays.tail_collateral_loss)
    return replace(arrays, instruments=risks, collateral_loss=loss, tail_collateral_loss=tail, level=level)


def _finite(x: float) -> float:
    """The input ranges keep Black-76 finite; this makes any gap a clear error, not an OverflowError."""
    if not math.isfinite(x):
        raise FormatError(f"an option value came out as {x}: check the market's spots, strikes, vols and expiries")
    return x


def _ceil(x: Fraction | float, scale: int) -> int:
    if isinstance(x, Fraction):
        return math.ceil(x * scale)
    return math.ceil(_finite(x * scale + abs(x * scale) * _FLOAT_SLACK))


def _floor(x: Fraction | float, scale: int) -> int:
    if isinstance(x, Fraction):
        return math.floor(x * scale)
    return math.floor(_finite(x * scale - abs(x * scale) * _FLOAT_SLACK))


def shocked_vol(model: RiskModel, vol: float, years: float, direction: str) -> float:
    shock = model.vol_shock
    if direction == "none":
        return vol
    if shock.kind == "relative":
        factor = 1 + float(shock.range) if direction == "up" else max(1 - float(shock.range), 0.01)
        return vol * factor
    days = max(years * 365.0, 1.0)
    f = (30.0 / days) ** (0.3 if days <= 30 else 0.13)
    if direction == "up":
        return vol * (1 + float(shock.up) * f)
    return vol * max(1 - float(shock.down) * f, float(shock.floor))


def _option_value(inst: Instrument, market: Market, spot: float, vol: float) -> float:
    years = market.years_to_expiry(inst)
    return black76(inst.kind, spot, float(inst.strike), years, vol, float(market.rate)) * float(inst.multiplier)


def instrument_risk(inst: Instrument, market: Market, model: RiskModel) -> InstrumentRisk:
    under = market.underlyings[inst.underlying]
    spot = under.spot
    price = inst.mark if inst.mark is not None and not inst.is_option else spot
    losses: list[Fraction | float] = []
    if inst.is_option:
        vol = float(inst.vol if inst.vol is not None else under.vol)
        years = market.years_to_expiry(inst)
        today = _option_value(inst, market, float(spot), vol)
        value: Fraction | float = inst.mark * inst.multiplier if inst.mark is not None else today
        for sc in model.scenarios:
            shocked = _option_value(
                inst, market, float(spot * (1 + sc.move_for(inst.underlying))), shocked_vol(model, vol, years, sc.vol)
            )
            losses.append(float(sc.weight) * (today - shocked))
        short_min = (model.short_option_fraction * spot + model.short_option_per_contract) * inst.multiplier
    else:
        value = spot * inst.multiplier if inst.kind in ("spot", "lending") else Fraction(0)
        for sc in model.scenarios:
            losses.append(-sc.weight * price * sc.move_for(inst.underlying) * inst.multiplier)
        short_min = Fraction(0)
    contingency = model.contingency.get(inst.kind, Fraction(0)) * price * inst.multiplier
    bands = model.concentration.get(inst.underlying, model.concentration.get("*"))
    lines = per_unit(concentration_lines(bands), price * inst.multiplier) if bands else ()
    return InstrumentRisk(inst.id, inst.venue, inst.underlying, value, tuple(losses), short_min, contingency, (), lines)


def asset_move(sc, asset) -> Fraction:
    """An asset's move in a scenario: its own (a depeg: {"USDC": "-0.1"}), else its underlying's.
    A stablecoin moves only when a scenario names it or its underlying (its peg, e.g. USD):
    "*" means every risky underlying, never a peg. An asset that tracks nothing never moves."""
    if asset.symbol in sc.moves:
        return sc.moves[asset.symbol]
    if not asset.tracks:
        return Fraction(0)
    if asset.asset_class == "stablecoin":
        return sc.moves.get(asset.tracks, Fraction(0))
    return sc.move_for(asset.tracks)


def _stressed(market: Market, collateral: tuple[Fraction, ...], scenarios) -> tuple[tuple[Fraction, ...], ...]:
    """Stressed collateral: value in scenario s = amount x price x (1 + m(s)) x (1 - haircut),
    so its loss against today's haircut value is -amount x price x m(s) x (1 - haircut),
    weighted like a position's, m the asset's move; in its group's scenarios (an asset that
    tracks nothing has no group, so a scenario naming it is refused when read)."""
    for a in market.assets.values():
        if not a.tracks and any(a.symbol in sc.moves for sc in scenarios):
            raise FormatError(f"a scenario moves {a.symbol[:40]!r}, which tracks no group: give it tracks (e.g. USD)")
    return tuple(
        tuple(-sc.weight * v * asset_move(sc, a) for sc in scenarios)
        for a, v in zip(market.assets.values(), collateral)
    )


def _tail_arrays(market: Market, model: RiskModel, collateral: tuple[Fraction, ...]) -> dict:
    """Expected shortfall's per-unit losses over its tail scenarios, computed as the stress
    scenarios' are. Every underlying the market uses must move in every tail scenario: a
    history without a column for one would silently hold it still."""
    es = model.expected_shortfall
    if es is None:
        return {}
    used = sorted({i.underlying for i in market.instruments.values()} | {a.tracks for a in market.assets.values()
                                                                         if a.tracks and a.asset_class != "stablecoin"})
    missing = [u for u in used if not all(u in sc.moves or "*" in sc.moves for sc in es.scenarios)]
    if missing:
        raise FormatError(f"{model.name}: expected_shortfall ({es.source}) has no move for underlying {missing[0]!r}")
    tail_model = replace(model, scenarios=es.scenarios)
    return {
        "tail_loss": [instrument_risk(i, market, tail_model).unit_loss for i in market.instruments.values()],
        "tail_scenarios": tuple(sc.name for sc in es.scenarios),
        "tail_k": es.k,
        "tail_collateral_loss": _stressed(market, collateral, es.scenarios),
    }


def compute_risk_arrays(market: Market, model: RiskModel) -> RiskArrays:
    for where, names, known, what in (
        ("haircuts.assets", model.asset_haircuts, market.assets, "a collateral asset"),
        ("collateral_tiers", model.collateral_tiers, market.assets, "a collateral asset"),
        ("concentration", set(model.concentration) - {"*"}, market.underlyings, "an underlying"),
    ):
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise FormatError(f"{model.name}: {where}: {unknown[0][:60]!r} is not {what} of the market")
    collateral = tuple(a.price * (1 - model.haircut(a)) for a in market.assets.values())
    tail = _tail_arrays(market, model, collateral)
    risks = [instrument_risk(i, market, model) for i in market.instruments.values()]
    if tail:
        risks = [replace(r, tail_loss=tuple(t)) for r, t in zip(risks, tail.pop("tail_loss"))]
    return RiskArrays(
        scenarios=tuple(s.name for s in model.scenarios),
        instruments=tuple(risks),
        collateral_assets=tuple(market.assets),
        collateral_value=collateral,
        scale=model.scale,
        collateral_group=tuple(a.tracks for a in market.assets.values()),
        collateral_loss=_stressed(market, collateral, model.scenarios),
        collateral_tiers=tuple(
            per_unit(collateral_lines(model.collateral_tiers[a.symbol]), a.price) if a.symbol in model.collateral_tiers
            else () for a in market.assets.values()
        ),
        **tail,
    )


def load_risk_array_file(raw: Any, market: Market, model: RiskModel, source: str) -> RiskArrays:
    """Arrays as a clearing house publishes them, used as given (rounded against the prover).

    {"scenarios": [names], "instruments": {id: {"value": "..", "loss": [".." per scenario],
     "short_option_min": "..", "contingency": ".."}}}; every market instrument must be listed.
    """
    r = Reader(source)
    top = r.strict(raw, "risk arrays", ("scenarios", "instruments"))
    names = tuple(r.text(n, f"scenarios[{i}]") for i, n in enumerate(r.list(r.get(top, "scenarios", ""), "scenarios")))
    if not names:
        raise r.fail("scenarios", "no scenarios")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise r.fail("scenarios", f"scenario {twice[0][:60]!r} is named twice")
    table = r.obj(r.get(top, "instruments", ""), "instruments")
    extra = sorted(set(table) - set(market.instruments))
    if extra:
        raise r.fail("instruments", f"{extra[0][:60]!r} is not an instrument of the market snapshot")
    risks = []
    for ident, inst in market.instruments.items():
        if ident not in table:
            raise r.fail("instruments", f"no array for market instrument {ident!r}")
        entry = r.strict(table[ident], f"instruments.{ident}", ("value", "loss", "short_option_min", "contingency"))
        losses = r.list(r.get(entry, "loss", f"instruments.{ident}"), f"instruments.{ident}.loss")
        if len(losses) != len(names):
            raise r.fail(f"instruments.{ident}.loss", f"expected {len(names)} values, one per scenario")
        risks.append(
            InstrumentRisk(
                ident,
                inst.venue,
                inst.underlying,
                r.number(entry.get("value", "0"), f"instruments.{ident}.value"),
                tuple(r.number(v, f"instruments.{ident}.loss[{k}]") for k, v in enumerate(losses)),
                r.number(entry.get("short_option_min", "0"), f"instruments.{ident}.short_option_min", nonnegative=True),
                r.number(entry.get("contingency", "0"), f"instruments.{ident}.contingency", nonnegative=True),
            )
        )
    base = compute_risk_arrays(market, model)
    risks = [replace(r, tail_loss=b.tail_loss, concentration=b.concentration) for r, b in zip(risks, base.instruments)]
    if names != tuple(sc.name for sc in model.scenarios):
        # Published scenarios are not the model's: their moves are unknown, so collateral is valued
        # unstressed (README, risk arrays). Name the model's scenarios to have it stressed.
        unstressed = tuple(tuple([Fraction(0)] * len(names)) for _ in base.collateral_assets)
        return replace(base, scenarios=names, instruments=tuple(risks), collateral_loss=unstressed)
    return replace(base, scenarios=names, instruments=tuple(risks))


def with_offsets(arrays: RiskArrays, model: RiskModel) -> RiskArrays:
    """The model's offset pairs, and its largest up and down scenarios moved to slots 0 and 1,
    where the circuit reads each group's side (a fixed position: no scenario index to hint)."""
    if model.offsets is None:
        return arrays
    order = list(arrays.scenarios)
    missing = [n for n in (model.offsets.up, model.offsets.down) if n not in order]
    if missing:
        raise FormatError(f"{model.name}: offsets: scenario {missing[0][:60]!r} is not among the arrays' scenarios")
    first = [order.index(model.offsets.up), order.index(model.offsets.down)]
    keep = first + [k for k in range(len(order)) if k not in first]
    pick = lambda row: tuple(row[k] for k in keep)  # noqa: E731
    return replace(
        arrays,
        scenarios=pick(order),
        instruments=tuple(replace(r, unit_loss=pick(r.unit_loss)) for r in arrays.instruments),
        collateral_loss=tuple(pick(row) for row in arrays.collateral_loss),
        offset_pairs=model.offsets.pairs,
    )


class CapacityTooSmall(FormatError):
    """The market and model need more slots than the circuit has; ``needed`` is a capacity
    that fits them (what the message tells the user to pass)."""

    def __init__(self, message: str, needed: MarginCapacity):
        super().__init__(message)
        self.needed = needed


def capacity_flags(c: MarginCapacity) -> str:
    """The CLI flags that ask for capacity ``c`` (the optional axes only when in use)."""
    optional = (("--tail-scenarios", c.tail_scenarios), ("--tiers", c.tiers), ("--pairs", c.pairs))
    sizes = f"--groups {c.groups} --positions {c.positions} --collateral {c.collateral} --scenarios {c.scenarios}"
    return sizes + "".join(f" {flag} {n}" for flag, n in optional if n)


def to_public_parameters(arrays: RiskArrays, capacity: MarginCapacity) -> MarginParameters:
    """Fixed point, laid out group-major and padded to the circuit's capacity.

    Each underlying is a risk group; group g holds position slots [g P, (g + 1) P) with
    P = positions / groups, in the market's instrument order. Padding: empty position slots
    (and empty groups) have all-zero rows; extra scenario columns repeat the first scenario,
    so the circuit's check for them is one it makes anyway. Extra tail columns are a
    scenario with no move (zero losses): it can only raise the mean of the worst k, never
    lower it, and the calculator averages over the same padded set the circuit does.
    """
    tracked = arrays.collateral_group or (None,) * len(arrays.collateral_assets)
    names = list(dict.fromkeys([r.group for r in arrays.instruments] + [g for g in tracked if g]))
    pairs = [(g, h, rate) for g, h, rate in arrays.offset_pairs if g in names and h in names]
    paired = [name for g, h, _ in pairs for name in (g, h)]
    names = paired + [g for g in names if g not in paired]  # pair p is groups 2p and 2p + 1
    members = {g: [r for r in arrays.instruments if r.group == g] for g in names}
    held = {g: [j for j, t in enumerate(tracked) if t == g] for g in names}
    per, cper = capacity.positions // capacity.groups, capacity.collateral // capacity.groups
    widest = max((len(m) for m in members.values()), default=0)
    c, s, n_tail = len(arrays.collateral_assets), len(arrays.scenarios), len(arrays.tail_scenarios)
    n_tiers = max([len(x) for x in arrays.collateral_tiers] + [len(r.concentration) for r in arrays.instruments] + [0])
    # assets that track nothing (stablecoins, LP tokens) never move: any group's free slot holds them
    free = [j for j, t in enumerate(tracked) if not t]
    room = [cper - len(held[names[g]]) if g < len(names) else cper for g in range(capacity.groups)]
    fits = len(names) <= capacity.groups and all(r >= 0 for r in room) and sum(room) >= len(free)
    short = s > capacity.scenarios or n_tail > capacity.tail_scenarios or n_tiers > capacity.tiers
    short = short or len(pairs) > capacity.pairs
    if not fits or widest > per or short:
        groups = max(len(names), capacity.groups)
        need_c = groups * max(cper, max((len(h) for h in held.values()), default=0), -(-c // groups))
        needed = MarginCapacity(groups * max(widest, per), need_c, max(s, capacity.scenarios), groups,
                                max(n_tail, capacity.tail_scenarios), max(n_tiers, capacity.tiers),
                                max(len(pairs), capacity.pairs))  # fmt: skip
        # the smallest circuit that fits, named in the message; ``needed`` keeps the sizes asked for where larger
        g = max(len(names), 1)
        smallest = MarginCapacity(g * max(widest, 1), g * max([-(-c // g), 1] + [len(h) for h in held.values()]), s,
                                  g, n_tail, n_tiers, len(pairs))  # fmt: skip
        raise CapacityTooSmall(
            f"the market and model need capacity {capacity_flags(smallest)} at least "
            f"({len(names)} underlyings of up to {widest} instruments; the circuit is {capacity.label()})",
            needed,
        )
    sc = arrays.scale
    slots: list[InstrumentRisk | None] = []
    cslots: list[int | None] = []
    for g in range(capacity.groups):
        row = members[names[g]] if g < len(names) else []
        slots += row + [None] * (per - len(row))
        mine = held[names[g]] if g < len(names) else []
        while len(mine) < cper and free:
            mine = mine + [free.pop(0)]
        cslots += mine + [None] * (cper - len(mine))

    def pad_row(row: list[int]) -> list[int]:
        return row + [row[0]] * (capacity.scenarios - s)

    zero = tuple([0] * capacity.scenarios)
    no_tail = tuple([0] * capacity.tail_scenarios)
    tclose = arrays.tail_collateral_loss or tuple(() for _ in arrays.collateral_assets)

    def tail_row(row) -> tuple[int, ...]:
        return tuple([_ceil(x, sc) for x in row] + [0] * (capacity.tail_scenarios - n_tail))

    def tier_rows(lines: Lines) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Slopes per unit rounded up, offsets (at scale^2) down: each line lies above the exact one;
        padding lines are 0 x - 0 (the bound X >= 0 the circuit proves anyway)."""
        pad = [0] * (capacity.tiers - len(lines))
        return (tuple([_ceil(c, sc) for c, _ in lines] + pad), tuple([math.floor(d * sc * sc) for _, d in lines] + pad))

    tiered = arrays.collateral_tiers or ((),) * c
    ctiers = [tier_rows(tiered[j] if j is not None else ()) for j in cslots]
    ptiers = [tier_rows(r.concentration if r else ()) for r in slots]

    closs = arrays.collateral_loss or tuple(tuple([Fraction(0)] * s) for _ in arrays.collateral_assets)
    params = MarginParameters(
        scale=sc,
        margin_level=arrays.level,
        groups=tuple(names) + ("",) * (capacity.groups - len(names)),
        instruments=tuple(r.instrument_id if r else "" for r in slots),
        scenarios=arrays.scenarios + (arrays.scenarios[0],) * (capacity.scenarios - s),
        collateral_assets=tuple(arrays.collateral_assets[j] if j is not None else "" for j in cslots),
        unit_value=tuple(_floor(r.unit_value, sc) if r else 0 for r in slots),
        unit_loss=tuple(tuple(pad_row([_ceil(x, sc) for x in r.unit_loss])) if r else zero for r in slots),
        short_option_min=tuple(_ceil(r.short_option_min, sc) if r else 0 for r in slots),
        contingency=tuple(_ceil(r.contingency, sc) if r else 0 for r in slots),
        collateral_value=tuple(_floor(arrays.collateral_value[j], sc) if j is not None else 0 for j in cslots),
        collateral_loss=tuple(
            tuple(pad_row([_ceil(x, sc) for x in closs[j]])) if j is not None else zero for j in cslots
        ),
        tail_k=arrays.tail_k,
        tail_scenarios=arrays.tail_scenarios + ("",) * (capacity.tail_scenarios - n_tail),
        tail_loss=tuple(tail_row(r.tail_loss) if r else no_tail for r in slots),
        tail_collateral_loss=tuple(tail_row(tclose[j]) if j is not None else no_tail for j in cslots),
        collateral_tier_slope=tuple(slope for slope, _ in ctiers),
        collateral_tier_offset=tuple(offset for _, offset in ctiers),
        concentration_slope=tuple(slope for slope, _ in ptiers),
        concentration_offset=tuple(offset for _, offset in ptiers),
        offset_rate=tuple(rate for _, _, rate in pairs) + (0,) * (capacity.pairs - len(pairs)),
    )
    bound = 1 << PARAMETER_BITS
    rows = params.collateral_tier_slope + params.concentration_slope
    if any(v >= bound for row in rows for v in row) or any(
        v >= 1 << 100 for row in params.collateral_tier_offset + params.concentration_offset for v in row
    ):
        raise FormatError(f"a size tier does not fit the circuit's ranges at scale {sc}: lower the model's scale")
    for name in ("unit_value", "short_option_min", "contingency", "collateral_value"):
        if any(abs(v) >= bound for v in getattr(params, name)):
            raise FormatError(
                f"a {name.replace('_', ' ')} does not fit in {PARAMETER_BITS} bits at scale {sc}: "
                "lower the model's scale"
            )
    if any(abs(v) >= bound for rows in (params.unit_loss, params.collateral_loss, params.tail_loss,
                                        params.tail_collateral_loss) for row in rows for v in row):
        raise FormatError(
            f"a scenario loss does not fit in {PARAMETER_BITS} bits at scale {sc}: lower the model's scale"
        )
    return params
