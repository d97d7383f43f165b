"""Size-tiered collateral values and concentration add-ons (issue 13): hand-checked at every
band boundary, the Binance attack (a collateral value above a tier line) and an add-on below
a line as malicious provers, calculator = circuit and compiled = builder on random books."""

import dataclasses
import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from zkmargin.circuits.margin.calculator import ScaledPortfolio, evaluate, scale_portfolio
from zkmargin.circuits.margin.circuit import MarginWitness, margin_statement
from zkmargin.circuits.margin.inputs import parse_market, parse_model, parse_portfolio
from zkmargin.circuits.margin.risk_arrays import CapacityTooSmall, compute_risk_arrays, to_public_parameters
from zkmargin.circuits.margin.tiers import collateral_lines, concentration_lines
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import MarginCapacity, MarginParameters

from helpers import assert_margin_compiled_equals_builder, margin_satisfied, replace_hint

F = Fraction
UNIT = 10**12  # one unit of money at scale^2
MARKET = {
    "timestamp": "2026-11-21T08:00:00Z",
    "rate": "0",
    "underlyings": {"X": {"spot": "1000", "vol": "0.5"}},
    "instruments": [{"id": "v:X-PERP", "venue": "v", "kind": "perp", "underlying": "X"}],
    "assets": {"USD": {"price": "1", "class": "stablecoin"}, "ETH": {"price": "1000", "class": "major"}},
}
COLLATERAL_BANDS = [{"up_to": "100000", "ratio": "0.9"}, {"up_to": "300000", "ratio": "0.8"}, {"ratio": "0.5"}]
CONCENTRATION_BANDS = [{"up_to": "1000000", "rate": "0"}, {"up_to": "5000000", "rate": "0.02"}, {"rate": "0.05"}]


def model(**extra) -> dict:
    return {
        "name": "tiers-test",
        "scale": "1000000",
        "scenarios": [{"name": "flat", "move": "0"}],
        "haircuts": {"classes": {"stablecoin": "0"}},
        "collateral_tiers": {"ETH": COLLATERAL_BANDS},
        "concentration": {"X": CONCENTRATION_BANDS},
        **extra,
    }


def case(quantity="0", eth="0", usd="0", tiers=3):
    market = parse_market(MARKET)
    risk = parse_model(model(), "tiers-test")
    portfolio = parse_portfolio(
        {
            "account": "t",
            "positions": [{"instrument": "v:X-PERP", "quantity": quantity}],
            "collateral": [
                {"venue": "v", "asset": "ETH", "amount": eth},
                {"venue": "v", "asset": "USD", "amount": usd},
            ],
        },
        market,
    )
    params = to_public_parameters(compute_risk_arrays(market, risk), MarginCapacity(1, 2, 1, 1, 0, tiers))
    fixed = scale_portfolio(portfolio, market, params, risk.scale)
    return params, fixed, evaluate(params, fixed, real_scenarios=1)


# ------------------------------------------------------------ bands to lines
def test_collateral_bands_become_the_deduction_lines():
    """V(x) = 0.9 x to 100k, then 0.8, then 0.5 beyond 300k: D(x) = 0.9 x - V(x) =
    max(0, 0.1 x - 10,000, 0.4 x - 100,000) (b_1 = 90,000 - 0.8 x 100,000, b_2 = 250,000 - 0.5 x 300,000)."""
    bands = ((F(100_000), F(9, 10)), (F(300_000), F(8, 10)), (None, F(1, 2)))
    assert collateral_lines(bands) == ((F(1, 10), F(10_000)), (F(4, 10), F(100_000)))


def test_concentration_bands_become_the_addon_lines():
    """A(x) = 0 to 1M, 2% to 5M, 5% beyond: max(0 x, 0.02 x - 20,000, 0.05 x - 170,000)."""
    bands = ((F(1_000_000), F(0)), (F(5_000_000), F(2, 100)), (None, F(5, 100)))
    assert concentration_lines(bands) == ((F(0), F(0)), (F(2, 100), F(20_000)), (F(5, 100), F(170_000)))


