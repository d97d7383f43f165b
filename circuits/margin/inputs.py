"""The margin model's inputs: market snapshot, portfolio and risk model, parsed and validated.

Every number is read exactly (decimal strings or integers, or fractions like "2/3" where a
ratio is natural) into a Fraction; binary floats are refused because they are already
rounded. Every error names the file, the field and the problem.

Market snapshot (public): time, rate, underlyings (spot, implied vol), the instrument
universe, each instrument tagged with the venue or protocol holding it, and collateral
asset prices. Portfolio (private): signed quantities per instrument, collateral balances
per venue and asset, an account identifier. Risk model (public): scenarios, haircuts,
add-on rates, fixed-point scale, and the optional expected shortfall, size tiers,
concentration and offsets (README, risk model). Field access itself is reader.py's.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.files import FormatError, read_int, read_json

from .history import history_moves
from .tiers import Bands
from .reader import (
    MARKET_BYTES,
    MAX_MOVE,
    MODEL_BYTES,
    PORTFOLIO_BYTES,
    PRICE_RANGE,
    RATE_RANGE,
    VOL_RANGE,
    Reader,
)

INSTRUMENT_KINDS = ("spot", "perp", "future", "call", "put", "lending")
ASSET_CLASSES = ("stablecoin", "major", "yield-bearing", "options-lp", "other")
VOL_DIRECTIONS = ("up", "none", "down")
PRESETS = ("span16", "occ10", "crypto-pm", "hist-es")
# A class a model leaves out gets these (README, "Input formats"): never 0%, which would favour the prover.
DEFAULT_HAIRCUTS = {
    "stablecoin": Fraction(2, 100),
    "major": Fraction(125, 1000),
    "yield-bearing": Fraction(15, 100),
    "options-lp": Fraction(40, 100),
    "other": Fraction(50, 100),
}
_INSTRUMENT_KEYS = ("id", "venue", "kind", "underlying", "multiplier", "strike", "expiry", "mark", "vol")
_MODEL_KEYS = (
    "name",
    "description",
    "scale",
    "price_scan_range",
    "vol_shock",
    "scenarios",
    "haircuts",
    "short_option_minimum",
    "contingency",
    "maintenance",
    "expected_shortfall",
    "collateral_tiers",
    "concentration",
    "offsets",
)
_ES_KEYS = ("alpha", "history", "ewma_lambda", "scenarios")
_VOL_SHOCK_KEYS = ("type", "range", "up", "down", "floor")
MARGIN_LEVELS = ("initial", "maintenance")
MAINTENANCE_TERMS = ("scan", "short_option_minimum", "contingency")

# ------------------------------------------------------------------- market
@dataclass(frozen=True)
class Underlying:
    symbol: str
    spot: Fraction
    vol: Fraction  # annualised implied volatility, e.g. 0.65


@dataclass(frozen=True)
class Instrument:
    id: str
    venue: str
    kind: str
    underlying: str
    multiplier: Fraction = Fraction(1)
    strike: Fraction | None = None
    expiry: datetime | None = None
    mark: Fraction | None = None  # mark price per unit of underlying (futures price for futures)
    vol: Fraction | None = None  # implied volatility of this option, else the underlying's

    @property
    def is_option(self) -> bool:
        return self.kind in ("call", "put")


@dataclass(frozen=True)
class Asset:
    symbol: str
    price: Fraction
    asset_class: str
    tracks: str | None = None  # the underlying whose scenarios reprice it (ETH, stETH -> ETH), if any


@dataclass(frozen=True)
class Market:
    timestamp: datetime
    rate: Fraction
    underlyings: dict[str, Underlying]
    instruments: dict[str, Instrument]  # in file order: the circuit's position slots
    assets: dict[str, Asset]  # in file order: the circuit's collateral slots

    @property
    def epoch(self) -> int:
        return int(self.timestamp.timestamp())

    def years_to_expiry(self, instrument: Instrument) -> float:
        assert instrument.expiry is not None
        return (instrument.expiry - self.timestamp).total_seconds() / (365.0 * 86400)


def parse_market(raw: Any, source: str = "market") -> Market:
    r = Reader(source)
    top = r.strict(raw, "market", ("timestamp", "rate", "underlyings", "instruments", "assets"))
    timestamp = r.time(r.get(top, "timestamp", ""), "timestamp")
    rate = r.number(r.get(top, "rate", "", "0"), "rate", lo=RATE_RANGE[0], hi=RATE_RANGE[1])
    underlyings = {}
    for symbol, entry in r.obj(r.get(top, "underlyings", ""), "underlyings").items():
        where = f"underlyings.{symbol}"
        entry = r.strict(entry, where, ("spot", "vol"))
        underlyings[symbol] = Underlying(
            symbol,
            spot=r.number(
                r.get(entry, "spot", where), f"{where}.spot", positive=True, lo=PRICE_RANGE[0], hi=PRICE_RANGE[1]
            ),
            vol=r.number(r.get(entry, "vol", where), f"{where}.vol", positive=True, lo=VOL_RANGE[0], hi=VOL_RANGE[1]),
        )
    instruments: dict[str, Instrument] = {}
    for i, entry in enumerate(r.list(r.get(top, "instruments", ""), "instruments")):
        where = f"instruments[{i}]"
        entry = r.strict(entry, where, _INSTRUMENT_KEYS)
        ident = r.text(r.get(entry, "id", where), f"{where}.id")
        if ident in instruments:
            raise r.fail(f"{where}.id", f"{ident!r} is listed twice")
        kind = r.text(r.get(entry, "kind", where), f"{where}.kind")
        if kind not in INSTRUMENT_KINDS:
            raise r.fail(f"{where}.kind", f"{kind!r} is not one of {', '.join(INSTRUMENT_KINDS)}")
        underlying = r.text(r.get(entry, "underlying", where), f"{where}.underlying")
        if underlying not in underlyings:
            raise r.fail(f"{where}.underlying", f"{underlying!r} is not in underlyings")
        opt = lambda key, **kw: None if entry.get(key) is None else r.number(entry[key], f"{where}.{key}", **kw)  # noqa: E731
        strike = opt("strike", positive=True, lo=PRICE_RANGE[0], hi=PRICE_RANGE[1])
        expiry = None if entry.get("expiry") is None else r.time(entry["expiry"], f"{where}.expiry")
        if kind in ("call", "put", "future"):
            if expiry is None:
                raise r.fail(f"{where}.expiry", f"a {kind} needs an expiry")
            if expiry <= timestamp:
                raise r.fail(f"{where}.expiry", f"{ident} expired at {expiry.isoformat()}, before the snapshot")
        if kind in ("call", "put") and strike is None:
            raise r.fail(f"{where}.strike", "an option needs a strike")
        instruments[ident] = Instrument(
            id=ident,
            venue=r.text(r.get(entry, "venue", where), f"{where}.venue"),
            kind=kind,
            underlying=underlying,
            multiplier=opt("multiplier", positive=True, lo=PRICE_RANGE[0], hi=PRICE_RANGE[1]) or Fraction(1),
            strike=strike,
            expiry=expiry,
            mark=opt("mark", nonnegative=True, lo=Fraction(0), hi=PRICE_RANGE[1]),
            vol=opt("vol", positive=True, lo=VOL_RANGE[0], hi=VOL_RANGE[1]),
        )
    assets = {}
    for symbol, entry in r.obj(r.get(top, "assets", ""), "assets").items():
        where = f"assets.{symbol}"
        entry = r.strict(entry, where, ("price", "class", "tracks"))
        asset_class = r.text(r.get(entry, "class", where), f"{where}.class")
        if asset_class not in ASSET_CLASSES:
            raise r.fail(f"{where}.class", f"{asset_class!r} is not one of {', '.join(ASSET_CLASSES)}")
        price = r.number(
            r.get(entry, "price", where), f"{where}.price", nonnegative=True, lo=Fraction(0), hi=PRICE_RANGE[1]
        )
        tracks = None if entry.get("tracks") is None else r.text(entry["tracks"], f"{where}.tracks")
        if tracks is not None and tracks not in underlyings:
            raise r.fail(f"{where}.tracks", f"{tracks!r} is not in underlyings")
        assets[symbol] = Asset(symbol, price, asset_class, tracks)
    if not instruments and not assets:
        raise r.fail("market", "lists no instruments and no collateral assets")
    return Market(timestamp, rate, underlyings, instruments, assets)


# ---------------------------------------------------------------- portfolio
@dataclass(frozen=True)
class Balance:
    venue: str
    asset: str
    amount: Fraction


@dataclass(frozen=True)
class Portfolio:
    account: str
    positions: dict[str, Fraction]  # instrument id -> signed quantity (summed if listed twice)
    collateral: tuple[Balance, ...]
    salt: int | None = None  # blinding for the commitment; drawn at random when absent

    def asset_totals(self) -> dict[str, Fraction]:
        totals: dict[str, Fraction] = {}
        for b in self.collateral:
            totals[b.asset] = totals.get(b.asset, Fraction(0)) + b.amount
        return totals


def parse_portfolio(raw: Any, market: Market, source: str = "portfolio") -> Portfolio:
    r = Reader(source)
    top = r.strict(raw, "portfolio", ("account", "positions", "collateral", "salt"))
    account = r.text(r.get(top, "account", ""), "account")
    positions: dict[str, Fraction] = {}
    for i, entry in enumerate(r.list(r.get(top, "positions", "", []), "positions")):
        where = f"positions[{i}]"
        entry = r.strict(entry, where, ("instrument", "quantity"))
        ident = r.text(r.get(entry, "instrument", where), f"{where}.instrument")
        if ident not in market.instruments:
            raise r.fail(f"{where}.instrument", f"{ident!r} is not an instrument of the market snapshot")
        positions[ident] = positions.get(ident, Fraction(0)) + r.number(
            r.get(entry, "quantity", where), f"{where}.quantity"
        )
    balances = []
    for i, entry in enumerate(r.list(r.get(top, "collateral", "", []), "collateral")):
        where = f"collateral[{i}]"
        entry = r.strict(entry, where, ("venue", "asset", "amount"))
        asset = r.text(r.get(entry, "asset", where), f"{where}.asset")
        if asset not in market.assets:
            raise r.fail(f"{where}.asset", f"{asset!r} is not a collateral asset of the market snapshot")
        amount = r.number(r.get(entry, "amount", where), f"{where}.amount", nonnegative=True)
        balances.append(Balance(r.text(r.get(entry, "venue", where), f"{where}.venue"), asset, amount))
    salt = top.get("salt")
    if salt is not None:
        if not isinstance(salt, str):
            raise r.fail("salt", "must be a decimal whole number below the field modulus r, as a string")
        salt = read_int(salt, f"{source}: salt", lo=0, hi=CURVE_ORDER)
    return Portfolio(account, positions, tuple(balances), salt)


# --------------------------------------------------------------- risk model
@dataclass(frozen=True)
class Scenario:
    name: str
    moves: dict[str, Fraction]  # underlying (or "*") -> relative price move, e.g. -0.15
    vol: str  # "up" | "none" | "down"
    weight: Fraction = Fraction(1)  # fraction of the loss counted (SPAN extremes 0.35)

    def move_for(self, underlying: str) -> Fraction:
        return self.moves.get(underlying, self.moves.get("*", Fraction(0)))


@dataclass(frozen=True)
class VolShock:
    """How 'up' and 'down' change an option's implied volatility.

    relative:      vol * (1 +- range)
    expiry-scaled: Derive PM2: f = (30 days / max(T, 1 day))^p with p = 0.3 up to 30 days and
                   0.13 beyond; up = vol * (1 + up * f), down = vol * max(1 - down * f, floor)
    """

    kind: str = "relative"
    range: Fraction = Fraction(1, 4)
    up: Fraction = Fraction(1, 2)
    down: Fraction = Fraction(3, 10)
    floor: Fraction = Fraction(2, 5)


@dataclass(frozen=True)
class ExpectedShortfall:
    """M_g >= the mean of group g's worst k losses over these joint scenarios, k = ceil((1 - alpha) N):
    expected shortfall at level alpha, beside the stress scenarios' maximum and the floor."""

    alpha: Fraction
    scenarios: tuple[Scenario, ...]
    source: str  # where the scenarios come from, for the report

    @property
    def k(self) -> int:
        return math.ceil((1 - self.alpha) * len(self.scenarios))


