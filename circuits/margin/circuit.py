"""The portfolio-margin circuit: the calculator's inequality, proven for a committed portfolio.

Public inputs, as declared in verifier/kinds.py: commitment, parameters digest, epoch and
threshold, the last two proven in range here. Private inputs: the parameters (wires bound to
the public digest; the verifier checks the published numbers' ranges), the account,
quantities, collateral amounts and the salt.

Bounds that keep every value far from wrapping modulo r: |q| <= 2^56 and amounts < 2^56
(proven here), |parameters| < 2^56 (verifier, through the digest), at most 2^10 slots,
threshold < 2^20 (proven here). So every product is below 2^112 and every sum of them below
2^122 (docs/architecture.md, "Why nothing can wrap", has the real ranges behind 2^56).

Per risk group g (position slots are group-major), a prover-chosen M_g is proven at least
the group's loss L_g(s) in every scenario s and at least its short-option floor (group_margin);
then available * 10^4 - threshold * requirement is proven in [0, 2^170), and available
itself >= 0 (the generous 2^170 leaves an exchange batch's shortfall wire room). So
available * 10^4 >= threshold * (sum_g max(max_s L_g(s), floor_g) + contingency + rounding):
groups do not net against each other, and the floor is a maximum, not added (SPAN, OCC/FINRA).
M_g is bounded only from below, so its freedom only hurts the prover; no maximum and no
worst-scenario index is ever trusted.
|M_g| < 2^126, so sum_g M_g < 2^136, the requirement (with its add-ons) below 2^137,
threshold x requirement < 2^157, and a negative final difference is a field element above
r - 2^158: it fails 2^170, as a negative available does.
"""

from __future__ import annotations

from dataclasses import dataclass

from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.kinds import (
    PARAMETER_BITS,
    PORTFOLIO_MARGIN,
    TAG_PORTFOLIO,
    THRESHOLD_SCALE,
    MarginCapacity,
    MarginParameters,
)
from zkmargin.verifier.statement import Statement

from ..builder import ConstraintSystem, LinearCombination, linear_sum
from ..declared import parameter_wires, parameters_digest, public_inputs
from ..gadgets import FLOOR, assert_in_range, assert_signed_in_range, divide, poseidon_sponge
from .calculator import ScaledPortfolio

QUANTITY_BITS = PARAMETER_BITS  # |q| <= 2^56 (offset encoding), amounts < 2^56
CHECK_BITS = 170  # available (+ an exchange batch's shortfall) and the final difference: see the module docstring
GROUP_BITS = 125  # M_g - L_g(s) and M_g - floor_g: see group_margin; tau_g, e_gt: see expected_shortfall
SHORTFALL_BITS = 138  # k (M_g - tau_g) - sum_t e_gt: see expected_shortfall
TIER_BITS = 113  # X and X - (c x - d) of a size-tiered function: see above_lines
SIDE_BITS = 124  # |L_g(down) - L_g(up)| < 2^124: see offset_credit


@dataclass(frozen=True)
class AccountTerms:
    """What an exchange batch sums over its accounts (linear combinations, no extra rows):
    the requirement and available proven above, and the account's loss per scenario summed
    over its groups, for the exchange-wide stress profile."""

    requirement: LinearCombination
    available: LinearCombination
    scenario_loss: list[LinearCombination]


@dataclass(frozen=True)
class MarginWitness:
    """The statement (public inputs and parameters) and the private portfolio that opens its commitment."""

    statement: Statement
    portfolio: ScaledPortfolio


def margin_statement(
    parameters: MarginParameters, portfolio: ScaledPortfolio, epoch: int, threshold: int = THRESHOLD_SCALE
) -> Statement:
    return Statement(
        PORTFOLIO_MARGIN, {"commitment": portfolio.commitment(), "epoch": epoch, "threshold": threshold}, parameters
    )


