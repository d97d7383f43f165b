"""The batch circuit: honest batches hold, and each malicious witness the issue lists fails.

Small shape (3 positions, 2 collateral assets, 4 scenarios, B = 4) so the builder runs in
seconds; the witness values are resealed after each edit (``seal``), so the public hash is
consistent and only the constraint under attack can fail."""

from __future__ import annotations

from dataclasses import replace

import pytest

from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.exchange.batch import (
    BatchShape,
    build_batch_circuit,
    contribution,
    make_witness,
    preimage,
    seal,
    shortfall_of,
    total_names,
    totals_after,
)
from zkmargin.circuits.margin.calculator import ScaledPortfolio, account_field, evaluate
from zkmargin.verifier.exchange.manifest import PREIMAGE, Batch, Manifest, account_id, totals_commitment
from zkmargin.verifier.poseidon import poseidon_sponge

from helpers import holds, replace_hint
from test_margin_circuit import CAP, EPOCH, parameters

SHAPE = BatchShape(CAP, 4)
PARAMS = parameters()
NAMES = sorted((f"user-{i}" for i in range(3)), key=account_id)
HOLDINGS = [((10**6, 0, 2 * 10**6), (10**12, 10**6)),  # comfortably covered
            ((-5 * 10**6, 3 * 10**6, 0), (10, 0)),  # under-margined: a shortfall
            ((0, -10**6, 0), (0, 0))]  # short with no collateral: negative equity


def accounts(names=NAMES, holdings=HOLDINGS):
    return [ScaledPortfolio(account_field(n), q, a, 1000 + i) for i, (n, (q, a)) in enumerate(zip(names, holdings))]


def witness(**edits):
    zeros = [0] * len(total_names(CAP))
    w = make_witness(PARAMS, EPOCH, 12_500, 77, SHAPE, 3, accounts(), zeros, 0, 555)
    return seal(replace(w, **edits)) if edits else w


def satisfied(w, tamper=None) -> bool:
    return holds(lambda api: build_batch_circuit(api, SHAPE, w), tamper)


def with_slot(w, k, **edits):
    slots = list(w.slots)
    slots[k] = replace(slots[k], **edits)
    return seal(replace(w, slots=tuple(slots)))


def test_an_honest_batch_holds_and_the_native_values_match_the_manifest():
    w = witness()
    assert satisfied(w)
    shortfalls = [s.shortfall for s in w.slots]
    assert shortfalls[0] == 0 and shortfalls[1] > 0 and shortfalls[2] > 0 and shortfalls[3] == 0
    assert evaluate(PARAMS, accounts()[2], 12_500).available < 0  # the negative-equity account is counted
    after = totals_after(w)
    names = total_names(CAP)
    assert after[names.index("accounts")] == 3 and after[names.index("shortfall_accounts")] == 2
    assert after[names.index("shortfall_sum")] == shortfalls[1] + shortfalls[2]
    assert after[names.index("requirement")] == sum(evaluate(PARAMS, a, 12_500).requirement for a in accounts())
    values = preimage(w)
    batch = Batch(SHAPE.tier, values["first_id"], values["last_id"], 3, values["subtree_root"],
                  w.commitment_before, w.commitment_after, w.batch_hash, "00" * 32)
    m = Manifest(EPOCH, 77, PARAMS.digest(EPOCH), 12_500, {SHAPE.tier: "00" * 32}, (batch,), 0, names,
                 tuple(after), 555)
    assert batch.preimage(m, 3) == [values[k] for k in PREIMAGE]
    assert poseidon_sponge(batch.preimage(m, 3)) == w.batch_hash
    assert values["first_id"] == account_id(NAMES[0]) and values["last_id"] == account_id(NAMES[2])
    assert w.commitment_after == totals_commitment(after, 555)


def test_constraints_per_account_are_reported():
    def size(b: int) -> int:
        api = ConstraintSystem()
        build_batch_circuit(api, BatchShape(CAP, b))
        return api.n_constraints

    one, two, four = size(1), size(2), size(4)
    per_account = (four - two) // 2
    assert (two - one) - 240 <= per_account <= (two - one) + 240  # the subtree's extra level aside
    assert 1000 < per_account < 10_000, per_account