# ------------------------------------------------------------ hand-checked at each boundary
@pytest.mark.parametrize(
    "eth, value",
    [
        ("50", 45_000),  # inside band 0: 0.9 x 50,000
        ("100", 90_000),  # the first boundary
        ("101", 90_800),  # one ETH into band 1 counts 0.8
        ("300", 250_000),  # the second boundary: 90,000 + 0.8 x 200,000
        ("500", 350_000),  # 250,000 + 0.5 x 200,000
    ],
)
def test_tiered_collateral_value_at_each_boundary(eth, value):
    _, _, result = case(eth=eth)
    assert result.real(result.collateral - result.tier_deduction) == value
    assert result.real(result.collateral) == F(9, 10) * 1000 * int(eth)  # the flat haircut is 1 - the first ratio


@pytest.mark.parametrize(
    "quantity, addon",
    [("500", 0), ("1000", 0), ("-3000", 40_000), ("5000", 80_000), ("6000", 130_000)],
)
def test_concentration_addon_at_each_boundary(quantity, addon):
    """A perpetual of notional 1,000 per unit: 3,000 units (long or short) are 3M of notional,
    2% of the 2M above 1M; 6,000 are 6M: 80,000 + 5% of 1M."""
    _, _, result = case(quantity=quantity, usd="10000000")
    assert result.real(result.concentration) == addon


def test_the_tiers_need_capacity_for_their_lines():
    with pytest.raises(CapacityTooSmall, match="--tiers 3"):
        case(tiers=0)


# ------------------------------------------------------------ malicious provers
def witness(params: MarginParameters, fixed: ScaledPortfolio) -> MarginWitness:
    return MarginWitness(margin_statement(params, fixed, 1_795_248_000), fixed)


def test_binance_attack_a_collateral_value_above_a_tier_line_fails():
    """500 ETH are worth 350,000 after the bands (deduction 100,000 from the first ratio's
    450,000). A prover claiming the first tier's ratio for all of it (deduction 0), only the
    second band's line (deduction 40,000), or one unit less picks its own tier: refused."""
    params, fixed, result = case(quantity="0", eth="500", usd="0")
    assert result.real(result.tier_deduction) == 100_000
    j = params.collateral_assets.index("ETH")
    w = witness(params, fixed)
    assert margin_satisfied(w)
    for claimed in (0, 40_000 * UNIT, 100_000 * UNIT - 1):
        tamper = replace_hint(f"tiered_collateral[{j}]/bound", lambda v, c=claimed: [c])
        assert not margin_satisfied(w, tamper) and tamper.seen
    assert margin_satisfied(w, replace_hint(f"tiered_collateral[{j}]/bound", lambda v: [200_000 * UNIT]))  # only costs


def test_a_concentration_addon_below_a_line_fails():
    params, fixed, result = case(quantity="6000", usd="10000000")
    assert result.real(result.concentration) == 130_000 and result.solvent
    w = witness(params, fixed)
    assert margin_satisfied(w)
    for claimed in (0, 100_000 * UNIT, 130_000 * UNIT - 1):  # band 0, band 1's line, one unit short
        tamper = replace_hint("concentration[0]/bound", lambda v, c=claimed: [c])
        assert not margin_satisfied(w, tamper) and tamper.seen


def test_an_insolvent_book_cannot_hide_behind_a_low_tier():
    """Cash exactly covers the requirement with the add-on; one unit less fails honestly and
    the prover cannot make it up by understating the add-on."""
    params, fixed, result = case(quantity="6000", usd="130000")
    assert result.solvent and result.excess == 0
    poorer = dataclasses.replace(fixed, amounts=tuple(a - (1 if a else 0) for a in fixed.amounts))
    assert not evaluate(params, poorer).solvent and not margin_satisfied(witness(params, poorer))
    low = replace_hint("concentration[0]/bound", lambda v: [v[0] - UNIT])
    assert not margin_satisfied(witness(params, poorer), low)


# ------------------------------------------------------------ calculator = circuit
CAP = MarginCapacity(positions=2, collateral=2, scenarios=2, groups=1, tiers=2)


