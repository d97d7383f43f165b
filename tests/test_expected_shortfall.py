"""Expected shortfall (issue 13): hand-checked figures, the Rockafellar-Uryasev constraints
against malicious provers, the calculator against the circuit, the compiled witness against
the builder, and the history file and model section read strictly."""

import dataclasses
import json
import math
import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.margin.calculator import ScaledPortfolio, evaluate, scale_portfolio
from zkmargin.circuits.margin.case import load_case
from zkmargin.circuits.margin.circuit import MarginWitness, build_margin_circuit, margin_statement
from zkmargin.circuits.margin.history import history_moves
from zkmargin.circuits.margin.inputs import load_model, parse_market, parse_model, parse_portfolio
from zkmargin.circuits.margin.risk_arrays import CapacityTooSmall, compute_risk_arrays, to_public_parameters
from zkmargin.circuits.witness_program import program_of
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import MarginCapacity, MarginParameters

from helpers import assert_margin_compiled_equals_builder, margin_satisfied, replace_hint

EPOCH = 1_795_248_000
PRICES = ["100", "95", "104.5", "94.05", "97.812", "95.85576"]  # returns -5%, +10%, -10%, +4%, -2%


def history(tmp_path: Path, prices=PRICES, header="date,X", extra="") -> Path:
    path = tmp_path / "prices.csv"
    rows = [f"2026-11-{16 + d:02d},{p}{extra}" for d, p in enumerate(prices)]
    path.write_text("# a hand-checkable series\n" + "\n".join([header, *rows]) + "\n")
    return path


def es_model(tmp_path: Path, alpha="0.6", **es) -> dict:
    history(tmp_path)
    return {
        "name": "es-test",
        "scale": "1000000",
        "scenarios": [{"name": "flat", "move": "0"}],
        "haircuts": {"classes": {"stablecoin": "0"}},
        "expected_shortfall": {"alpha": alpha, "history": "prices.csv", **es},
    }


MARKET = {
    "timestamp": "2026-11-21T08:00:00Z",
    "rate": "0",
    "underlyings": {"X": {"spot": "1000", "vol": "0.5"}},
    "instruments": [{"id": "v:X-PERP", "venue": "v", "kind": "perp", "underlying": "X"}],
    "assets": {"USD": {"price": "1", "class": "stablecoin"}},
}


def case(tmp_path, quantity: str, cash: str = "0", tail: int = 5, **es):
    market = parse_market(MARKET)
    model = parse_model(es_model(tmp_path, **es), "es-test", tmp_path)
    portfolio = parse_portfolio(
        {
            "account": "t",
            "positions": [{"instrument": "v:X-PERP", "quantity": quantity}],
            "collateral": [{"venue": "v", "asset": "USD", "amount": cash}],
        },
        market,
    )
    params = to_public_parameters(compute_risk_arrays(market, model), MarginCapacity(1, 1, 1, 1, tail))
    fixed = scale_portfolio(portfolio, market, params, model.scale)
    return params, fixed, evaluate(params, fixed, real_scenarios=1)


def real(result, value) -> Fraction:
    return result.real(value)


# ------------------------------------------------------------ hand-checked
def test_history_returns_are_the_daily_joint_moves(tmp_path):
    moves = [m["X"] for _, m in history_moves(history(tmp_path))]
    assert moves == [Fraction(-5, 100), Fraction(10, 100), Fraction(-10, 100), Fraction(4, 100), Fraction(-2, 100)]


def test_filtered_history_rescales_each_return_to_todays_volatility(tmp_path):
    """Returns 0.1 then 0.2, lambda 0.5: seed variance (0.01 + 0.04) / 2 = 0.025; then
    0.5 x 0.025 + 0.5 x 0.01 = 0.0175, and today's 0.5 x 0.0175 + 0.5 x 0.04 = 0.02875. So
    0.1 x sqrt(0.02875 / 0.025) = 0.107238... and 0.2 x sqrt(0.02875 / 0.0175) = 0.256347..."""
    path = history(tmp_path, ["100", "110", "132"])
    moves = [float(m["X"]) for _, m in history_moves(path, Fraction(1, 2))]
    assert moves == pytest.approx([0.1 * math.sqrt(1.15), 0.2 * math.sqrt(0.02875 / 0.0175)], abs=1e-9)
    assert moves[0] == pytest.approx(0.1072381, abs=1e-7) and moves[1] == pytest.approx(0.2563479, abs=1e-7)


