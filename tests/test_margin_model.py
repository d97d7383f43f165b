"""The margin model in the clear: hand-checked netting cases, the SPAN textbook array, pricing, inputs."""

import dataclasses
import json
import math
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest

from zkmargin.circuits.margin.calculator import evaluate, scale_portfolio
from zkmargin.circuits.margin.case import Insolvent, load_case, parse_threshold
from zkmargin.circuits.margin.inputs import load_model, parse_market, parse_model, parse_portfolio
from zkmargin.circuits.margin.pricing import black76
from zkmargin.circuits.margin.risk_arrays import at_level, compute_risk_arrays, to_public_parameters
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import MarginCapacity

DATA = Path(__file__).parent / "data"
TIMESTAMP = "2026-11-21T08:00:00Z"


def market(instruments, spot="1000", vol="0.2", rate="0"):
    return parse_market(
        {
            "timestamp": TIMESTAMP,
            "rate": rate,
            "underlyings": {"X": {"spot": spot, "vol": vol}},
            "instruments": instruments,
            "assets": {"USD": {"price": "1", "class": "stablecoin"}},
        }
    )


def span_model(scan="0.04"):
    raw = json.loads(resources.files("zkmargin.circuits.margin").joinpath("presets", "span16.json").read_text())
    raw["price_scan_range"] = {"*": scan}
    return parse_model(raw, "span16 test")


def margin(mkt, model, positions, cash="0"):
    portfolio = parse_portfolio(
        {
            "account": "t",
            "positions": [{"instrument": i, "quantity": q} for i, q in positions.items()],
            "collateral": [{"venue": "v", "asset": "USD", "amount": cash}],
        },
        mkt,
    )
    arrays = compute_risk_arrays(mkt, model)
    params = to_public_parameters(arrays, MarginCapacity(len(mkt.instruments), 1, len(arrays.scenarios)))
    return params, evaluate(
        params, scale_portfolio(portfolio, mkt, params, model.scale), real_scenarios=len(arrays.scenarios)
    )


FUTURE = {
    "id": "cme:SP-FUT",
    "venue": "cme",
    "kind": "future",
    "underlying": "X",
    "expiry": "2027-03-19T00:00:00Z",
    "mark": "1000",
    "multiplier": "250",
}
CALL = {
    "id": "cme:SP-C-1000",
    "venue": "cme",
    "kind": "call",
    "underlying": "X",
    "strike": "1000",
    "expiry": "2027-03-19T00:00:00Z",
    "multiplier": "250",
}


def test_span_futures_array_is_the_textbook_one():
    """McMillan's S&P example: scan range 10,000 per contract; 0, 0, +-3,330, +-6,670, +-10,000; extremes +-7,000."""
    params, result = margin(market([FUTURE]), span_model(), {"cme:SP-FUT": "1"})
    row = [Fraction(v, 10**6) for v in params.unit_loss[0]]
    assert row[0] == row[1] == 0
    assert [round(float(v)) for v in row[2:6]] == [-3333, -3333, 3333, 3333]
    assert [float(v) for v in row[10:16]] == [-10000, -10000, 10000, 10000, -7000, 7000]
    assert result.real(result.requirement) == 10000
    assert result.scenario_names[result.worst_index].startswith("13 price -1")


def test_covered_call_worst_scenario_is_down_with_vol_up():
    params, result = margin(market([FUTURE, CALL]), span_model(), {"cme:SP-FUT": "1", "cme:SP-C-1000": "-1"})
    assert result.scenario_names[result.worst_index] == "13 price -1 vol up"
    # the short call's premium cushions the fall: less than the future's 10,000 alone
    assert 0 < result.scenario_loss[result.worst_index] < 10000 * 10**12


