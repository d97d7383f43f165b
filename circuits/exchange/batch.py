"""The batch statement: B accounts of an exchange's book margin-checked in one proof.

One public input, batch_hash = sponge(manifest.PREIMAGE): epoch, market hash, parameters
digest, threshold, tier, batch index, first and last identifier, account count, subtree
root, T_before, T_after. Everything else is private and proven:

- epoch < 2^36 and 10^4 <= threshold < 2^20, as the single statement's public inputs are
  (the same declarations, verifier/kinds.py), and the parameters digest is computed here
  once per batch from the parameter wires, so the hashed digest names these parameters.
- Slot k holds an active bit a_k: a_0 = 1 (a batch has an account), a_k boolean and
  a_k (1 - a_(k-1)) = 0, so the real accounts are a prefix and count = sum_k a_k in [1, B].
- Per slot: identifier id_k (248 bits), low_k (5 bits), account = 2^5 id_k + low_k < 2^253
  (the single statement's account is SHA-256's top 253 bits, the identifier its top 248:
  one decomposition binds both), quantities, amounts, salt and shortfall_k. The leaf is
  a_k * sponge(TAG_PORTFOLIO, account, q, amounts, salt): the portfolio commitment of the
  single statement for a real account, so a user's opening is today's opening, and the
  constant PADDING_LEAF = 0 for padding.
- Padding contributes nothing: (1 - a_k) x = 0 for every quantity, amount and the shortfall,
  so every linear total (collateral, long and short quantity, available, scenario losses)
  is zero for it; the requirement is multiplied by a_k (account_covers already forces it to
  0 there: 0 >= threshold x requirement >= 0).
- shortfall_k - h_k is in [0, 2^160) with h_k boolean and shortfall_k (1 - h_k) = 0: h_k = 0
  forces shortfall_k = 0, h_k = 1 forces shortfall_k >= 1, so h_k = [shortfall_k != 0]
  exactly (its hint is a select, never trusted). account_covers proves
  (available + shortfall) 10^4 >= threshold x requirement: the shortfall is at least the
  deficit, and any larger choice only overstates the exchange's exposure.
- Real identifiers rise strictly: a_k (id_k - id_(k-1) - 1) is a 248-bit number (order.py's
  argument: a non-increasing pair is a field element above r - 2^248). first = id_0 and
  last = sum_k (a_k - a_(k+1)) id_k (a_B = 0; exactly one term is 1 when a is a prefix).
- subtree_root over the B leaves; totals_after = totals_before + sums, each commitment
  proven (gadgets/totals.py). Per-account terms are bounded (quantities 2^64, shortfall
  2^160, requirement and losses below 2^152), so 2^40 accounts sum below 2^200: the chained
  totals are integers, never wrapped, and the verifier opens them as such.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Sequence

from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.exchange.epoch import EXCHANGE_BATCH
from zkmargin.verifier.exchange.manifest import PREIMAGE, ID_BITS, total_names, totals_commitment
from zkmargin.verifier.kinds import EPOCH, TAG_PORTFOLIO, THRESHOLD, THRESHOLD_SCALE, MarginCapacity
from zkmargin.verifier.kinds import MarginParameters
from zkmargin.verifier.poseidon import poseidon_sponge as native_sponge
from zkmargin.verifier.schema import label_field

from ..builder import ConstraintSystem, LinearCombination, as_lc, linear_sum
from ..declared import parameter_wires, parameters_digest
from ..gadgets import assert_between, assert_boolean, assert_in_range, assert_signed_in_range, poseidon_sponge
from ..gadgets.merkle import subtree_root
from ..gadgets.totals import chain_totals
from ..input_values import parameter_values
from ..margin.calculator import ScaledPortfolio, evaluate
from ..margin.circuit import QUANTITY_BITS, account_covers
from .tree import PADDING_LEAF
from .tree import subtree_root as native_subtree_root

(BATCH_HASH,) = EXCHANGE_BATCH.public  # the statement's one public input, declared in the verifier
SHORTFALL_BITS = 160
LOW_BITS = 5  # the committed account (253 bits) below the identifier (248 bits)


DEFAULT_BATCH_SIZE = 16  # 2^18 domain at the default capacity: see docs/architecture.md

@dataclass(frozen=True)
class BatchShape:
    capacity: MarginCapacity
    size: int  # B, a power of two

    def __post_init__(self) -> None:
        if self.size < 1 or self.size & (self.size - 1) or self.size > 1 << 12:
            raise ValueError("a batch holds a power of two accounts, at most 4096")

    @property
    def tier(self) -> str:
        """The tier's name: its capacity and batch size, e.g. 8x4x32x2-b16."""
        return f"{self.capacity.label()}-b{self.size}"


@dataclass(frozen=True)
class Slot:
    active: int
    ident: int
    low: int
    quantities: tuple[int, ...]
    amounts: tuple[int, ...]
    salt: int
    shortfall: int

    @property
    def portfolio(self) -> ScaledPortfolio:
        return ScaledPortfolio(self.ident * (1 << LOW_BITS) + self.low, self.quantities, self.amounts, self.salt)