def test_expected_shortfall_of_a_long_and_a_short_perp_by_hand(tmp_path):
    """1 X perpetual at 1,000 over returns -5%, +10%, -10%, +4%, -2%, alpha 0.6: k = ceil(0.4 x 5) = 2.
    Long: losses 50, -100, 100, -40, 20; the two worst 100 and 50: ES = 75.
    Short: losses -50, 100, -100, 40, -20; the two worst 100 and 40: ES = 70."""
    params, _, long = case(tmp_path, "1")
    assert params.tail_k == 2 and len(params.tail_scenarios) == 5
    (g,) = long.groups
    assert real(long, g.expected_shortfall) == 75 and real(long, g.scan) == 0 and real(long, g.margin) == 75
    assert g.binding == "expected shortfall"
    assert [params.tail_scenarios[t] for t in g.tail_worst] == ["hist 2026-11-19", "hist 2026-11-17"]
    _, _, short = case(tmp_path, "-1")
    assert real(short, short.groups[0].expected_shortfall) == 70


def test_padding_tail_slots_do_not_change_the_figure(tmp_path):
    """Three more tail slots than scenarios: no-move columns (zero loss) are never among the worst two here."""
    _, _, padded = case(tmp_path, "1", tail=8)
    assert real(padded, padded.groups[0].expected_shortfall) == 75