def build_margin_circuit(api: ConstraintSystem, capacity: MarginCapacity, witness: MarginWitness | None = None) -> None:
    n, c = capacity.positions, capacity.collateral
    statement = witness.statement if witness else None
    if statement and statement.parameters.capacity != capacity:
        raise ValueError(
            f"parameters are padded to {statement.parameters.capacity.label()}, the circuit is {capacity.label()}"
        )

    # ---- public inputs, each proven in its declared range (10^4 <= threshold < 2^20, epoch < 2^36)
    public = public_inputs(api, PORTFOLIO_MARGIN, statement)
    threshold = public["threshold"]

    # ---- public parameters, as private wires bound to the digest
    params = parameter_wires(api, MarginParameters, capacity, statement.parameters if statement else None)
    with api.scope("parameters_digest"):
        api.assert_equal(
            parameters_digest(api, MarginParameters, capacity, params, public["epoch"]), public["parameters_digest"]
        )

    # ---- the private portfolio
    portfolio = witness.portfolio if witness else None
    account = api.private_input("account", portfolio.account if portfolio else None)
    quantity = [api.private_input(f"quantity[{i}]", portfolio.quantities[i] if portfolio else None) for i in range(n)]
    amount = [api.private_input(f"amount[{j}]", portfolio.amounts[j] if portfolio else None) for j in range(c)]
    salt = api.private_input("salt", portfolio.salt if portfolio else None)

    with api.scope("portfolio_commitment"):
        api.assert_equal(poseidon_sponge(api, [TAG_PORTFOLIO, account, *quantity, *amount, salt]), public["commitment"])

    account_covers(api, params, capacity, quantity, amount, threshold, shortfall=0)


def account_covers(
    api: ConstraintSystem,
    params,
    capacity: MarginCapacity,
    quantity: list,
    amount: list,
    threshold: LinearCombination,
    shortfall: LinearCombination | int = 0,
) -> AccountTerms:
    """The per-account part: given the shared parameter wires and one account's quantities and
    amounts, prove (available + shortfall) * 10^4 >= threshold * requirement and
    available + shortfall >= 0. The single-portfolio statement passes shortfall = 0; an
    exchange batch calls this once per account with a range-checked shortfall wire of its own
    (and sums the shortfalls), sharing one set of parameter wires and one digest."""
    n, c = capacity.positions, capacity.collateral
    # ---- signs, from proven bits: short part neg_i = max(-q_i, 0), |q_i| = q_i + 2 neg_i
    short_part, magnitude = [], []
    for i in range(n):
        with api.scope(f"quantity[{i}]"):
            is_long = assert_signed_in_range(api, quantity[i], QUANTITY_BITS)
            neg = api.mul(1 - is_long, -quantity[i])
        short_part.append(neg)
        magnitude.append(quantity[i] + 2 * neg)
    for j in range(c):
        with api.scope(f"amount[{j}]"):
            assert_in_range(api, amount[j], QUANTITY_BITS)

    # ---- the calculator's sums
    with api.scope("sums"):
        collateral = linear_sum(api.mul(amount[j], params.collateral_value[j]) for j in range(c))
        position_value = linear_sum(api.mul(quantity[i], params.unit_value[i]) for i in range(n))
        rounding = linear_sum(short_part)
        contingency = linear_sum(api.mul(magnitude[i], params.contingency[i]) for i in range(n))
        deduction = concentration = LinearCombination()
        if capacity.tiers:  # size tiers: value above the bands and concentration, each bounded below by its lines
            deduction = linear_sum(
                above_lines(api, amount[j], params.collateral_tier_slope[j], params.collateral_tier_offset[j],
                            f"tiered_collateral[{j}]") for j in range(c)
            )
            concentration = linear_sum(
                above_lines(api, magnitude[i], params.concentration_slope[i], params.concentration_offset[i],
                            f"concentration[{i}]") for i in range(n)
            )
        available: LinearCombination = collateral - deduction + position_value - rounding + shortfall

    with api.scope("available>=0"):
        assert_in_range(api, available, CHECK_BITS)
    groups = [group_margin(api, params, quantity, amount, short_part, g, capacity) for g in range(capacity.groups)]
    with api.scope("requirement"):  # threshold * (sum_g M_g + contingency + rounding) <= available * 10^4
        credit = linear_sum(
            offset_credit(api, params.offset_rate[p], groups[2 * p], groups[2 * p + 1], f"offset[{p}]")
            for p in range(capacity.pairs)
        )
        requirement = linear_sum(margin for margin, _ in groups) - credit + contingency + concentration + rounding
        assert_in_range(api, available * THRESHOLD_SCALE - api.mul(threshold, requirement), CHECK_BITS)
    scenario_loss = [linear_sum(losses[s] for _, losses in groups) for s in range(capacity.scenarios)]
    return AccountTerms(requirement, available, scenario_loss)


