"""A stablecoin depeg scenario (issue 13): stablecoins form a group (their peg, USD) whose
scenarios may move one coin alone; hand-checked, and a margin below the depeg loss fails."""

import json
from importlib import resources

import pytest

from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.margin.calculator import evaluate, scale_portfolio
from zkmargin.circuits.margin.circuit import MarginWitness, build_margin_circuit, margin_statement
from zkmargin.circuits.margin.inputs import parse_market, parse_model, parse_portfolio
from zkmargin.circuits.margin.risk_arrays import compute_risk_arrays, to_public_parameters
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import MarginCapacity

from helpers import replace_hint

UNIT = 10**12
MARKET = {
    "timestamp": "2026-11-21T08:00:00Z",
    "underlyings": {"ETH": {"spot": "4000", "vol": "0.6"}, "USD": {"spot": "1", "vol": "0.01"}},
    "instruments": [{"id": "ETH-PERP", "venue": "v", "kind": "perp", "underlying": "ETH"}],
    "assets": {
        "USDC": {"price": "1", "class": "stablecoin", "tracks": "USD"},
        "USDT": {"price": "1", "class": "stablecoin", "tracks": "USD"},
    },
}
SCENARIOS = [
    {"name": "up 10%", "move": "0.1"},
    {"name": "down 10%", "move": "-0.1"},
    {"name": "USDC depeg", "move": {"USDC": "-0.1"}},
]


def case(model=None, usdc="100000", usdt="50000"):
    market = parse_market(MARKET)
    model = model or parse_model({"scale": "1000000", "scenarios": SCENARIOS}, "depeg")
    arrays = compute_risk_arrays(market, model)
    params = to_public_parameters(arrays, MarginCapacity(2, 4, len(arrays.scenarios), 2))
    portfolio = parse_portfolio(
        {
            "account": "t",
            "positions": [{"instrument": "ETH-PERP", "quantity": "-1"}],
            "collateral": [
                {"venue": "v", "asset": "USDC", "amount": usdc},
                {"venue": "v", "asset": "USDT", "amount": usdt},
            ],
        },
        market,
    )
    fixed = scale_portfolio(portfolio, market, params, model.scale)
    return params, fixed, evaluate(params, fixed, real_scenarios=len(arrays.scenarios))


def test_a_usdc_depeg_is_a_loss_of_the_usd_group():
    """100,000 USDC at a 2% haircut are 98,000; a 10% depeg loses 9,800. USDT does not move,
    and the ETH group (short 1 perp at 4,000: 400 in the up move) is margined on its own."""
    params, _, result = case()
    assert params.groups == ("ETH", "USD")
    usd = next(g for g in result.groups if g.name == "USD")
    eth = next(g for g in result.groups if g.name == "ETH")
    assert [result.real(x) for x in usd.losses] == [0, 0, 9_800] and result.real(usd.margin) == 9_800
    assert result.real(eth.margin) == 400
    assert result.real(result.requirement) == 10_200 + result.real(result.rounding)


def test_a_uniform_move_never_moves_a_peg():
    """span16's scenarios move "*" (every underlying) by up to 15%: stablecoins stay at par."""
    raw = json.loads(resources.files("zkmargin.circuits.margin").joinpath("presets", "span16.json").read_text())
    _, _, result = case(parse_model(raw, "span16"))
    usd = next(g for g in result.groups if g.name == "USD")
    assert set(usd.losses) == {0}


def test_a_group_margin_below_the_depeg_loss_fails():
    params, fixed, result = case(usdc="100000", usdt="0")
    w = MarginWitness(margin_statement(params, fixed, 1_795_248_000), fixed)

    def satisfied(tamper=None):
        api = ConstraintSystem(tamper=tamper)
        build_margin_circuit(api, params.capacity, w)
        return api.compile().first_unsatisfied(api.witness()) is None

    assert result.solvent and satisfied()
    below = replace_hint("group[1]/margin", lambda v: [9_800 * UNIT - 1])
    assert not satisfied(below) and below.seen


def test_a_scenario_moving_an_asset_without_a_group_is_refused():
    market = dict(MARKET, assets={"USDC": {"price": "1", "class": "stablecoin"}})
    with pytest.raises(FormatError, match="tracks no group"):
        compute_risk_arrays(parse_market(market), parse_model({"scale": "1000000", "scenarios": SCENARIOS}, "depeg"))