def test_alpha_one_half_of_an_odd_count_rounds_k_up(tmp_path):
    """alpha 0.5 over 5: k = ceil(2.5) = 3, the worst three of the long's 100, 50, 20: ES = 170 / 3, rounded up."""
    params, _, result = case(tmp_path, "1", alpha="0.5")
    assert params.tail_k == 3
    assert result.groups[0].expected_shortfall == -(-170 * 10**12 // 3)


def test_hist_es_preset_runs_on_the_sample_book():
    model = load_model("hist-es")
    assert model.expected_shortfall.k == 2 and len(model.expected_shortfall.scenarios) == 60
    with pytest.raises(CapacityTooSmall, match="--tail-scenarios 60"):
        load_case(model="hist-es")
    result = load_case(model="hist-es", capacity=MarginCapacity(8, 4, 32, 2, 60)).result
    for g in result.groups:
        worst = sorted(g.tail_losses, reverse=True)[:2]
        assert g.expected_shortfall == -(-sum(worst) // 2) and g.margin >= g.expected_shortfall


def test_margin_command_shows_hist_es_without_capacity_flags():
    """The calculator needs no circuit: `zkmargin margin --model hist-es` sizes its padding to
    the model (60 tail scenarios) instead of refusing as `prove` must."""
    from click.testing import CliRunner

    from zkmargin.cli.main import cli

    shown = CliRunner().invoke(cli, ["margin", "--model", "hist-es", "--json"])
    assert shown.exit_code == 0, shown.output
    expected = load_case(model="hist-es", capacity=MarginCapacity(8, 4, 32, 2, 60)).result
    assert Fraction(json.loads(shown.output)["requirement"]) == expected.real(expected.requirement)


# ------------------------------------------------------------ the circuit
def witness(params: MarginParameters, quantities, amounts, threshold=10_000) -> MarginWitness:
    fixed = ScaledPortfolio(account=7, quantities=tuple(quantities), amounts=tuple(amounts), salt=99)
    return MarginWitness(margin_statement(params, fixed, EPOCH, threshold), fixed)


def tight(tmp_path):
    """A long perp whose margin is exactly its ES, 75, with cash of exactly 75: no slack anywhere."""
    params, fixed, result = case(tmp_path, "1", cash="75")
    assert result.solvent and result.excess == 0
    return params, witness(params, fixed.quantities, fixed.amounts), result


def test_the_tight_case_is_provable_and_one_unit_short_is_not(tmp_path):
    params, w, _ = tight(tmp_path)
    assert margin_satisfied(w)
    poorer = witness(params, w.portfolio.quantities, (w.portfolio.amounts[0] - 1,))
    assert not evaluate(params, poorer.portfolio).solvent and not margin_satisfied(poorer)


def test_an_understated_margin_below_expected_shortfall_fails(tmp_path):
    """M_g one below ES (and still above the scan loss and the floor) with the honest tau."""
    _, w, result = tight(tmp_path)
    es = result.groups[0].expected_shortfall
    tamper = replace_hint("group[0]/margin", lambda v: [v[0], es - 1])
    assert not margin_satisfied(w, tamper) and tamper.seen
    rich = dataclasses.replace(w.portfolio, amounts=(10**15,))
    rich_w = witness(w.statement.parameters, rich.quantities, rich.amounts)
    overstated = replace_hint("group[0]/margin", lambda v: [v[0], es + 10**9])
    assert margin_satisfied(rich_w, overstated)  # overstating only costs the prover
    assert not margin_satisfied(rich_w, replace_hint("group[0]/margin", lambda v: [v[0], es - 1]))


UNIT = 10**12  # one unit of money at scale^2


@pytest.mark.parametrize(
    "shift, holds",
    [(10**6, False), (UNIT, False), (-31 * UNIT, False), (-(10**14), False), (-(10**6), True), (-30 * UNIT, True)],
)
def test_a_tau_away_from_the_quantile_cannot_lower_the_bound(tmp_path, shift, holds):
    """f(tau) = tau + (1/k) sum max(L - tau, 0) is at least ES for every tau, with equality
    exactly on [L_(k+1), L_(k)] = [20, 50] here (f is flat there): with M_g = ES = 75 and the
    excesses recomputed honestly for the tampered tau (honest tau = 50), a tau inside passes and
    any tau outside fails, e.g. tau = 19: 19 + (81 + 31 + 1) / 2 = 75.5 > 75."""
    _, w, _ = tight(tmp_path)
    tamper = replace_hint("group[0]/margin", lambda v: [(v[0] + shift) % R, v[1]])
    assert margin_satisfied(w, tamper) is holds and tamper.seen


def test_an_excess_below_its_loss_over_tau_fails(tmp_path):
    """e_t = 0 for the worst day (100 over tau 50), or a negative e_t for a calm day."""
    _, w, _ = tight(tmp_path)
    worst = "group[0]/expected_shortfall/tail[2]/excess"  # the -10% day: the long's loss of 100
    tamper = replace_hint(worst, lambda v: [0])
    assert not margin_satisfied(w, tamper) and tamper.seen
    calm = replace_hint("group[0]/expected_shortfall/tail[1]/excess", lambda v: [R - 10**12])
    assert not margin_satisfied(w, calm) and calm.seen


# ------------------------------------------------------------ calculator = circuit
CAP = MarginCapacity(positions=2, collateral=2, scenarios=2, groups=1, tail_scenarios=4)


def random_parameters(seed: int, k: int) -> MarginParameters:
    rng = random.Random(seed)
    big = 10**12
    return MarginParameters(
        scale=10**6,
        margin_level="initial",
        groups=("ETH",),
        instruments=("a:CALL", "b:PERP"),
        scenarios=("vol up", "vol down"),
        collateral_assets=("ETH", "USDC"),
        unit_value=(rng.randrange(big), 0),
        unit_loss=tuple(tuple(rng.randrange(-big, big) for _ in range(2)) for _ in range(2)),
        short_option_min=(rng.randrange(big // 100), 0),
        contingency=(0, rng.randrange(big // 100)),
        collateral_value=(rng.randrange(big), 980_000),
        collateral_loss=(tuple(rng.randrange(-big, big) for _ in range(2)), (0, 0)),
        tail_k=k,
        tail_scenarios=("d1", "d2", "d3", "d4"),
        tail_loss=tuple(tuple(rng.randrange(-big, big) for _ in range(4)) for _ in range(2)),
        tail_collateral_loss=(tuple(rng.randrange(-big, big) for _ in range(4)), (0,) * 4),
    )


book = st.lists(st.integers(-(10**9), 10**9), min_size=2, max_size=2)
cash = st.lists(st.integers(0, 10**9), min_size=2, max_size=2)


@given(q=book, a=cash, seed=st.integers(0, 40), k=st.integers(0, 4))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_circuit_agrees_with_calculator_under_expected_shortfall(q, a, seed, k):
    w = witness(random_parameters(seed, k), q, a)
    result = evaluate(w.statement.parameters, w.portfolio)
    event(f"solvent={result.solvent} binding={result.groups[0].binding}")
    assert margin_satisfied(w) is result.solvent


@given(
    q=st.lists(st.one_of(st.integers(-(10**9), 10**9), st.sampled_from([-(2**63), 2**64])), min_size=2, max_size=2),
    a=cash,
    seed=st.integers(0, 10),
    k=st.sampled_from([0, 1, 3, 4]),
)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_compiled_witness_equals_the_builders_under_expected_shortfall(q, a, seed, k):
    """The 'shortfall' kernel kind computes tau and M_g as the Python hint does, wire for wire."""
    assert_margin_compiled_equals_builder(CAP, witness(random_parameters(seed, k), q, a), _program())


_PROGRAM = []


def _program():
    if not _PROGRAM:
        api = ConstraintSystem()
        build_margin_circuit(api, CAP)
        _PROGRAM.append(program_of(api))
    return _PROGRAM[0]


def test_a_tail_rank_above_the_tail_count_is_refused():
    with pytest.raises(FormatError, match="tail_k 5 exceeds"):
        random_parameters(1, 5)


# ------------------------------------------------------------ strict reading
@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda m: m["expected_shortfall"].update(alhpa="0.9"), "unknown field 'alhpa'"),
        (lambda m: m["expected_shortfall"].update(alpha="1"), "alpha"),
        (lambda m: m["expected_shortfall"].update(scenarios=[]), "exactly one of history"),
        (lambda m: m["expected_shortfall"].update(history="missing.csv"), "cannot read"),
        (lambda m: m["expected_shortfall"].update(ewma_lambda="1.5"), "ewma_lambda"),
    ],
)
def test_the_expected_shortfall_section_is_read_strictly(tmp_path, mutate, message):
    raw = es_model(tmp_path)
    mutate(raw)
    with pytest.raises(FormatError, match=message):
        parse_model(raw, "es-test", tmp_path)


@pytest.mark.parametrize(
    "prices, header, message",
    [
        (["100", "99", "abc"], "date,X", "is not a number"),
        (["100", "99"], "day,X", "first line"),
        (["100", "99"], "date,X,X", "once"),
        (["100"], "date,X", "at least two days"),
        (["100", "-1"], "date,X", "positive"),
    ],
)
def test_a_bad_history_is_one_line_error(tmp_path, prices, header, message):
    with pytest.raises(FormatError, match=message):
        history_moves(history(tmp_path, prices, header))


def test_history_dates_must_increase(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("date,X\n2026-11-02,100\n2026-11-01,101\n")
    with pytest.raises(FormatError, match="strictly increasing"):
        history_moves(path)


def test_a_history_without_a_market_underlying_is_refused(tmp_path):
    market = dict(MARKET, underlyings={"X": {"spot": "1000", "vol": "0.5"}, "Y": {"spot": "5", "vol": "0.5"}})
    y_perp = {"id": "v:Y-PERP", "venue": "v", "kind": "perp", "underlying": "Y"}
    market["instruments"] = MARKET["instruments"] + [y_perp]
    model = parse_model(es_model(tmp_path), "es-test", tmp_path)
    with pytest.raises(FormatError, match="no move for underlying 'Y'"):
        compute_risk_arrays(parse_market(market), model)


def test_explicit_tail_scenarios_are_joint_moves(tmp_path):
    raw = es_model(tmp_path)
    raw["expected_shortfall"] = {
        "alpha": "0.5",
        "scenarios": [{"name": f"d{i}", "move": {"X": m}} for i, m in enumerate(["-0.1", "0.05", "-0.2", "0.3"])],
    }
    model = parse_model(json.loads(json.dumps(raw)), "es-test", tmp_path)
    assert model.expected_shortfall.k == 2
    params = to_public_parameters(compute_risk_arrays(parse_market(MARKET), model), MarginCapacity(1, 1, 1, 1, 4))
    assert params.tail_loss == ((100 * 10**6, -50 * 10**6, 200 * 10**6, -300 * 10**6),)