@dataclass(frozen=True)
class Offsets:
    """SPAN-style inter-commodity credits: each pair of groups (underlyings) on opposite sides
    gets back rate x the smaller of their margins; the side of a group is read from its losses
    in the model's largest up and largest down scenarios."""

    up: str
    down: str
    pairs: tuple[tuple[str, str, int], ...]  # (group, group, rate x 10^4)


@dataclass(frozen=True)
class RiskModel:
    name: str
    scale: int
    scenarios: tuple[Scenario, ...]
    vol_shock: VolShock
    class_haircuts: dict[str, Fraction]
    asset_haircuts: dict[str, Fraction]
    short_option_fraction: Fraction  # of spot notional, per short option
    short_option_per_contract: Fraction  # flat amount x multiplier, per short option
    contingency: dict[str, Fraction]  # instrument kind -> fraction of notional, long or short
    description: str = ""
    # maintenance = factor x initial, per term (scan losses, short-option minimum, contingency)
    maintenance: dict[str, Fraction] = field(default_factory=lambda: dict.fromkeys(MAINTENANCE_TERMS, Fraction(1)))
    expected_shortfall: ExpectedShortfall | None = None
    collateral_tiers: dict[str, Bands] = field(default_factory=dict)  # asset -> value bands with falling ratios
    concentration: dict[str, Bands] = field(default_factory=dict)  # underlying (or "*") -> notional bands, rising rates
    offsets: Offsets | None = None

    def haircut(self, asset: Asset) -> Fraction:
        """A tiered asset's flat haircut is 1 - its first band's ratio (the bands take the rest)."""
        if asset.symbol in self.collateral_tiers:
            return 1 - self.collateral_tiers[asset.symbol][0][1]
        return self.asset_haircuts.get(asset.symbol, self.class_haircuts.get(asset.asset_class, Fraction(0)))