def test_delta_hedged_book_needs_far_less_than_isolated_margins():
    perp = {"id": "dex:X-PERP", "venue": "dex", "kind": "perp", "underlying": "X"}
    call = dict(CALL, id="opt:X-C-1000", venue="opt", multiplier="1")
    mkt = market([call, perp], vol="0.6")
    model = load_model("crypto-pm")
    # a long call's delta is about 0.55: hedge 100 calls with 55 short perpetuals on another venue
    params, result = margin(mkt, model, {"opt:X-C-1000": "100", "dex:X-PERP": "-55"})
    case_isolated = []
    for ident, qty in (("opt:X-C-1000", "100"), ("dex:X-PERP", "-55")):
        _, alone = margin(mkt, model, {ident: qty})
        case_isolated.append(alone.requirement)
    assert result.requirement < 0.5 * sum(case_isolated)


def test_black76_matches_known_values_and_parity():
    assert black76("call", 100, 100, 1.0, 0.2, 0.0) == pytest.approx(7.965567455405804, rel=1e-12)
    c = black76("call", 3000, 3200, 0.1, 0.7, 0.04)
    p = black76("put", 3000, 3200, 0.1, 0.7, 0.04)
    forward = 3000 * math.exp(0.04 * 0.1)
    assert c - p == pytest.approx(math.exp(-0.04 * 0.1) * (forward - 3200), rel=1e-9)


def test_rounding_goes_against_the_prover():
    params, _ = margin(market([FUTURE]), span_model(), {"cme:SP-FUT": "1"})
    # -10000/3 per unit rounds up (toward less gain): ceil(-3333.3333333) at 10^6
    assert params.unit_loss[0][2] == -3333333333
    # 0.98 * price rounds down
    mkt = parse_market(
        {
            "timestamp": TIMESTAMP,
            "underlyings": {},
            "instruments": [],
            "assets": {"T": {"price": "1.0000007", "class": "stablecoin"}},
        }
    )
    arrays = compute_risk_arrays(mkt, load_model("occ10"))
    assert to_public_parameters(arrays, MarginCapacity(1, 1, 10)).collateral_value == (
        980000,
    )  # 0.980000686 rounded down


def test_insolvent_portfolio_names_worst_scenario_and_shortfall():
    case = load_case(DATA / "tiny_insolvent.json", DATA / "tiny_market.json", "occ10", MarginCapacity(2, 1, 10))
    assert not case.result.solvent
    with pytest.raises(Insolvent, match=r"worst scenario 'price \+15%'.*shortfall 4,226"):
        case.require_solvent()


def test_threshold_is_proven_against():
    case = load_case(
        DATA / "tiny_portfolio.json",
        DATA / "tiny_market.json",
        "occ10",
        MarginCapacity(2, 1, 10),
        threshold=parse_threshold("20"),
    )
    assert case.result.solvent  # coverage is about 20.9x
    case = load_case(
        DATA / "tiny_portfolio.json",
        DATA / "tiny_market.json",
        "occ10",
        MarginCapacity(2, 1, 10),
        threshold=parse_threshold("21"),
    )
    assert not case.result.solvent
    with pytest.raises(FormatError):
        parse_threshold("0.5")


def test_user_risk_arrays_are_used_as_given(tmp_path):
    arrays = tmp_path / "arrays.json"
    arrays.write_text(
        json.dumps(
            {
                "scenarios": ["up", "down"],
                "instruments": {
                    "deribit:ETH-3000-C": {"value": "100", "loss": ["-50", "75.5"], "short_option_min": "1"},
                    "hyperliquid:ETH-PERP": {"loss": ["-300", "300"], "contingency": "90"},
                },
            }
        )
    )
    case = load_case(
        DATA / "tiny_portfolio.json",
        DATA / "tiny_market.json",
        "occ10",
        MarginCapacity(2, 1, 2),
        risk_arrays_path=arrays,
    )
    assert case.parameters.scenarios == ("up", "down")
    # -10 calls and +5.5 perps: up: 500 - 1650 = -1150; down: -755 + 1650 = 895
    assert [case.result.real(x) for x in case.result.scenario_loss] == [-1150, 895]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda m: m["instruments"][0].update(strike=3000.5), "not binary floats"),
        (lambda m: m["instruments"][0].update(expiry="2026-11-20T00:00:00Z"), "expired"),
        (lambda m: m["instruments"][0].update(kind="swaption"), "is not one of"),
        (lambda m: m["instruments"][1].update(underlying="SOL"), "not in underlyings"),
        (lambda m: m.update(timestamp="yesterday"), "ISO 8601"),
        (lambda m: m["underlyings"]["ETH"].update(spot="-1"), "must be positive"),
        (lambda m: m["assets"]["USDC"].update({"class": "meme"}), "class"),
    ],
)
def test_market_errors_name_file_field_and_problem(mutate, message):
    raw = json.loads((DATA / "tiny_market.json").read_text())
    mutate(raw)
    with pytest.raises(FormatError, match=message) as info:
        parse_market(raw, "m.json")
    assert str(info.value).startswith("m.json: ")