def test_a_shortfall_below_the_deficit_fails():
    w = witness()
    assert not satisfied(with_slot(w, 1, shortfall=w.slots[1].shortfall - 1))


def test_a_hidden_negative_equity_account_fails():
    w = witness()
    assert not satisfied(with_slot(w, 2, shortfall=0))  # shown without its deficit
    assert not satisfied(with_slot(w, 2, active=0))  # made a padding slot, its positions kept


def test_the_shortfall_flag_is_proven_not_chosen():
    w = witness()
    assert not satisfied(w, replace_hint("slot[1]/has_shortfall/flag", lambda v: [0]))  # a shortfall not counted
    assert not satisfied(w, replace_hint("slot[0]/has_shortfall/flag", lambda v: [1]))  # a covered one counted
    assert not satisfied(w, replace_hint("slot[1]/has_shortfall/flag", lambda v: [2]))  # not boolean
    assert satisfied(w, replace_hint("slot[1]/has_shortfall/flag", lambda v: v))


def test_identifiers_equal_or_decreasing_fail():
    w = witness()
    assert not satisfied(with_slot(w, 1, ident=w.slots[0].ident))  # a duplicate
    swapped = list(w.slots)
    swapped[0], swapped[1] = swapped[1], swapped[0]
    assert not satisfied(seal(replace(w, slots=tuple(swapped))))
    assert not satisfied(with_slot(w, 0, ident=(1 << 248) + 1))  # wider than identifiers


def test_padding_is_zero_and_contributes_nothing():
    w = witness()
    assert not satisfied(with_slot(w, 3, quantities=(1, 0, 0)))  # padding holding a position
    assert not satisfied(with_slot(w, 3, amounts=(5, 0)))
    assert not satisfied(with_slot(w, 3, shortfall=1))  # padding adding to the shortfall
    assert not satisfied(with_slot(w, 3, active=2))  # not boolean
    gap = with_slot(with_slot(w, 2, active=0, quantities=(0, 0, 0), amounts=(0, 0), shortfall=0), 3,
                    active=1, ident=w.slots[2].ident, low=w.slots[2].low, quantities=w.slots[2].quantities,
                    shortfall=w.slots[2].shortfall)
    assert not satisfied(gap)  # a real account after padding: active bits not a prefix
    assert contribution(PARAMS, w.slots[3], 12_500) == [0] * len(total_names(CAP))


def test_totals_after_must_be_totals_before_plus_the_batch_sums():
    w = witness()
    wrong = totals_after(w)
    wrong[total_names(CAP).index("shortfall_sum")] -= 1
    assert not satisfied(seal(w, after=wrong))
    other = seal(replace(w, totals_before=(5, *w.totals_before[1:])))
    forged = replace(other, commitment_before=w.commitment_before)  # T_before opened to other totals
    assert not satisfied(replace(forged, batch_hash=poseidon_sponge([preimage(forged)[k] for k in PREIMAGE])))
    assert satisfied(witness(totals_before=tuple(range(len(total_names(CAP))))))  # any chained prefix


def test_a_wrong_subtree_root_or_public_field_fails():
    w = witness()
    values = preimage(w)
    for field in ("subtree_root", "first_id", "last_id", "accounts", "parameters_digest", "index"):
        bad = [values[k] + (k == field) for k in PREIMAGE]
        assert not satisfied(replace(w, batch_hash=poseidon_sponge(bad))), field


@pytest.mark.parametrize("threshold, epoch", [(9_999, EPOCH), (1 << 20, EPOCH), (12_500, 1 << 36)])
def test_epoch_and_threshold_are_proven_in_range(threshold, epoch):
    w = witness(threshold=threshold, epoch=epoch)
    assert not satisfied(w)


def test_the_least_shortfall_is_exactly_the_deficit():
    a = accounts()[1]
    s = shortfall_of(PARAMS, a, 12_500)
    r = evaluate(PARAMS, a, 12_500)
    assert (r.available + s) * 10_000 >= 12_500 * r.requirement > (r.available + s - 1) * 10_000