def _scenarios(r: Reader, value: Any, where_list: str, scan: dict[str, Fraction]) -> list[Scenario]:
    """A list of scenarios: each a name, one of move (relative, or per underlying) or scan (a
    fraction of the scan range), a volatility direction and a weight."""
    scenarios: list[Scenario] = []
    for i, entry in enumerate(r.list(value, where_list)):
        where = f"{where_list}[{i}]"

        entry = r.strict(entry, where, ("name", "move", "scan", "vol", "weight"))
        if ("move" in entry) == ("scan" in entry):
            raise r.fail(
                where, "give exactly one of move (a relative price move) or scan (a fraction of the scan range)"
            )
        if "move" in entry:
            value = entry["move"]
            moves = (
                {k: r.number(v, f"{where}.move.{k}") for k, v in value.items()}
                if isinstance(value, dict)
                else {"*": r.number(value, f"{where}.move")}
            )
        else:
            if not scan:
                raise r.fail(f"{where}.scan", "needs price_scan_range in the model")
            fraction = r.number(entry["scan"], f"{where}.scan")
            moves = {u: fraction * rng for u, rng in scan.items()}
        if any(m <= -1 for m in moves.values()):
            raise r.fail(where, "a price move of -100% or more leaves no price to value")
        if any(m > MAX_MOVE for m in moves.values()):
            raise r.fail(where, f"a price move above {float(MAX_MOVE):.0%} is outside the model's range")
        vol = entry.get("vol", "none")
        if vol not in VOL_DIRECTIONS:
            raise r.fail(f"{where}.vol", f"must be one of {', '.join(VOL_DIRECTIONS)}")
        weight = r.number(entry.get("weight", "1"), f"{where}.weight", positive=True, hi=Fraction(10))
        name = r.text(r.get(entry, "name", where), f"{where}.name")
        if any(sc.name == name for sc in scenarios):
            raise r.fail(f"{where}.name", f"scenario {name[:60]!r} is named twice")
        scenarios.append(Scenario(name, moves, vol, weight))
    return scenarios