def above_lines(api: ConstraintSystem, x, slope: list, offset: list, name: str) -> LinearCombination:
    """X >= 0 and X >= c_k x - d_k for every line k: X >= max(0, max_k (c_k x - d_k)), a convex
    piecewise-linear function of x given as the maximum of its lines, bounded without a tier index.

    Two uses. A concentration add-on A_i (x = |q_i|; rates rise by size) is added to the
    requirement. A size-tiered collateral value (ratios fall by size: concave, the minimum of
    lines) is written base value x amount - D_j with D_j such a maximum: value <= every line.
    Either way X raises the requirement or lowers what is available, so a prover gains nothing
    by choosing X above the maximum and cannot choose it below any line. This is the fix for
    the unconstrained tier index of Binance's proof of reserves, where the prover picked the
    tier (and so the ratio) of each asset.

    Ranges: 0 <= x <= 2^56 (proven above), 0 <= c_k < 2^56 and 0 <= d_k < 2^100 (verifier), so
    |c_k x - d_k| < 2^112; the honest X = max(0, lines) < 2^112 and X - (c_k x - d_k) <= X + d_k
    < 2^113, and an X below a line makes X - line a field element above r - 2^113: it fails the
    113-bit check, as a negative X fails its own."""
    with api.scope(name):
        lines = [api.mul(x, c) - d for c, d in zip(slope, offset)]
        (top,) = api.hint(
            lambda *v: max(_signed(u) for u in v) % CURVE_ORDER, 0, *lines, name="bound", kind="maximum"
        )
        assert_in_range(api, top, TIER_BITS)  # X >= 0
        for k, line in enumerate(lines):
            with api.scope(f"line[{k}]"):
                assert_in_range(api, top - line, TIER_BITS)  # X >= c_k x - d_k
    return top


