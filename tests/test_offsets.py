"""Inter-group offsets (issue 13): SPAN-style inter-commodity credit at a published rate between
two groups on opposite sides, hand-checked, against malicious provers, and calculator = circuit."""

import dataclasses
import json
import random
from importlib import resources

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from zkmargin.circuits.margin.calculator import ScaledPortfolio, evaluate, scale_portfolio
from zkmargin.circuits.margin.circuit import MarginWitness, margin_statement
from zkmargin.circuits.margin.inputs import parse_market, parse_model, parse_portfolio
from zkmargin.circuits.margin.risk_arrays import CapacityTooSmall, compute_risk_arrays, to_public_parameters
from zkmargin.circuits.margin.risk_arrays import with_offsets
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import MarginCapacity, MarginParameters

from helpers import assert_margin_compiled_equals_builder, margin_satisfied, replace_hint

UNIT = 10**12
ROUNDING = 25 * 10**6  # one unit of 1/scale per short unit, against the prover: 25 ETH short
MARKET = {
    "timestamp": "2026-11-21T08:00:00Z",
    "underlyings": {"BTC": {"spot": "100000", "vol": "0.5"}, "ETH": {"spot": "4000", "vol": "0.6"}},
    "instruments": [
        {"id": "BTC-PERP", "venue": "v", "kind": "perp", "underlying": "BTC"},
        {"id": "ETH-PERP", "venue": "v", "kind": "perp", "underlying": "ETH"},
    ],
    "assets": {"USD": {"price": "1", "class": "stablecoin"}},
}
PAIR = {"groups": ["ETH", "BTC"], "rate": "0.5"}
OFFSETS = {"up": "11 price +1 vol up", "down": "13 price -1 vol up", "pairs": [PAIR]}


def span16(**extra) -> dict:
    raw = json.loads(resources.files("zkmargin.circuits.margin").joinpath("presets", "span16.json").read_text())
    raw["haircuts"] = {"classes": {"stablecoin": "0"}}
    return {**raw, **extra}


def case(btc: str, eth: str, usd: str = "0", offsets=OFFSETS, pairs: int = 1):
    market = parse_market(MARKET)
    model = parse_model(span16(offsets=offsets), "span16 with offsets")
    arrays = with_offsets(compute_risk_arrays(market, model), model)
    params = to_public_parameters(arrays, MarginCapacity(2, 2, 16, groups=2, pairs=pairs))
    portfolio = parse_portfolio(
        {
            "account": "t",
            "positions": [{"instrument": "BTC-PERP", "quantity": btc}, {"instrument": "ETH-PERP", "quantity": eth}],
            "collateral": [{"venue": "v", "asset": "USD", "amount": usd}],
        },
        market,
    )
    fixed = scale_portfolio(portfolio, market, params, model.scale)
    return params, fixed, evaluate(params, fixed, real_scenarios=16)


# ------------------------------------------------------------ hand-checked
def test_btc_long_against_eth_short_gets_the_published_credit():
    """1 BTC long and 25 ETH short, 100,000 of notional each: under span16 each group alone
    needs 15% = 15,000; they are on opposite sides, so the credit is 50% x min(15,000, 15,000)
    = 7,500 and the book needs 22,500 instead of 30,000."""
    params, _, result = case("1", "-25")
    assert params.groups[:2] == ("ETH", "BTC") and params.offset_rate == (5000,)
    assert params.scenarios[:2] == ("11 price +1 vol up", "13 price -1 vol up")  # up, down in slots 0 and 1
    assert [result.real(g.margin) for g in result.groups] == [15_000, 15_000]
    assert result.offsets == [("ETH", "BTC", 7_500 * UNIT)]
    assert result.requirement == 22_500 * UNIT + ROUNDING


def test_no_credit_on_the_same_side_or_without_offsets():
    _, _, both_long = case("1", "25")
    assert both_long.offsets == [("ETH", "BTC", 0)] and both_long.real(both_long.requirement) == 30_000
    _, _, plain = case("1", "-25", offsets={**OFFSETS, "pairs": []}, pairs=0)
    assert plain.offsets == [] and plain.requirement == 30_000 * UNIT + ROUNDING