def _expected_shortfall(r: Reader, value: Any, base: Path | None) -> ExpectedShortfall:
    """{"alpha": "0.975", then "history": "prices.csv" (relative to the model file; optional
    "ewma_lambda" for filtered historical simulation) or "scenarios": [joint moves]}."""
    es = r.strict(value, "expected_shortfall", _ES_KEYS)
    alpha = r.number(r.get(es, "alpha", "expected_shortfall"), "expected_shortfall.alpha", lo=Fraction(1, 2),
                     hi=Fraction(9999, 10000))
    if ("history" in es) == ("scenarios" in es):
        raise r.fail("expected_shortfall", "give exactly one of history (a CSV of prices) or scenarios")
    if "scenarios" in es:
        if "ewma_lambda" in es:
            raise r.fail("expected_shortfall.ewma_lambda", "volatility scaling applies to a history only")
        tail = tuple(_scenarios(r, es["scenarios"], "expected_shortfall.scenarios", {}))
        if any(sc.vol != "none" or sc.weight != 1 for sc in tail):
            raise r.fail("expected_shortfall.scenarios", "tail scenarios move prices only (no vol, no weight)")
        source = f"{len(tail)} model scenarios"
    else:
        lam = None
        if "ewma_lambda" in es:
            lam = r.number(es["ewma_lambda"], "expected_shortfall.ewma_lambda", positive=True, hi=Fraction(9999, 10000))
        name = r.text(es["history"], "expected_shortfall.history")
        path = (base or Path(".")) / name
        tail = tuple(Scenario(name, moves, "none") for name, moves in history_moves(path, lam))
        source = f"history {name}" + (f", filtered (EWMA lambda {float(lam):g})" if lam is not None else "")
    if not tail:
        raise r.fail("expected_shortfall", "no tail scenarios")
    return ExpectedShortfall(alpha, tail, source)