def test_portfolio_errors_name_file_field_and_problem():
    mkt = parse_market(json.loads((DATA / "tiny_market.json").read_text()))
    with pytest.raises(FormatError, match=r"p.json: positions\[0\].instrument: 'nope' is not an instrument"):
        parse_portfolio({"account": "a", "positions": [{"instrument": "nope", "quantity": "1"}]}, mkt, "p.json")
    with pytest.raises(FormatError, match=r"collateral\[0\].amount: must not be negative"):
        parse_portfolio(
            {"account": "a", "collateral": [{"venue": "v", "asset": "USDC", "amount": "-5"}]}, mkt, "p.json"
        )
    with pytest.raises(FormatError, match="more decimal places"):
        scale_portfolio(
            parse_portfolio(
                {"account": "a", "positions": [{"instrument": "hyperliquid:ETH-PERP", "quantity": "0.0000001"}]}, mkt
            ),
            mkt,
            to_public_parameters(compute_risk_arrays(mkt, load_model("occ10")), MarginCapacity(2, 1, 10)),
            10**6,
        )


def test_model_presets_load_with_their_scenario_counts():
    assert [len(load_model(n).scenarios) for n in ("span16", "occ10", "crypto-pm")] == [16, 10, 31]
    with pytest.raises(FormatError, match="not a preset"):
        load_model("nope")


# -------------------------------------------- the short-option minimum is a floor (issue 13)
def occ_option(kind: str, strike: str, ident: str) -> dict:
    return {
        "id": ident,
        "venue": "occ",
        "kind": kind,
        "underlying": "X",
        "strike": strike,
        "expiry": "2026-12-21T08:00:00Z",
        "multiplier": "100",
    }


def occ_scan(positions: dict[str, int], options: dict[str, dict], spot=100.0, vol=0.3) -> float:
    """Worst loss over occ10's ten price points, priced here independently with Black-76."""
    years = 30 / 365
    worst = -math.inf
    for pct in (-15, -12, -9, -6, -3, 3, 6, 9, 12, 15):
        loss = 0.0
        for ident, q in positions.items():
            o = options[ident]
            k = float(o["strike"])
            today = black76(o["kind"], spot, k, years, vol, 0.0)
            loss += q * 100 * (today - black76(o["kind"], spot * (1 + pct / 100), k, years, vol, 0.0))
        worst = max(worst, loss)
    return worst


@pytest.mark.parametrize(
    "book",
    [
        {"P100": -1},  # one short at-the-money put: the scan binds
        {"P100": -1, "C100": -1},  # a short straddle: the scan binds, the minimum is not added twice
        {"P60": -1},  # far out of the money: the minimum alone, 0.375 x 100 = 37.50, binds
    ],
)
def test_occ10_short_options_need_the_larger_of_scan_and_minimum(book):
    options = {
        "P100": occ_option("put", "100", "P100"),
        "C100": occ_option("call", "100", "C100"),
        "P60": occ_option("put", "60", "P60"),
    }
    mkt = market(list(options.values()), spot="100", vol="0.3")
    _, result = margin(mkt, load_model("occ10"), {k: str(v) for k, v in book.items()})
    minimum = 37.5 * sum(-q for q in book.values())
    scan = occ_scan(book, options)
    assert float(result.real(result.scan)) == pytest.approx(scan, abs=1e-4)
    expected = max(scan, minimum)
    assert float(result.real(result.requirement)) == pytest.approx(expected, abs=1e-4)
    assert result.floor_binds == (minimum > scan)
    if "P60" in book:
        assert float(result.real(result.requirement)) == pytest.approx(37.5, abs=1e-5)