def random_parameters(seed: int) -> MarginParameters:
    rng = random.Random(seed)
    big = 10**12
    lines = lambda: tuple(rng.randrange(big) for _ in range(2))  # noqa: E731
    offsets = lambda: tuple(rng.randrange(10**20) for _ in range(2))  # noqa: E731
    return MarginParameters(
        scale=10**6,
        margin_level="initial",
        groups=("ETH",),
        instruments=("a:CALL", "b:PERP"),
        scenarios=("up", "down"),
        collateral_assets=("ETH", "USDC"),
        unit_value=(rng.randrange(big), 0),
        unit_loss=tuple(tuple(rng.randrange(-big, big) for _ in range(2)) for _ in range(2)),
        short_option_min=(rng.randrange(big // 100), 0),
        contingency=(0, rng.randrange(big // 100)),
        collateral_value=(rng.randrange(big), 980_000),
        collateral_loss=((0, 0), (0, 0)),
        collateral_tier_slope=(lines(), lines()),
        collateral_tier_offset=(offsets(), offsets()),
        concentration_slope=(lines(), lines()),
        concentration_offset=(offsets(), offsets()),
    )


book = st.lists(st.integers(-(10**9), 10**9), min_size=2, max_size=2)
cash = st.lists(st.integers(0, 10**9), min_size=2, max_size=2)


@given(q=book, a=cash, seed=st.integers(0, 40))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_circuit_agrees_with_calculator_with_tiers(q, a, seed):
    params = random_parameters(seed)
    fixed = ScaledPortfolio(account=7, quantities=tuple(q), amounts=tuple(a), salt=99)
    result = evaluate(params, fixed)
    event(f"solvent={result.solvent} tiers={bool(result.tier_deduction)} addon={bool(result.concentration)}")
    assert margin_satisfied(witness(params, fixed)) is result.solvent


@given(
    q=st.lists(st.one_of(st.integers(-(10**9), 10**9), st.sampled_from([-(2**63), 2**64])), min_size=2, max_size=2),
    a=cash,
    seed=st.integers(0, 10),
)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_compiled_witness_equals_the_builders_with_tiers(q, a, seed):
    fixed = ScaledPortfolio(account=7, quantities=tuple(q), amounts=tuple(a), salt=99)
    w = witness(random_parameters(seed), fixed)
    assert_margin_compiled_equals_builder(CAP, w)


# ------------------------------------------------------------ strict reading
@pytest.mark.parametrize(
    "edit, message",
    [
        (dict(collateral_tiers={"ETH": [{"up_to": "10", "ratio": "0.5"}, {"ratio": "0.9"}]}), "must not rise"),
        (dict(concentration={"X": [{"up_to": "10", "rate": "0.05"}, {"rate": "0.01"}]}), "must not fall"),
        (dict(concentration={"X": [{"rate": "0.01"}, {"rate": "0.02"}]}), "needs up_to"),
        (dict(concentration={"X": [{"up_to": "10", "rate": "0"}, {"up_to": "5", "rate": "0"}, {"rate": "0"}]}),
         "must increase"),
        (dict(collateral_tiers={"ETH": [{"ratio": "0.9", "up_too": "1"}]}), "unknown field 'up_too'"),
        (dict(collateral_tiers={"ETH": []}), "at least one band"),
        (dict(haircuts={"assets": {"ETH": "0.1"}}), "haircuts.assets override too"),
    ],
)
def test_bands_are_read_strictly(edit, message):
    with pytest.raises(FormatError, match=message):
        parse_model(model(**edit), "tiers-test")


def test_bands_for_an_asset_or_underlying_not_in_the_market_are_refused():
    for edit in (dict(collateral_tiers={"WBTC": COLLATERAL_BANDS}), dict(concentration={"Y": CONCENTRATION_BANDS})):
        with pytest.raises(FormatError, match="is not (a collateral asset|an underlying) of the market"):
            compute_risk_arrays(parse_market(MARKET), parse_model(model(**edit), "tiers-test"))