def test_the_credit_is_capped_by_the_smaller_margin():
    """2 BTC long (30,000) against 25 ETH short (15,000): 50% x 15,000 = 7,500."""
    _, _, result = case("2", "-25")
    assert result.offsets[0][2] == 7_500 * UNIT and result.requirement == 37_500 * UNIT + ROUNDING


def test_pairs_need_capacity():
    with pytest.raises(CapacityTooSmall, match="--pairs 1"):
        case("1", "-25", pairs=0)


# ------------------------------------------------------------ malicious provers
def witness(params: MarginParameters, fixed: ScaledPortfolio) -> MarginWitness:
    return MarginWitness(margin_statement(params, fixed, 1_795_248_000), fixed)


def tight():
    """Cash of exactly 22,500 (and the rounding, counted on both sides) behind the hedged book:
    solvent only with the credit."""
    params, fixed, result = case("1", "-25", usd="22500.00005")
    assert result.solvent and result.excess == 0
    return params, witness(params, fixed)


def test_the_tight_hedged_book_is_provable():
    assert margin_satisfied(tight()[1])


def test_a_credit_above_the_smaller_margin_fails():
    """c one unit above min(M_g, M_h), or a quotient one above floor(rate c / 10^4)."""
    _, w = tight()
    tamper = replace_hint("offset[0]/common", lambda v: [(v[0] - 2 * 10**4) % R])  # c = min + 2 x 10^4
    assert not margin_satisfied(w, tamper) and tamper.seen
    quotient = replace_hint("offset[0]/divide_floor(10000)/quotient_remainder", lambda v: [v[0] + 1, v[1]])
    assert not margin_satisfied(w, quotient) and quotient.seen


def test_the_sides_cannot_be_faked():
    """Both long: no credit; flipping a proven side bit breaks its decomposition."""
    params, fixed, result = case("1", "25", usd="22500.00005")
    assert not result.solvent
    w = witness(params, fixed)
    assert not margin_satisfied(w)
    flip = replace_hint("offset[0]/side_first/signed124/to_bits125/bits", lambda v: v[:-1] + [1 - v[-1]])
    assert not margin_satisfied(w, flip) and flip.seen


def test_inflating_a_margin_to_earn_credit_never_pays():
    """M_ETH raised by 10,000: the credit may rise by at most 5,000 (it cannot here: BTC's is the
    smaller), the requirement rises by at least 5,000: the tight book is no longer provable."""
    _, w = tight()
    inflate = replace_hint("group[0]/margin", lambda v: [v[0] + 10_000 * UNIT])
    assert not margin_satisfied(w, inflate) and inflate.seen


# ------------------------------------------------------------ calculator = circuit
CAP = MarginCapacity(positions=4, collateral=2, scenarios=3, groups=2, pairs=1)