def _bands(r: Reader, value: Any, where: str, key: str, falling: bool) -> Bands:
    """[{"up_to": "1000000", key: ".."}, ..., {key: ".."}]: bands of value in the quote currency,
    up_to increasing, the last open-ended; ratios falling (collateral) or rates rising (add-ons)."""
    entries, out, low = r.list(value, where), [], Fraction(0)
    if not entries:
        raise r.fail(where, "give at least one band")
    for i, entry in enumerate(entries):
        w = f"{where}[{i}]"
        entry = r.strict(entry, w, ("up_to", key))
        last = i == len(entries) - 1
        if ("up_to" in entry) == last:
            raise r.fail(w, "every band but the last needs up_to; the last has none (it is open-ended)")
        rate = r.number(r.get(entry, key, w), f"{w}.{key}", positive=falling, nonnegative=True, hi=Fraction(1))
        if out and (rate > out[-1][1] if falling else rate < out[-1][1]):
            raise r.fail(f"{w}.{key}", f"must {'not rise' if falling else 'not fall'} from band to band")
        up_to = None if last else r.number(entry["up_to"], f"{w}.up_to", positive=True)
        if up_to is not None and up_to <= low:
            raise r.fail(f"{w}.up_to", "must increase from band to band")
        out.append((up_to, rate))
        low = up_to or low
    return tuple(out)