def test_span16_short_call_minimum_is_not_added_to_its_scan_loss():
    mkt = market([CALL], vol="0.2")
    model = span_model("0.15")
    _, result = margin(mkt, model, {"cme:SP-C-1000": "-1"})
    assert result.short_option_addon > 0 and result.scan > result.short_option_addon
    assert result.requirement == result.scan + result.contingency_addon + result.rounding


# ------------------------------------------------- margin by underlying (issue 13)
def test_btc_long_against_eth_short_needs_both_standalone_requirements():
    """Equal notional, opposite sides, two underlyings: every scenario moves both by the same
    fraction, so one group would need ~0; margined per underlying it needs both sides."""
    mkt = parse_market(
        {
            "timestamp": TIMESTAMP,
            "underlyings": {"BTC": {"spot": "100000", "vol": "0.5"}, "ETH": {"spot": "4000", "vol": "0.6"}},
            "instruments": [
                {"id": "BTC-PERP", "venue": "v", "kind": "perp", "underlying": "BTC"},
                {"id": "ETH-PERP", "venue": "v", "kind": "perp", "underlying": "ETH"},
            ],
            "assets": {"USD": {"price": "1", "class": "stablecoin"}},
        }
    )
    model = load_model("span16")
    arrays = compute_risk_arrays(mkt, model)
    params = to_public_parameters(arrays, MarginCapacity(2, 2, 16, groups=2))
    assert params.groups == ("BTC", "ETH")

    def requirement(positions):
        p = parse_portfolio({"account": "t", "positions": positions}, mkt)
        return evaluate(params, scale_portfolio(p, mkt, params, model.scale), real_scenarios=16).requirement

    long_btc = [{"instrument": "BTC-PERP", "quantity": "1"}]
    short_eth = [{"instrument": "ETH-PERP", "quantity": "-25"}]
    both = requirement(long_btc + short_eth)
    assert both == requirement(long_btc) + requirement(short_eth)
    # span16: scan range 15%, extreme 2 x 15% counted at 35% = 10.5% < 15%: each side loses 15%
    assert float(Fraction(both, 10**12)) == pytest.approx(2 * 0.15 * 100_000, abs=1e-3)


# ------------------------------------------- initial and maintenance margin (issue 13)
def test_maintenance_scales_each_requirement_term_and_the_digest_binds_the_level():
    """crypto-pm follows Derive PM2: initial = 1.0 x scenario loss + 4% perp contingency;
    maintenance = 0.8 x scenario loss + 3%."""
    mkt = market([{"id": "PERP", "venue": "v", "kind": "perp", "underlying": "X", "mark": "1000"}], spot="1000")
    model = load_model("crypto-pm")
    arrays = compute_risk_arrays(mkt, model)
    cap = MarginCapacity(1, 1, len(arrays.scenarios))
    initial = to_public_parameters(at_level(arrays, model, "initial"), cap)
    maintenance = to_public_parameters(at_level(arrays, model, "maintenance"), cap)
    assert (initial.margin_level, maintenance.margin_level) == ("initial", "maintenance")
    assert initial.contingency == (40 * 10**6,) and maintenance.contingency == (30 * 10**6,)
    assert all(abs(m - Fraction(4, 5) * x) <= 1 for m, x in zip(maintenance.unit_loss[0], initial.unit_loss[0]))
    assert initial.digest(1) != maintenance.digest(1)
    with pytest.raises(FormatError, match="not one of initial, maintenance"):
        at_level(arrays, model, "variation")


def test_a_maintenance_factor_above_one_or_misspelt_is_refused():
    raw = json.loads(resources.files("zkmargin.circuits.margin").joinpath("presets", "occ10.json").read_text())
    raw["maintenance"] = {"scan": "1.2"}
    with pytest.raises(FormatError, match="maintenance.scan"):
        parse_model(raw, "m.json")
    raw["maintenance"] = {"scann": "0.8"}
    with pytest.raises(FormatError, match="unknown field 'scann'"):
        parse_model(raw, "m.json")