def offset_credit(api: ConstraintSystem, rate, first: tuple, second: tuple, name: str) -> LinearCombination:
    """SPAN-style inter-commodity credit between two groups at a published rate rho = rate / 10^4
    <= 1, only when the groups are on opposite sides:

        credit <= floor(rate x o x c / 10^4),  c <= M_g,  c <= M_h,  o = [side_g != side_h],
        credit <= M_g + M_h - (L_g(s) + L_h(s)) for every scenario s,  credit >= 0

    side_g = [L_g(down) - L_g(up) >= 0], from the group's losses in scenario slots 1 (the
    model's largest down move) and 0 (largest up): a group that loses more when prices fall is
    long. The losses are linear in the committed quantities, not hints, so the direction is
    proven. c is the prover's, bounded above by both margins, so credit <= rho min(M_g, M_h);
    divide proves credit = floor(rate o c / 10^4) >= 0, and a negative c (o = 1, rate > 0) makes
    rate o c a field element no quotient below 2^127 reaches: it fails.

    The M's themselves are bounded only from below: could a prover inflate M_g by delta to
    earn credit? The requirement rises by delta and the credit by at most rho delta, a net
    (1 - rho) delta >= 0 as rho <= 1 (the verifier checks rate <= 10^4): inflating never pays.

    Ranges: |L| < 2^123, so |L(down) - L(up)| < 2^124 (SIDE_BITS, signed); 0 <= M < 2^126,
    so M - c in [0, 2^126) for the honest c = min(M_g, M_h), and rate o c < 2^14 x 2^126."""
    (margin_g, losses_g), (margin_h, losses_h) = first, second
    with api.scope(name):
        with api.scope("side_first"):
            long_g = assert_signed_in_range(api, losses_g[1] - losses_g[0], SIDE_BITS)
        with api.scope("side_second"):
            long_h = assert_signed_in_range(api, losses_h[1] - losses_h[0], SIDE_BITS)
        opposite = long_g + long_h - 2 * api.mul(long_g, long_h)  # exclusive or of two proven bits
        (neg,) = api.hint(  # -min(M_g, M_h): the honest c, negated
            lambda *v: max(_signed(u) for u in v) % CURVE_ORDER, -margin_g, -margin_h, name="common", kind="maximum"
        )
        common = -neg
        with api.scope("common<=first"):
            assert_in_range(api, margin_g - common, GROUP_BITS + 1)
        with api.scope("common<=second"):
            assert_in_range(api, margin_h - common, GROUP_BITS + 1)
        quota = divide(api, api.mul(rate, api.mul(opposite, common)), THRESHOLD_SCALE, GROUP_BITS + 2, FLOOR)
        # The pair never pays less than it loses together: credit <= M_g + M_h - (L_g(s) + L_h(s))
        # in every scenario s (a group that loses both ways, paired with one that loses one way,
        # would otherwise earn credit in the very scenario where both lose). Each room is >= 0 as
        # each M is at least its group's loss, and below 2^126 + 2^126 + 2^124 < 2^128.
        rooms = [margin_g + margin_h - loss_g - loss_h for loss_g, loss_h in zip(losses_g, losses_h)]
        (neg,) = api.hint(  # -min(quota, every room): the honest credit, negated
            lambda *v: max(_signed(u) for u in v) % CURVE_ORDER, -quota, *(-room for room in rooms),
            name="credit", kind="maximum",
        )
        credit = -neg  # the prover's, bounded above by all of them: a smaller one only costs it
        with api.scope("credit>=0"):
            assert_in_range(api, credit, GROUP_BITS + 2)
        with api.scope("credit<=quota"):
            assert_in_range(api, quota - credit, GROUP_BITS + 2)
        for s, room in enumerate(rooms):
            with api.scope(f"credit<=joint[{s}]"):
                assert_in_range(api, room - credit, GROUP_BITS + 3)
        return credit


def _signed(v: int) -> int:
    return v - CURVE_ORDER if v > CURVE_ORDER // 2 else v


def group_margin(api: ConstraintSystem, params, quantity, amount, short_part, g: int, capacity: MarginCapacity):
    """M_g and the group's losses L_g(s); M_g, the prover's choice, is proven >= L_g(s) for every
    scenario s and >= floor_g.

    Slot k of group g is slot g P + k, a constant: no membership matrix. M_g is a hint
    bounded only from below, so any choice above max(max_s L_g(s), floor_g) only raises the
    requirement: no hinted maximum or index. |L_g(s)| < (P/G + C/G) 2^112 <= 2^123 (positions
    and collateral of the group, each product below 2^112) and 0 <= floor_g < 2^122, so the
    honest gap M_g - L_g(s) < 2^124 < 2^125 = 2^GROUP_BITS, and a dishonest M_g < L_g(s)
    makes the difference a field element above r - 2^124: it fails."""
    per, cper = capacity.positions // capacity.groups, capacity.collateral // capacity.groups
    slots, cslots = range(g * per, (g + 1) * per), range(g * cper, (g + 1) * cper)
    with api.scope(f"group[{g}]"):
        floor = linear_sum(api.mul(short_part[i], params.short_option_min[i]) for i in slots)
        losses = [  # the group's positions and its collateral, stressed together
            linear_sum(api.mul(quantity[i], params.unit_loss[i][s]) for i in slots)
            + linear_sum(api.mul(amount[j], params.collateral_loss[j][s]) for j in cslots)
            for s in range(capacity.scenarios)
        ]
        if capacity.tail_scenarios:  # M_g and tau_g together: the honest M_g is max(floor, losses, ES)
            tail = [
                linear_sum(api.mul(quantity[i], params.tail_loss[i][t]) for i in slots)
                + linear_sum(api.mul(amount[j], params.tail_collateral_loss[j][t]) for j in cslots)
                for t in range(capacity.tail_scenarios)
            ]
            tau, margin = api.hint(
                _shortfall, params.tail_k, len(tail), *tail, floor, *losses, count=2, name="margin", kind="shortfall"
            )
        else:
            (margin,) = api.hint(
                lambda *v: max(_signed(x) for x in v) % CURVE_ORDER, floor, *losses, name="margin", kind="maximum"
            )
        with api.scope("floor"):
            assert_in_range(api, margin - floor, GROUP_BITS)
        for s, loss in enumerate(losses):
            with api.scope(f"scenario[{s}]"):
                assert_in_range(api, margin - loss, GROUP_BITS)
        if capacity.tail_scenarios:
            expected_shortfall(api, margin, tau, tail, params.tail_k)
    return margin, losses


