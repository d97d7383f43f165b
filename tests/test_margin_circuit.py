"""The portfolio-margin circuit: it agrees with the calculator, and every cheating prover fails.

Parameters are made directly (random, small capacity) so each case builds in well under a
second; the statement-level tests check what the verifier does with edited statements.
"""

import copy
import dataclasses
import random

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.margin.calculator import ScaledPortfolio, evaluate
from zkmargin.circuits.margin.circuit import MarginWitness, build_margin_circuit, margin_statement
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import MarginCapacity, MarginParameters
from zkmargin.verifier.statement import Statement

from helpers import replace_hint

CAP = MarginCapacity(positions=3, collateral=2, scenarios=4)
EPOCH = 1_795_248_000


def parameters(seed: int = 1) -> MarginParameters:
    rng = random.Random(seed)
    big = 10**12
    return MarginParameters(
        scale=10**6,
        margin_level="initial",
        groups=("ETH",),
        instruments=("a:CALL", "b:PERP", "c:SPOT"),
        scenarios=("up", "down", "up vol", "down vol"),
        collateral_assets=("USDC", "ETH"),
        unit_value=(rng.randrange(0, big), 0, rng.randrange(0, big)),
        unit_loss=tuple(tuple(rng.randrange(-big, big) for _ in range(4)) for _ in range(3)),
        short_option_min=(rng.randrange(big // 100), 0, 0),
        contingency=(0, rng.randrange(big // 100), 0),
        collateral_value=(980_000, rng.randrange(big)),
        collateral_loss=((0,) * 4, tuple(rng.randrange(-big, big) for _ in range(4))),
    )


def honest(params, quantities, amounts, threshold=10_000, epoch=EPOCH):
    fixed = ScaledPortfolio(account=7, quantities=tuple(quantities), amounts=tuple(amounts), salt=99)
    return MarginWitness(margin_statement(params, fixed, epoch, threshold), fixed)


def claiming(witness: MarginWitness, **public) -> MarginWitness:
    """The same private witness behind public inputs of the prover's choosing."""
    statement = Statement(witness.statement.kind, witness.statement.values, witness.statement.parameters)
    statement.__dict__["public"] = {**witness.statement.public, **public}
    return MarginWitness(statement, witness.portfolio)


def satisfied(witness: MarginWitness, tamper=None, edit_witness=None) -> bool:
    api = ConstraintSystem(tamper=tamper)
    build_margin_circuit(api, CAP, witness)
    r1cs, values = api.compile(), api.witness()
    if edit_witness:
        edit_witness(r1cs, values)
    return r1cs.first_unsatisfied(values) is None


def solvent_case():
    params = parameters()
    return honest(params, [-3 * 10**6, 2 * 10**6, 10**6], [10**15, 10**6])


def test_solvent_case_is_solvent_and_satisfies():
    w = solvent_case()
    assert evaluate(w.statement.parameters, w.portfolio).solvent
    assert satisfied(w)


quantity = st.integers(-(10**9), 10**9)
amount = st.integers(0, 10**9)  # collateral and losses of similar size: both outcomes occur


@given(
    q=st.lists(quantity, min_size=3, max_size=3),
    a=st.lists(amount, min_size=2, max_size=2),
    seed=st.integers(0, 50),
    threshold=st.sampled_from([10_000, 12_000, 15_000]),
)
@settings(max_examples=24, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_circuit_agrees_with_calculator(q, a, seed, threshold):
    w = honest(parameters(seed), q, a, threshold)
    solvent = evaluate(w.statement.parameters, w.portfolio, threshold).solvent
    event(f"solvent={solvent}")
    assert satisfied(w) is solvent


# ------------------------------------------------------------ malicious provers
def test_negative_quantity_as_huge_field_element():
    w = solvent_case()
    huge = dataclasses.replace(w.portfolio, quantities=((R + 1) // 2, *w.portfolio.quantities[1:]))
    assert not satisfied(dataclasses.replace(w, portfolio=huge))


def test_overflowing_product_is_refused():
    # q = L^-1 * (a large credit) mod r would make q * L a large gain; q itself is out of range.
    w = solvent_case()
    loss = w.statement.parameters.unit_loss[0][0] % R
    q = (-(10**15) * pow(loss, -1, R)) % R
    assert not satisfied(
        dataclasses.replace(w, portfolio=dataclasses.replace(w.portfolio, quantities=(q, *w.portfolio.quantities[1:])))
    )


def test_short_position_cannot_pose_as_long():
    # Flip the proven sign bit of the short call to dodge the short-option minimum.
    tamper = replace_hint("quantity[0]/signed56/to_bits57/bits", lambda v: v[:-1] + [1 - v[-1]])
    assert not satisfied(solvent_case(), tamper) and tamper.seen
    tamper = replace_hint("quantity[0]/product", lambda v: [0])  # or zero its short part
    assert not satisfied(solvent_case(), tamper) and tamper.seen


def test_wrong_commitment_is_refused():
    def claim_other_commitment(r1cs, values):
        values[r1cs.wire_names.index("commitment")] += 1

    assert not satisfied(solvent_case(), edit_witness=claim_other_commitment)


def test_stale_or_edited_parameters_do_not_match_the_digest():
    w = solvent_case()
    digest = w.statement.public["parameters_digest"]  # the published digest stays the real one
    params = w.statement.parameters
    kinder = dataclasses.replace(params, unit_loss=((0, 0, 0, 0), *params.unit_loss[1:]))
    assert not satisfied(
        claiming(honest(kinder, w.portfolio.quantities, w.portfolio.amounts), parameters_digest=digest)
    )
    stale = honest(params, w.portfolio.quantities, w.portfolio.amounts, epoch=EPOCH - 3600)  # an old epoch
    assert not satisfied(claiming(stale, parameters_digest=digest))


@pytest.mark.parametrize("threshold", [0, 1, 9_999, 1 << 20, R - 1, R - 10_000])
def test_threshold_outside_its_range_cannot_be_proven(threshold):
    """Even for a solvent book: a proof at threshold 0 or r - 1 would mean nothing to snarkjs or a contract."""
    w = claiming(solvent_case(), threshold=threshold)
    assert not satisfied(w)
    for label in ("threshold_range/above_lo/to_bits20/bits", "threshold_range/below_hi/to_bits20/bits"):
        offset = (threshold - 10_000) % R  # a malicious prover's best bits: the true low bits of each distance
        tamper = replace_hint(label, lambda v, o=offset: [(o >> k) & 1 for k in range(len(v))])
        assert not satisfied(w, tamper)


@pytest.mark.parametrize("epoch", [1 << 36, R - 1])
def test_epoch_outside_its_range_cannot_be_proven(epoch):
    assert not satisfied(claiming(solvent_case(), epoch=epoch))


def test_threshold_range_edges_are_provable():
    params = parameters()
    for threshold in (10_000, (1 << 20) - 1):
        w = honest(params, [0, 0, 10**6], [10**15, 10**6], threshold)
        assert evaluate(params, w.portfolio, threshold).solvent and satisfied(w)


@pytest.mark.parametrize("bad_amount", [1 << 64, R - 1])
def test_collateral_amount_above_its_range(bad_amount):
    w = solvent_case()
    assert not satisfied(dataclasses.replace(w, portfolio=dataclasses.replace(w.portfolio, amounts=(bad_amount, 0))))


def test_insolvent_book_cannot_claim_solvency():
    params = parameters()
    w = honest(params, [-(10**9), 0, 0], [0, 0])  # a naked short, no collateral
    assert not evaluate(params, w.portfolio).solvent
    assert not satisfied(w)
    for label in (
        "available>=0/to_bits170/bits",
        "group[0]/scenario[0]/to_bits125/bits",
        "group[0]/scenario[1]/to_bits125/bits",
        "requirement/to_bits170/bits",
    ):
        tamper = replace_hint(label, lambda v: [0] * len(v))  # claim every difference is 0
        assert not satisfied(w, tamper) and tamper.seen, label


def test_available_cannot_be_inflated_through_a_product():
    tamper = replace_hint("sums/product", lambda v: [(v[0] + 10**20) % R])
    assert not satisfied(solvent_case(), tamper) and tamper.seen


# ------------------------------------------------------------ statements
def statement():
    return solvent_case().statement


def test_statement_round_trips_and_matches_public_inputs():
    s = statement()
    back = Statement.from_json(s.to_json())
    assert back == s and back.public == s.public
    back.check_public_inputs(solvent_case().statement.public_inputs())


def test_edited_statement_is_caught():
    raw = statement().to_json()
    raw["parameters"]["unit_loss"][0][0] = "0"
    with pytest.raises(FormatError, match="parameters_digest does not match"):
        Statement.from_json(raw)
    edited = Statement.from_json(_recomputed(raw))  # an editor who also recomputes the digest...
    with pytest.raises(FormatError, match="parameters digest does not match"):  # ...still fails against the proof
        edited.check_public_inputs(solvent_case().statement.public_inputs())


def _recomputed(raw: dict) -> dict:
    """raw with its parameters_digest recomputed from its (edited) parameters."""
    params = MarginParameters.from_json(raw["parameters"], MarginCapacity(**raw["capacity"]), "p")
    return {**raw, "parameters_digest": str(params.digest(int(raw["epoch"])))}


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            lambda s: s["parameters"]["unit_loss"][0].__setitem__(0, str(1 << 64)),
            "unit_loss\\[0\\]\\[0\\]: expected a whole number",
        ),
        (
            lambda s: s["parameters"]["collateral_value"].__setitem__(0, "-1"),
            "collateral_value\\[0\\]: expected a whole number",
        ),
        (lambda s: s["parameters"]["contingency"].__setitem__(0, "--5"), "contingency\\[0\\]: expected a whole number"),
        (
            lambda s: s["parameters"]["contingency"].__setitem__(0, "9" * 5000),
            "contingency\\[0\\]: expected a whole number",
        ),
        (lambda s: s.update(threshold="5000"), "threshold: expected a whole number from 10000 to 1048575"),
        (lambda s: s.update(threshold=str(1 << 20)), "from 10000 to 1048575"),
        (lambda s: s["capacity"].update(positions=4), "expected a list of 4 entries"),
        (lambda s: s["capacity"].update(positions=1024, scenarios=1024, collateral=1024), "over 16384"),
        (lambda s: s.update(format=1), "format"),
        (lambda s: s.update(circuit="other"), "unknown statement 'other'"),
        (lambda s: s.update(protocol="plonk"), "protocol 'plonk'"),
        (lambda s: s.update(account="alice"), "unknown field 'account'"),
        (lambda s: s["parameters"].update(short_option_minimum=["0"] * 3), "unknown field 'short_option_minimum'"),
        (lambda s: s.pop("threshold"), "missing field 'threshold'"),
        (lambda s: s.update(timestamp="2030-01-01T00:00:00Z"), "is not the epoch's"),
        (lambda s: s.update(key_fingerprint=["x"]), "key_fingerprint"),
    ],
)
def test_statement_is_read_strictly(mutate, message):
    raw = copy.deepcopy(statement().to_json())
    mutate(raw)
    with pytest.raises(FormatError, match=message):
        Statement.from_json(raw)


def test_the_short_option_floor_cannot_be_skipped():
    """A short option whose scan loss is small but whose minimum exceeds the collateral: only
    the floor check makes the book insolvent, and no hint can satisfy it."""
    p = dataclasses.replace(
        parameters(),
        unit_loss=((1, 1, 1, 1), (0, 0, 0, 0), (0, 0, 0, 0)),
        unit_value=(0, 0, 0),
        short_option_min=(10**6, 0, 0),
        contingency=(0, 0, 0),
    )
    w = honest(p, [-(10**6), 0, 0], [10**6 // 2, 0])  # minimum 10^12 at scale^2, collateral 0.49 x 10^12
    result = evaluate(p, w.portfolio)
    assert result.floor_binds and not result.solvent and result.scan <= result.available
    assert not satisfied(w)
    floor = replace_hint("group[0]/floor/to_bits125/bits", lambda v: [0] * len(v))
    assert not satisfied(w, floor) and floor.seen
    assert not satisfied(w, replace_hint("group[0]/margin", lambda v: [max(result.groups[0].losses) % R]))
    enough = honest(p, [-(10**6), 0, 0], [2 * 10**6, 0])
    assert evaluate(p, enough.portfolio).solvent and satisfied(enough)


# ------------------------------------------------------------ risk groups (issue 13)
CAP2 = MarginCapacity(positions=4, collateral=2, scenarios=4, groups=2)


def two_groups(seed: int = 1) -> MarginParameters:
    rng = random.Random(seed)
    big = 10**12
    return MarginParameters(
        scale=10**6,
        margin_level="initial",
        groups=("ETH", "BTC"),
        instruments=("ETH-C", "ETH-PERP", "BTC-PERP", ""),
        scenarios=("up", "down", "up vol", "down vol"),
        collateral_assets=("ETH", "USDC"),
        unit_value=(rng.randrange(big), 0, 0, 0),
        unit_loss=tuple(tuple(rng.randrange(-big, big) for _ in range(4)) for _ in range(3)) + ((0, 0, 0, 0),),
        short_option_min=(rng.randrange(big // 100), 0, 0, 0),
        contingency=(0, rng.randrange(big // 100), rng.randrange(big // 100), 0),
        collateral_value=(rng.randrange(big), 980_000),
        collateral_loss=(tuple(rng.randrange(-big, big) for _ in range(4)), (0,) * 4),
    )


def satisfied2(witness: MarginWitness, tamper=None) -> bool:
    api = ConstraintSystem(tamper=tamper)
    build_margin_circuit(api, CAP2, witness)
    return api.compile().first_unsatisfied(api.witness()) is None


@given(
    q=st.lists(quantity, min_size=4, max_size=4),
    a=st.lists(amount, min_size=2, max_size=2),
    seed=st.integers(0, 50),
)
@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_two_group_circuit_agrees_with_calculator(q, a, seed):
    q[3] = 0  # the padding slot
    w = honest(two_groups(seed), q, a)
    result = evaluate(w.statement.parameters, w.portfolio)
    assert [g.name for g in result.groups] == ["ETH", "BTC"]
    assert result.requirement == sum(g.margin for g in result.groups) + result.contingency_addon + result.rounding
    event(f"solvent={result.solvent}")
    assert satisfied2(w) is result.solvent


def hedged_across_groups():
    """Long ETH perp against short BTC perp with the same per-unit losses (both prices move
    together in every scenario): the book nets to 0 only if the groups net. Collateral
    (1.47 x 10^12 at scale^2) covers one side's worst loss but not both."""
    p = dataclasses.replace(
        two_groups(),
        unit_value=(0, 0, 0, 0),
        unit_loss=((0,) * 4, (10**6, -(10**6), 10**6, -(10**6)), (10**6, -(10**6), 10**6, -(10**6)), (0,) * 4),
        short_option_min=(0, 0, 0, 0),
        contingency=(0, 0, 0, 0),
        collateral_value=(980_000, 980_000),
        collateral_loss=((0,) * 4, (0,) * 4),
    )
    return p, honest(p, [0, 10**6, -(10**6), 0], [15 * 10**5, 0])


def test_groups_do_not_net_against_each_other():
    p, w = hedged_across_groups()
    result = evaluate(p, w.portfolio)
    assert all(x == 0 for x in result.scenario_loss)  # perfectly hedged if the groups were one
    assert [g.margin for g in result.groups] == [10**12, 10**12]  # each side alone
    assert not result.solvent and not satisfied2(w)
    assert satisfied2(honest(p, [0, 10**6, -(10**6), 0], [3 * 10**6, 0]))


def test_a_group_maximum_below_a_scenario_fails():
    """The prover claims M_ETH = the cross-group netted 0 (or anything below its worst loss)."""
    p, w = hedged_across_groups()
    for claimed in (0, 10**12 - 1):
        tamper = replace_hint("group[0]/margin", lambda v, c=claimed: [c])
        assert not satisfied2(w, tamper) and tamper.seen
    rich = honest(p, [0, 10**6, -(10**6), 0], [10**8, 0])
    assert satisfied2(rich, replace_hint("group[0]/margin", lambda v: [10**13]))  # overstating only costs
    assert not satisfied2(rich, replace_hint("group[0]/margin", lambda v: [10**12 - 1]))
