"""The portfolio-margin circuit: the calculator's inequality, proven for a committed portfolio.

Public inputs: commitment, parameters digest, epoch, threshold (see verifier/statement.py).
Private inputs: the parameters (bound to the public digest, whose ranges the verifier
checks), the account, quantities, collateral amounts and the salt.

Bounds that keep every value far from wrapping modulo r (the verifier checks the public
ones, the circuit the private ones): |q| <= 2^64, amounts < 2^64, |parameters| < 2^64,
at most 2^10 slots, threshold < 2^20. So every product is below 2^128, every sum below
2^140, and every checked difference below 2^162 < 2^170 = CHECK_BITS: a negative
difference is a field element above r - 2^162 and fails the CHECK_BITS range check.

For every scenario s: available * 10^4 - threshold * need[s] is proven in [0, 2^170), and
available itself >= 0. No maximum and no worst-scenario index is ever supplied.
"""

from __future__ import annotations

from dataclasses import dataclass

from zkmargin.verifier.statement import PARAMETER_BITS, TAG_PARAMETERS, TAG_PORTFOLIO, THRESHOLD_SCALE, Capacity, PublicParameters, label_field

from ..builder import ConstraintSystem, LinearCombination, linear_sum
from ..gadgets import assert_in_range, assert_signed_in_range, poseidon_sponge
from .calculator import FixedPortfolio

QUANTITY_BITS = PARAMETER_BITS  # |q| <= 2^64 (offset encoding), amounts < 2^64
CHECK_BITS = 170


@dataclass(frozen=True)
class MarginWitness:
    parameters: PublicParameters
    portfolio: FixedPortfolio
    epoch: int
    threshold: int = THRESHOLD_SCALE

    def public_inputs(self) -> list[int]:
        return [self.portfolio.commitment(), self.parameters.digest(self.epoch), self.epoch, self.threshold]


def build_margin_circuit(api: ConstraintSystem, capacity: Capacity, witness: MarginWitness | None = None) -> None:
    n, c, s_count = capacity.positions, capacity.collateral, capacity.scenarios
    w = witness
    p = w.parameters if w else None
    public = w.public_inputs() if w else [None] * 4
    if w and p.capacity != capacity:
        raise ValueError(f"parameters are padded to {p.capacity.label()}, the circuit is {capacity.label()}")

    # ---- public inputs
    commitment = api.public_input("commitment", public[0])
    digest = api.public_input("parameters_digest", public[1])
    epoch = api.public_input("epoch", public[2])
    threshold = api.public_input("threshold", public[3])

    # ---- public parameters, as private wires bound to the digest
    def param(name: str, value):
        return api.private_input(name, value if w else None)

    scale = param("scale", p.scale if p else None)
    labels = [param(f"label[{k}]", label_field(x) if p else None) for k, x in enumerate((p.instruments + p.scenarios + p.collateral_assets) if p else [None] * (n + s_count + c))]
    unit_value = [param(f"unit_value[{i}]", p.unit_value[i] if p else None) for i in range(n)]
    unit_loss = [[param(f"unit_loss[{i}][{s}]", p.unit_loss[i][s] if p else None) for s in range(s_count)] for i in range(n)]
    short_min = [param(f"short_option_min[{i}]", p.short_option_min[i] if p else None) for i in range(n)]
    contingency = [param(f"contingency[{i}]", p.contingency[i] if p else None) for i in range(n)]
    collateral_value = [param(f"collateral_value[{j}]", p.collateral_value[j] if p else None) for j in range(c)]

    with api.scope("parameters_digest"):
        hashed = [TAG_PARAMETERS, n, c, s_count, scale, epoch, *labels, *unit_value]
        hashed += [x for row in unit_loss for x in row] + short_min + contingency + collateral_value
        api.assert_equal(poseidon_sponge(api, hashed), digest)

    # ---- the private portfolio
    f = w.portfolio if w else None
    account = api.private_input("account", f.account if f else None)
    quantity = [api.private_input(f"quantity[{i}]", f.quantities[i] if f else None) for i in range(n)]
    amount = [api.private_input(f"amount[{j}]", f.amounts[j] if f else None) for j in range(c)]
    salt = api.private_input("salt", f.salt if f else None)

    with api.scope("portfolio_commitment"):
        api.assert_equal(poseidon_sponge(api, [TAG_PORTFOLIO, account, *quantity, *amount, salt]), commitment)

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
        collateral = linear_sum(api.mul(amount[j], collateral_value[j]) for j in range(c))
        position_value = linear_sum(api.mul(quantity[i], unit_value[i]) for i in range(n))
        rounding = linear_sum(short_part)
        addons = linear_sum(api.mul(short_part[i], short_min[i]) + api.mul(magnitude[i], contingency[i]) for i in range(n))
        available: LinearCombination = collateral + position_value - rounding

    with api.scope("available>=0"):
        assert_in_range(api, available, CHECK_BITS)
    for s in range(s_count):
        with api.scope(f"scenario[{s}]"):
            loss = linear_sum(api.mul(quantity[i], unit_loss[i][s]) for i in range(n))
            need = loss + addons + rounding
            assert_in_range(api, available * THRESHOLD_SCALE - api.mul(threshold, need), CHECK_BITS)