def _offsets(r: Reader, value: Any, names: list[str]) -> Offsets:
    """{"up": scenario, "down": scenario, "pairs": [{"groups": [g, h], "rate": "0.5"}]}: each
    group in at most one pair, rates in [0, 1] with at most 4 decimals."""
    raw = r.strict(value, "offsets", ("up", "down", "pairs"))
    up, down = (r.text(r.get(raw, k, "offsets"), f"offsets.{k}") for k in ("up", "down"))
    for key, name in (("up", up), ("down", down)):
        if name not in names:
            raise r.fail(f"offsets.{key}", f"{name[:60]!r} is not a scenario of the model")
    if up == down:
        raise r.fail("offsets", "up and down must be two different scenarios")
    pairs, seen = [], set()
    for i, entry in enumerate(r.list(r.get(raw, "pairs", "offsets"), "offsets.pairs")):
        where = f"offsets.pairs[{i}]"
        entry = r.strict(entry, where, ("groups", "rate"))
        groups = [r.text(g, f"{where}.groups") for g in r.list(r.get(entry, "groups", where), f"{where}.groups")]
        if len(groups) != 2 or groups[0] == groups[1]:
            raise r.fail(f"{where}.groups", "name two different groups (underlyings)")
        if seen & set(groups):
            raise r.fail(f"{where}.groups", f"{sorted(seen & set(groups))[0][:40]!r} is in two pairs: at most one each")
        seen |= set(groups)
        rate = r.number(r.get(entry, "rate", where), f"{where}.rate", nonnegative=True, hi=Fraction(1)) * 10_000
        if rate.denominator != 1:
            raise r.fail(f"{where}.rate", "at most 4 decimals (the credit rate is published in 10^-4 units)")
        pairs.append((groups[0], groups[1], int(rate)))
    return Offsets(up, down, tuple(pairs))