@dataclass(frozen=True)
class BatchWitness:
    """Everything the batch circuit's inputs hold; ``seal`` derives the commitments and the hash."""

    parameters: MarginParameters
    epoch: int
    threshold: int
    market_hash: int
    tier: str
    index: int
    slots: tuple[Slot, ...]
    totals_before: tuple[int, ...]
    salt_before: int
    salt_after: int
    commitment_before: int = 0
    commitment_after: int = 0
    batch_hash: int = 0


def shortfall_of(parameters: MarginParameters, fixed: ScaledPortfolio, threshold: int) -> int:
    """The least s >= 0 with (available + s) 10^4 >= threshold x requirement."""
    r = evaluate(parameters, fixed, threshold)
    return max(0, -(-threshold * r.requirement // THRESHOLD_SCALE) - r.available)


def contribution(parameters: MarginParameters, slot: Slot, threshold: int) -> list[int]:
    """One slot's terms in total_names order, as integers (what the circuit sums)."""
    if not slot.active:
        return [0] * len(total_names(parameters.capacity))
    r = evaluate(parameters, slot.portfolio, threshold)
    q = slot.quantities
    return [*slot.amounts, *(max(v, 0) for v in q), *(max(-v, 0) for v in q), r.requirement, r.available,
            *r.scenario_loss, 1, int(slot.shortfall != 0), slot.shortfall]


def make_witness(
    parameters: MarginParameters, epoch: int, threshold: int, market_hash: int, shape: BatchShape, index: int,
    accounts: Sequence[ScaledPortfolio], totals_before: Sequence[int], salt_before: int, salt_after: int,
) -> BatchWitness:
    """The honest witness for 1..B accounts in identifier order, each with its least shortfall."""
    if not 1 <= len(accounts) <= shape.size:
        raise ValueError(f"a batch holds 1 to {shape.size} accounts")
    n, c = shape.capacity.positions, shape.capacity.collateral
    slots = [Slot(1, a.account >> LOW_BITS, a.account % (1 << LOW_BITS), a.quantities, a.amounts, a.salt,
                  shortfall_of(parameters, a, threshold)) for a in accounts]
    slots += [Slot(0, 0, 0, (0,) * n, (0,) * c, 0, 0)] * (shape.size - len(accounts))
    w = BatchWitness(parameters, epoch, threshold, market_hash, shape.tier, index, tuple(slots),
                     tuple(totals_before), salt_before, salt_after)
    return seal(w)


def totals_after(w: BatchWitness) -> list[int]:
    sums = [contribution(w.parameters, s, w.threshold) for s in w.slots]
    return [t + sum(col) for t, col in zip(w.totals_before, zip(*sums))]


@lru_cache(maxsize=1 << 12)
def _commitment(portfolio: ScaledPortfolio) -> int:
    """A Python sponge costs ~15 ms; an epoch needs each leaf for the hash, the tree and the manifest."""
    return portfolio.commitment()


def leaves(w: BatchWitness) -> list[int]:
    return [_commitment(s.portfolio) * s.active % R if s.active else PADDING_LEAF for s in w.slots]


@lru_cache(maxsize=4)
def _digest(parameters: MarginParameters, epoch: int) -> int:
    """One sponge over every parameter (0.3 s in Python): once per epoch, not per batch."""
    return parameters.digest(epoch)


def preimage(w: BatchWitness) -> dict[str, int]:
    """The batch's manifest fields, computed from the witness as the circuit computes them."""
    active = [s.active for s in w.slots] + [0]
    return {
        "epoch": w.epoch, "market_hash": w.market_hash, "parameters_digest": _digest(w.parameters, w.epoch),
        "threshold": w.threshold, "tier": label_field(w.tier), "index": w.index, "first_id": w.slots[0].ident,
        "last_id": sum((active[k] - active[k + 1]) * s.ident for k, s in enumerate(w.slots)) % R,
        "accounts": sum(s.active for s in w.slots), "subtree_root": native_subtree_root(leaves(w)),
        "totals_before": w.commitment_before, "totals_after": w.commitment_after,
    }


def seal(w: BatchWitness, after: Sequence[int] | None = None) -> BatchWitness:
    """Derive the two totals commitments (``after`` overrides the honest totals) and the hash."""
    w = replace(w, commitment_before=totals_commitment(w.totals_before, w.salt_before),
                commitment_after=totals_commitment(totals_after(w) if after is None else after, w.salt_after))
    values = preimage(w)
    return replace(w, batch_hash=native_sponge([values[k] for k in PREIMAGE]))


def build_batch_circuit(api: ConstraintSystem, shape: BatchShape, w: BatchWitness | None = None) -> None:
    cap, size = shape.capacity, shape.size
    n, c = cap.positions, cap.collateral

    def private(name: str, value: int | None) -> LinearCombination:
        return api.private_input(name, value if w is not None else None)

    batch_hash = api.public_input(BATCH_HASH.name, w.batch_hash if w else None)
    params = parameter_wires(api, MarginParameters, cap, w.parameters if w else None)
    head = {k: private(k, getattr(w, k) if w else None) for k in ("epoch", "market_hash", "threshold", "index")}
    head["tier"] = private("tier", label_field(w.tier) if w else None)
    for declared in (EPOCH, THRESHOLD):  # the single statement's ranges: epoch < 2^36, 10^4 <= t < 2^20
        with api.scope(f"{declared.name}_range"):
            assert_between(api, head[declared.name], declared.lo, declared.hi)
    with api.scope("parameters_digest"):
        head["parameters_digest"] = parameters_digest(api, MarginParameters, cap, params, head["epoch"])

    active: list[LinearCombination] = []
    ids, leaf_wires, columns = [], [], []
    for k in range(size):
        slot = w.slots[k] if w else None
        with api.scope(f"slot[{k}]"):
            a = as_lc(1) if k == 0 else private(f"active[{k}]", slot.active if slot else None)
            if k:
                assert_boolean(api, a)
                api.assert_mul(a, 1 - active[-1], 0)  # a prefix: a_k = 1 needs a_(k-1) = 1
            active.append(a)
            ident = private(f"id[{k}]", slot.ident if slot else None)
            low = private(f"id_low[{k}]", slot.low if slot else None)
            assert_in_range(api, ident, ID_BITS)
            assert_in_range(api, low, LOW_BITS)
            q = [private(f"quantity[{k}][{i}]", slot.quantities[i] if slot else None) for i in range(n)]
            amount = [private(f"amount[{k}][{j}]", slot.amounts[j] if slot else None) for j in range(c)]
            salt = private(f"salt[{k}]", slot.salt if slot else None)
            shortfall = private(f"shortfall[{k}]", slot.shortfall if slot else None)
            with api.scope("padding_zero"):
                for x in (*q, *amount, shortfall):
                    api.assert_mul(1 - a, x, 0)
            with api.scope("leaf"):
                account = ident * (1 << LOW_BITS) + low
                leaf_wires.append(api.mul(a, poseidon_sponge(api, [TAG_PORTFOLIO, account, *q, *amount, salt])))
            with api.scope("has_shortfall"):
                (h,) = api.hint(lambda x, one, zero: one if x else zero, shortfall, 1, 0, name="flag", kind="select")
                assert_boolean(api, h)
                api.assert_mul(shortfall, 1 - h, 0)
                assert_in_range(api, shortfall - h, SHORTFALL_BITS)
            terms = account_covers(api, params, cap, q, amount, head["threshold"], shortfall)
            with api.scope("open_interest"):
                short = [api.mul(1 - assert_signed_in_range(api, x, QUANTITY_BITS), -x) for x in q]
            requirement = api.mul(a, terms.requirement)
            columns.append([*amount, *(x + s for x, s in zip(q, short)), *short, requirement,
                            terms.available - shortfall, *terms.scenario_loss, a, h, shortfall])
            ids.append(ident)
    with api.scope("identifiers"):
        for k in range(1, size):
            assert_in_range(api, api.mul(active[k], ids[k] - ids[k - 1] - 1), ID_BITS)
        ends = [active[k] - (active[k + 1] if k + 1 < size else 0) for k in range(size)]
        head["first_id"] = ids[0]
        head["last_id"] = linear_sum(api.mul(e, i) for e, i in zip(ends, ids))
        head["accounts"] = linear_sum(active)
    head["subtree_root"] = subtree_root(api, leaf_wires)

    names = total_names(cap)
    before = [private(f"totals_before[{t}]", w.totals_before[t] if w else None) for t in range(len(names))]
    head["totals_before"] = private("commitment_before", w.commitment_before if w else None)
    head["totals_after"] = private("commitment_after", w.commitment_after if w else None)
    sums = [linear_sum(col[t] for col in columns) for t in range(len(names))]
    chain_totals(api, before, private("salt_before", w.salt_before if w else None), sums,
                 private("salt_after", w.salt_after if w else None), head["totals_before"], head["totals_after"])
    with api.scope("batch_hash"):
        api.assert_equal(poseidon_sponge(api, [head[k] for k in PREIMAGE]), batch_hash)


def batch_input_values(shape: BatchShape, w: BatchWitness) -> dict[str, int]:
    """Every input wire of build_batch_circuit by name, for the compiled witness."""
    values = {BATCH_HASH.name: w.batch_hash, "epoch": w.epoch, "market_hash": w.market_hash, "threshold": w.threshold,
              "index": w.index, "tier": label_field(w.tier), "commitment_before": w.commitment_before,
              "commitment_after": w.commitment_after, "salt_before": w.salt_before, "salt_after": w.salt_after}
    values |= parameter_values(MarginParameters, shape.capacity, w.parameters)
    values |= {f"totals_before[{t}]": v % R for t, v in enumerate(w.totals_before)}
    for k, s in enumerate(w.slots):
        if k:
            values[f"active[{k}]"] = s.active
        values |= {f"id[{k}]": s.ident, f"id_low[{k}]": s.low, f"salt[{k}]": s.salt, f"shortfall[{k}]": s.shortfall}
        values |= {f"quantity[{k}][{i}]": v % R for i, v in enumerate(s.quantities)}
        values |= {f"amount[{k}][{j}]": v for j, v in enumerate(s.amounts)}
    return values