def test_isolated_baseline_charges_a_spot_holding_its_haircut_not_the_full_downside():
    """Alone, a long spot holding or supplied lending is collateral to a venue: it costs its
    haircut (the model's 'major' 12.5% here, no asset of its symbol), not occ10's 15% move."""
    mkt = market(
        [
            {"id": "SPOT", "venue": "a", "kind": "spot", "underlying": "X"},
            {"id": "LEND", "venue": "b", "kind": "lending", "underlying": "X"},
        ],
        spot="1000",
    )
    case_model = load_model("occ10")
    params, result = margin(mkt, case_model, {"SPOT": "2", "LEND": "1"})
    from zkmargin.circuits.margin.calculator import isolated_requirements
    from zkmargin.circuits.margin.case import holding_charges

    charges = holding_charges(params, mkt, case_model)
    assert charges == [125 * 10**6, 125 * 10**6]  # 12.5% of 1000 at scale 10^6
    portfolio = parse_portfolio(
        {
            "account": "t",
            "positions": [{"instrument": "SPOT", "quantity": "2"}, {"instrument": "LEND", "quantity": "1"}],
        },
        mkt,
    )
    fixed = scale_portfolio(portfolio, mkt, params, case_model.scale)
    by_position, by_venue = isolated_requirements(params, fixed, ["a", "b"], 10, charges)
    assert by_position == by_venue == 3 * 125 * 10**12  # 375, where the full downside would be 450
    assert isolated_requirements(params, fixed, ["a", "b"], 10)[0] == 3 * 150 * 10**12
    assert result.requirement == 3 * 150 * 10**12  # margined, the portfolio still takes the move


# ------------------------------------------------------ stressed collateral (issue 13)
def test_eth_collateral_against_a_short_eth_perp_needs_the_haircut_of_the_move_and_contingency():
    """crypto-pm: 10 ETH collateral (major, 12.5% haircut) against a short 10 ETH perpetual.
    In the +18% scenario the perp loses 5,400 and the collateral gains 0.875 x 5,400 = 4,725:
    the group loses 675; plus the 4% initial contingency on 30,000 = 1,200. Unstressed, the
    collateral would leave the full 5,400 move to be covered."""
    mkt = parse_market(
        {
            "timestamp": TIMESTAMP,
            "underlyings": {"ETH": {"spot": "3000", "vol": "0.6"}},
            "instruments": [{"id": "ETH-PERP", "venue": "v", "kind": "perp", "underlying": "ETH", "mark": "3000"}],
            "assets": {"ETH": {"price": "3000", "class": "major", "tracks": "ETH"}},
        }
    )
    model = load_model("crypto-pm")
    arrays = compute_risk_arrays(mkt, model)
    params = to_public_parameters(arrays, MarginCapacity(1, 1, len(arrays.scenarios)))
    p = parse_portfolio(
        {
            "account": "t",
            "positions": [{"instrument": "ETH-PERP", "quantity": "-10"}],
            "collateral": [{"venue": "v", "asset": "ETH", "amount": "10"}],
        },
        mkt,
    )
    result = evaluate(params, scale_portfolio(p, mkt, params, model.scale), real_scenarios=len(arrays.scenarios))
    (group,) = result.groups
    assert result.real(group.scan) == 675
    assert result.scenario_names[group.worst_index].startswith("spot x1.18")
    assert result.real(result.contingency_addon) == 1200
    assert result.real(result.requirement) == 1875 + Fraction(10, 10**6)  # + rounding: 10 units of 10^-6
    assert result.real(result.collateral) == 26250


def test_a_published_collateral_loss_that_differs_is_named():
    from zkmargin.circuits.margin.case import describe_difference, expected_parameters
    from zkmargin.circuits.margin.inputs import sample_path

    cap = MarginCapacity(8, 4, 32, groups=2)
    params, _ = expected_parameters(sample_path("market.json"), "crypto-pm", cap)
    assert describe_difference(params, params) is None
    row = list(params.collateral_loss[0])
    row[3] -= 1
    edited = dataclasses.replace(params, collateral_loss=(tuple(row),) + params.collateral_loss[1:])
    assert "the loss of ETH in scenario" in describe_difference(edited, params)
