"""Strict inputs (issue 13): a misspelt key anywhere is refused, naming the key; documented defaults apply.

Every case here would otherwise be read loosely and in the prover's favour: a typo in
short_option_minimum turns the minimum off, a missing haircuts section means 0% haircuts.
"""

import copy
import json
from fractions import Fraction
from importlib import resources

import pytest

from zkmargin.circuits.margin.inputs import DEFAULT_HAIRCUTS, parse_market, parse_model, parse_portfolio
from zkmargin.circuits.margin.risk_arrays import compute_risk_arrays, load_risk_array_file
from zkmargin.verifier.files import FormatError

SAMPLES = resources.files("zkmargin.circuits.margin")


def raw(*path: str) -> dict:
    return json.loads(SAMPLES.joinpath(*path).read_text())


def model_raw() -> dict:
    return raw("presets", "span16.json")


@pytest.mark.parametrize(
    "edit, key",
    [
        (lambda m: m.update(haircut={}), "haircut"),
        (lambda m: m["haircuts"].update(clases={}), "clases"),
        (lambda m: m["short_option_minimum"].update(fraction_of_spott="0.1"), "fraction_of_spott"),
        (lambda m: m["vol_shock"].update(rang="0.2"), "rang"),
        (lambda m: m["scenarios"][0].update(wieght="0.5"), "wieght"),
    ],
)
def test_a_typo_in_each_model_section_is_refused(edit, key):
    m = model_raw()
    edit(m)
    with pytest.raises(FormatError, match=f"unknown field '{key}'"):
        parse_model(m, "m.json")


def test_an_unknown_asset_class_and_a_duplicate_scenario_are_refused():
    m = model_raw()
    m["haircuts"]["classes"]["stablecoins"] = "0.01"
    with pytest.raises(FormatError, match="classes.stablecoins: not an asset class"):
        parse_model(m, "m.json")
    m = model_raw()
    m["scenarios"][1]["name"] = m["scenarios"][0]["name"]
    with pytest.raises(FormatError, match="named twice"):
        parse_model(m, "m.json")


@pytest.mark.parametrize("assets", [0, [], "0.1", None])
def test_haircut_overrides_that_are_not_an_object_are_refused(assets):
    """Found by fuzzing: a non-object here once reached a set() of it, a TypeError."""
    m = model_raw()
    m["haircuts"]["assets"] = assets
    with pytest.raises(FormatError, match="haircuts.assets: expected a JSON object"):
        parse_model(m, "m.json")


def test_a_model_without_haircuts_gets_the_documented_defaults():
    m = model_raw()
    del m["haircuts"]
    model = parse_model(m, "m.json")
    assert model.class_haircuts == DEFAULT_HAIRCUTS
    assert DEFAULT_HAIRCUTS["stablecoin"] == Fraction(2, 100) and DEFAULT_HAIRCUTS["options-lp"] == Fraction(2, 5)
    m["haircuts"] = {"classes": {"major": "0.2"}}  # a partial table keeps the other defaults
    partial = parse_model(m, "m.json").class_haircuts
    assert partial["major"] == Fraction(1, 5) and partial["yield-bearing"] == Fraction(15, 100)


def test_an_override_for_an_asset_the_market_lacks_is_refused():
    m = model_raw()
    m["haircuts"]["assets"] = {"DOGE": "0.3"}
    market = parse_market(raw("samples", "market.json"))
    with pytest.raises(FormatError, match="'DOGE' is not a collateral asset"):
        compute_risk_arrays(market, parse_model(m, "m.json"))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda k: k.update(snapshot="x"), "unknown field 'snapshot'"),
        (lambda k: k["underlyings"]["ETH"].update(spott="1"), "unknown field 'spott'"),
        (lambda k: k["instruments"][0].update(strik="1"), "unknown field 'strik'"),
        (lambda k: k["assets"]["USDC"].update(clas="stablecoin"), "unknown field 'clas'"),
    ],
)
def test_market_typos_are_refused(edit, message):
    k = raw("samples", "market.json")
    edit(k)
    with pytest.raises(FormatError, match=message):
        parse_market(k, "k.json")


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda p: p.update(positon=[]), "unknown field 'positon'"),
        (lambda p: p["positions"][0].update(qty="1"), "unknown field 'qty'"),
        (lambda p: p["collateral"][0].update(amt="1"), "unknown field 'amt'"),
    ],
)
def test_portfolio_typos_are_refused(edit, message):
    market = parse_market(raw("samples", "market.json"))
    p = raw("samples", "portfolio.json")
    edit(p)
    with pytest.raises(FormatError, match=message):
        parse_portfolio(p, market, "p.json")


def arrays_raw(market) -> dict:
    return {
        "scenarios": ["up", "down"],
        "instruments": {i: {"value": "0", "loss": ["1", "-1"]} for i in market.instruments},
    }


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda a: a["instruments"].update({"extra:X": {"loss": ["0", "0"]}}), "'extra:X' is not an instrument"),
        (lambda a: a.update(scenarios=["up", "up"]), "'up' is named twice"),
        (lambda a: a.update(note="x"), "unknown field 'note'"),
        (lambda a: next(iter(a["instruments"].values())).update(los=[]), "unknown field 'los'"),
        (lambda a: a["instruments"].pop(next(iter(a["instruments"]))), "no array for market instrument"),
    ],
)
def test_arrays_must_name_exactly_the_market_instruments_once(edit, message):
    market = parse_market(raw("samples", "market.json"))
    a = copy.deepcopy(arrays_raw(market))
    edit(a)
    with pytest.raises(FormatError, match=message):
        load_risk_array_file(a, market, parse_model(model_raw(), "m"), "a.json")
    load_risk_array_file(arrays_raw(market), market, parse_model(model_raw(), "m"), "a.json")