def parse_model(raw: Any, source: str = "model", base: Path | None = None) -> RiskModel:
    """``base``: the folder a history file is named relative to (the model file's)."""
    r = Reader(source)
    top = r.strict(raw, "model", _MODEL_KEYS)
    scale = r.number(r.get(top, "scale", ""), "scale", positive=True)
    if scale.denominator != 1 or scale > 10**12:
        raise r.fail("scale", "must be a whole number up to 10^12 (e.g. 1000000)")
    scan = {
        k: r.number(v, f"price_scan_range.{k}", positive=True)
        for k, v in r.obj(top.get("price_scan_range", {}), "price_scan_range").items()
    }
    scenarios = _scenarios(r, r.get(top, "scenarios", ""), "scenarios", scan)
    if not scenarios:
        raise r.fail("scenarios", "the model needs at least one scenario")
    shock = r.strict(top.get("vol_shock", {"type": "relative", "range": "0"}), "vol_shock", _VOL_SHOCK_KEYS)
    kind = shock.get("type", "relative")
    if kind not in ("relative", "expiry-scaled"):
        raise r.fail("vol_shock.type", "must be relative or expiry-scaled")
    defaults = VolShock()
    vol_shock = VolShock(
        kind=kind,
        range=r.number(shock.get("range", "0"), "vol_shock.range", nonnegative=True, hi=Fraction(10)),
        up=r.number(shock.get("up", str(defaults.up)), "vol_shock.up", nonnegative=True, hi=Fraction(10)),
        down=r.number(shock.get("down", str(defaults.down)), "vol_shock.down", nonnegative=True, hi=Fraction(10)),
        floor=r.number(shock.get("floor", str(defaults.floor)), "vol_shock.floor", positive=True, hi=Fraction(1)),
    )
    haircuts = r.strict(top.get("haircuts", {}), "haircuts", ("classes", "assets"))

    def rates(obj: Any, where: str) -> dict[str, Fraction]:
        out = {k: r.number(v, f"{where}.{k}", nonnegative=True) for k, v in r.obj(obj, where).items()}
        for k, v in out.items():
            if where.endswith("classes") and k not in ASSET_CLASSES:
                raise r.fail(f"{where}.{k}", f"not an asset class ({', '.join(ASSET_CLASSES)})")
            if v >= 1:
                raise r.fail(f"{where}.{k}", "a haircut must be below 1 (100%)")
        return out

    short = r.strict(top.get("short_option_minimum", {}), "short_option_minimum", ("fraction_of_spot", "per_contract"))
    contingency = {
        k: r.number(v, f"contingency.{k}", nonnegative=True)
        for k, v in r.obj(top.get("contingency", {}), "contingency").items()
    }
    for kind_name in contingency:
        if kind_name not in INSTRUMENT_KINDS:
            raise r.fail(f"contingency.{kind_name}", f"not an instrument kind ({', '.join(INSTRUMENT_KINDS)})")
    tail = _expected_shortfall(r, top["expected_shortfall"], base) if "expected_shortfall" in top else None
    tiers = {k: _bands(r, v, f"collateral_tiers.{k}", "ratio", True)
             for k, v in r.obj(top.get("collateral_tiers", {}), "collateral_tiers").items()}
    asset_haircuts = rates(haircuts.get("assets", {}), "haircuts.assets")  # read (strictly) before it is used
    twice = sorted(set(tiers) & set(asset_haircuts))
    if twice:
        raise r.fail(f"collateral_tiers.{twice[0][:40]}", "has a haircuts.assets override too: give one of them")
    concentration = {k: _bands(r, v, f"concentration.{k}", "rate", False)
                     for k, v in r.obj(top.get("concentration", {}), "concentration").items()}
    return RiskModel(
        name=r.text(top.get("name", Path(source).stem), "name"),
        scale=int(scale),
        scenarios=tuple(scenarios),
        vol_shock=vol_shock,
        class_haircuts={**DEFAULT_HAIRCUTS, **rates(haircuts.get("classes", {}), "haircuts.classes")},
        asset_haircuts=asset_haircuts,
        short_option_fraction=r.number(
            short.get("fraction_of_spot", "0"), "short_option_minimum.fraction_of_spot", nonnegative=True
        ),
        short_option_per_contract=r.number(
            short.get("per_contract", "0"), "short_option_minimum.per_contract", nonnegative=True
        ),
        contingency=contingency,
        description=str(top.get("description", "")),
        expected_shortfall=tail,
        collateral_tiers=tiers,
        concentration=concentration,
        offsets=_offsets(r, top["offsets"], [sc.name for sc in scenarios]) if "offsets" in top else None,
        maintenance={
            k: r.number(v, f"maintenance.{k}", positive=True, hi=Fraction(1))
            for k, v in {
                **dict.fromkeys(MAINTENANCE_TERMS, "1"),
                **r.strict(top.get("maintenance", {}), "maintenance", MAINTENANCE_TERMS),
            }.items()
        },
    )


# ------------------------------------------------------------------ loading
def load_market(path: str | Path) -> Market:
    return parse_market(read_json(path, limit=MARKET_BYTES), str(path))


def load_portfolio(path: str | Path, market: Market) -> Portfolio:
    return parse_portfolio(read_json(path, limit=PORTFOLIO_BYTES), market, str(path))


def load_model(name_or_path: str | Path) -> RiskModel:
    """A preset name (span16, occ10, crypto-pm) or a model file."""
    if str(name_or_path) in PRESETS:
        folder = Path(str(resources.files("zkmargin.circuits.margin").joinpath("presets")))
        return parse_model(json.loads((folder / f"{name_or_path}.json").read_text()), f"preset {name_or_path}", folder)
    path = Path(name_or_path)
    if not path.exists():
        raise FormatError(f"{path}: no such model file, and not a preset ({', '.join(PRESETS)})")
    return parse_model(read_json(path, limit=MODEL_BYTES), str(path), path.parent)


def sample_path(name: str) -> Path:
    """A bundled sample file (market.json, portfolio.json)."""
    return Path(str(resources.files("zkmargin.circuits.margin").joinpath("samples", name)))