def _shortfall(k: int, n: int, *values: int) -> list[int]:
    """The honest hints (tau, M): tau the k-th largest of the n tail losses (Value at Risk), and M
    the largest of the other values and ES = tau + ceil(mean excess over tau) = ceil(mean of the
    k largest). The kernel's 'shortfall' kind."""
    xs, others = [_signed(v) for v in values[:n]], [_signed(v) for v in values[n:]]
    k = min(k, n + 1)
    tau = sorted(xs, reverse=True)[min(max(k, 1), n) - 1]
    if k:  # modulo r as the kernel computes it; for losses below 2^123 this is the exact ceiling
        excess = sum(x - tau for x in xs if x > tau) % CURVE_ORDER
        others.append(_signed((tau + (excess + k - 1) % CURVE_ORDER // k) % CURVE_ORDER))
    return [tau % CURVE_ORDER, max(others) % CURVE_ORDER]


def expected_shortfall(api: ConstraintSystem, margin, tau, tail: list, k) -> None:
    """Prove M_g >= ES_g, the mean of the group's k largest tail losses T(t), without sorting
    (Rockafellar-Uryasev): for every real tau,

        ES = min over tau of  tau + (1/k) sum_t max(T(t) - tau, 0)  <=  tau + (1/k) sum_t e_t

    for any e_t >= max(T(t) - tau, 0). The prover picks tau and e_t; the circuit proves
    e_t >= 0, e_t >= T(t) - tau, and k M_g >= k tau + sum_t e_t. Whatever tau and e_t it picks,
    M_g >= tau + (1/k) sum_t e_t >= ES: a choice can only overstate (k >= 1; k = 0 means no ES
    and proves nothing here). No hinted index or sort.

    Ranges (nothing wraps): |T(t)| < 2^123 like L_g(s); tau proven in [-2^125, 2^125); e_t and
    e_t - T(t) + tau proven in [0, 2^125), the honest values max(T - tau, 0) and max(tau - T, 0)
    being below 2^124 for tau one of the T(t). M_g < 2^126 (M_g - floor_g < 2^125), k <= 2^10
    (the verifier: k <= tail scenarios <= 2^10), so k (M_g - tau) - sum e_t lies in
    (-2^138, 2^138): a negative one is a field element above r - 2^138 and fails the
    2^138 range check.
    """
    with api.scope("expected_shortfall"):
        with api.scope("tau"):
            assert_signed_in_range(api, tau, GROUP_BITS)
        excess = []
        for t, loss in enumerate(tail):
            with api.scope(f"tail[{t}]"):  # e_t = max(T(t) - tau, 0): honest; any larger e_t only costs
                (e,) = api.hint(
                    lambda *v: max(_signed(x) for x in v) % CURVE_ORDER, 0, loss - tau, name="excess", kind="maximum"
                )
                assert_in_range(api, e, GROUP_BITS)  # e_t >= 0
                assert_in_range(api, e - loss + tau, GROUP_BITS)  # e_t >= T(t) - tau
            excess.append(e)
        assert_in_range(api, api.mul(k, margin - tau) - linear_sum(excess), SHORTFALL_BITS)  # k M >= k tau + sum e