def random_parameters(seed: int) -> MarginParameters:
    rng = random.Random(seed)
    big = 10**12
    up_down = lambda: (rng.randrange(-big, big), rng.randrange(-big, big), rng.randrange(-big, big))  # noqa: E731
    return MarginParameters(
        scale=10**6,
        margin_level="initial",
        groups=("ETH", "BTC"),
        instruments=("ETH-C", "ETH-PERP", "BTC-PERP", ""),
        scenarios=("up", "down", "flat vol up"),
        collateral_assets=("ETH", "USDC"),
        unit_value=(rng.randrange(big), 0, 0, 0),
        unit_loss=(up_down(), up_down(), up_down(), (0, 0, 0)),
        short_option_min=(rng.randrange(big // 100), 0, 0, 0),
        contingency=(0, rng.randrange(big // 100), rng.randrange(big // 100), 0),
        collateral_value=(rng.randrange(big), 980_000),
        collateral_loss=(up_down(), (0, 0, 0)),
        offset_rate=(rng.choice([0, 2500, 5000, 10_000]),),
    )


@given(
    q=st.lists(st.integers(-(10**9), 10**9), min_size=3, max_size=3),
    a=st.lists(st.integers(0, 10**9), min_size=2, max_size=2),
    seed=st.integers(0, 40),
)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_circuit_agrees_with_calculator_with_offsets(q, a, seed):
    params = random_parameters(seed)
    fixed = ScaledPortfolio(account=7, quantities=(*q, 0), amounts=tuple(a), salt=99)
    result = evaluate(params, fixed)
    event(f"solvent={result.solvent} credit={bool(result.offset_credit)}")
    assert margin_satisfied(witness(params, fixed)) is result.solvent


def test_a_rate_above_one_is_refused_by_the_verifier():
    raw = dataclasses.replace(random_parameters(1), offset_rate=(10_001,)).to_json()
    with pytest.raises(FormatError, match="offset_rate"):
        MarginParameters.from_json(raw, CAP, "statement")


# ------------------------------------------------------------ strict reading
@pytest.mark.parametrize(
    "offsets, message",
    [
        ({**OFFSETS, "up": "no such"}, "not a scenario of the model"),
        ({**OFFSETS, "down": OFFSETS["up"]}, "two different scenarios"),
        ({**OFFSETS, "pairs": [{"groups": ["ETH", "BTC"], "rate": "0.5"}, {"groups": ["BTC", "SOL"], "rate": "0.1"}]},
         "in two pairs"),
        ({**OFFSETS, "pairs": [{"groups": ["ETH", "BTC"], "rate": "0.12345"}]}, "at most 4 decimals"),
        ({**OFFSETS, "pairs": [{"groups": ["ETH", "BTC"], "rate": "1.5"}]}, "rate"),
        ({**OFFSETS, "pairs": [{"groups": ["ETH", "ETH"], "rate": "0.5"}]}, "two different groups"),
        ({**OFFSETS, "pair": []}, "unknown field 'pair'"),
    ],
)
def test_offsets_are_read_strictly(offsets, message):
    with pytest.raises(FormatError, match=message):
        parse_model(span16(offsets=offsets), "span16 with offsets")


@given(
    q=st.lists(st.one_of(st.integers(-(10**9), 10**9), st.sampled_from([-(2**63), 2**64])), min_size=3, max_size=3),
    a=st.lists(st.integers(0, 10**9), min_size=2, max_size=2),
    seed=st.integers(0, 10),
)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_compiled_witness_equals_the_builders_with_offsets(q, a, seed):
    """The credit's hints are the maximum and divmod kinds: the kernel computes them alike."""
    fixed = ScaledPortfolio(account=7, quantities=(*q, 0), amounts=tuple(a), salt=99)
    w = witness(random_parameters(seed), fixed)
    assert_margin_compiled_equals_builder(CAP, w)


def test_no_credit_below_the_pairs_joint_loss():
    """Found in review: a group that loses both ways (a long straddle losing 100 up and down
    counts as 'long') paired with a short perp (loses 100 up) is 'opposite', so rate x min(M)
    = 50 of credit would take the requirement to 150, below the 200 both lose together in the
    up move. The credit is also at most M_g + M_h - (L_g(s) + L_h(s)) in every scenario: here 0."""
    params = dataclasses.replace(
        random_parameters(1),
        unit_value=(0, 0, 0, 0),
        unit_loss=((100, 100, 0), (0, 0, 0), (100, -100, 0), (0, 0, 0)),
        short_option_min=(0, 0, 0, 0),
        contingency=(0, 0, 0, 0),
        collateral_value=(0, 1),
        collateral_loss=((0, 0, 0), (0, 0, 0)),
        offset_rate=(5000,),
    )

    def book(cash: int) -> ScaledPortfolio:
        return ScaledPortfolio(account=7, quantities=(1, 0, 1, 0), amounts=(0, cash), salt=99)

    result = evaluate(params, book(200))
    assert result.offset_credit == 0 and result.requirement == 200 and result.solvent
    assert margin_satisfied(witness(params, book(200)))
    assert not margin_satisfied(witness(params, book(199)))
    claims_the_rate = replace_hint("offset[0]/credit", lambda v: [(-50) % R])
    assert not margin_satisfied(witness(params, book(150)), claims_the_rate) and claims_the_rate.seen
