"""The statements zkmargin proves, each declared once (see schema.py for what a declaration drives).

Adding a parameter to a statement is one ``param()`` line here, plus the circuit line that
uses it; its JSON form, range check, digest position and circuit wire follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .files import FormatError
from .schema import MAX_SLOTS, Capacity, Parameters, PublicInput, StatementKind, param, register

PARAMETER_BITS = 56  # |unit values and losses| < 2^56, other per-unit numbers in [0, 2^56): docs/architecture.md
SIGNED = {"lo": -(1 << PARAMETER_BITS) + 1, "hi": 1 << PARAMETER_BITS}
UNSIGNED = {"hi": 1 << PARAMETER_BITS}
THRESHOLD_SCALE = 10_000
THRESHOLD_BITS = 20  # threshold < 2^20 / 10^4, about 104x
EPOCH_BITS = 36  # Unix seconds before the year 4147
TAG_PORTFOLIO, TAG_PARAMETERS = 1, 2  # domain separation between the two sponges

COMMITMENT = PublicInput("commitment", "Poseidon commitment to the private portfolio and a random salt")
EPOCH = PublicInput("epoch", "the market snapshot's time, Unix seconds", hi=1 << EPOCH_BITS)
THRESHOLD = PublicInput("threshold", "the margin ratio proven, x 10^4", lo=THRESHOLD_SCALE, hi=1 << THRESHOLD_BITS)
DIGEST = PublicInput("parameters_digest", "Poseidon digest of the epoch and every public parameter", derived=True)


@dataclass(frozen=True)
class MarginCapacity(Capacity):
    positions: int  # in all, group-major: group g holds slots [g P / G, (g + 1) P / G)
    collateral: int
    scenarios: int
    groups: int = 1
    tail_scenarios: int = field(default=0, metadata={"min": 0})  # expected shortfall's scenario set; 0: none
    tiers: int = field(default=0, metadata={"min": 0})  # lines per size-tiered function; 0: none
    pairs: int = field(default=0, metadata={"min": 0})  # offset pairs: pair p is groups 2p and 2p + 1

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.positions % self.groups or self.collateral % self.groups:
            raise FormatError("capacity: positions and collateral must be multiples of groups")
        if 2 * self.pairs > self.groups:
            raise FormatError("capacity: each offset pair takes two groups")


@dataclass(frozen=True)
class MarginParameters(Parameters):
    """Per-unit numbers in fixed point (units of 1/scale), one row per slot; slots group-major.
    unit_value[i]        mark-to-market value of one unit of instrument i (negative for a liability)
    unit_loss[i][s]      loss of one long unit in scenario s, weighted, rounded up
    groups[g]            risk group (underlying) margined on its own: M_g >= its every loss, its floor
    short_option_min[i]  minimum per short unit (options): a floor, max(scan, minimum)
    contingency[i]       add-on per unit held long or short (perpetuals, futures)
    collateral_value[j]  unit of collateral j after haircut, rounded down; collateral_loss[j][s]: stressed, rounded up
    tail_k               expected shortfall: M_g >= mean of the group's worst tail_k losses over the tail
                         scenarios (tail_loss, tail_collateral_loss); 0 when the model asks none
    collateral_tier_*[j][k]  size tiers: deduction D_j >= slope x amount_j - offset, D_j >= 0 (value <= every line)
    concentration_*[i][k]    add-on A_i >= slope x |q_i| - offset, A_i >= 0 (offsets at scale^2)
    offset_rate[p]       inter-group credit rho x 10^4 between groups 2p and 2p + 1 when on opposite sides
                         (their losses in scenario 0, the largest up move, and 1, the largest down, say which)
    """

    TAG = TAG_PARAMETERS
    CAPACITY = MarginCapacity

    scale: int = param(lo=1)
    margin_level: str = param(label=True)  # "initial" or "maintenance": which requirement is proven
    groups: tuple[str, ...] = param("groups", label=True)
    instruments: tuple[str, ...] = param("positions", label=True)
    scenarios: tuple[str, ...] = param("scenarios", label=True)
    collateral_assets: tuple[str, ...] = param("collateral", label=True)
    unit_value: tuple[int, ...] = param("positions", **SIGNED)
    unit_loss: tuple[tuple[int, ...], ...] = param("positions", "scenarios", **SIGNED)
    short_option_min: tuple[int, ...] = param("positions", **UNSIGNED)
    contingency: tuple[int, ...] = param("positions", **UNSIGNED)
    collateral_value: tuple[int, ...] = param("collateral", **UNSIGNED)
    collateral_loss: tuple[tuple[int, ...], ...] = param("collateral", "scenarios", **SIGNED)
    tail_k: int = param(hi=MAX_SLOTS + 1, within="tail_scenarios", default=0)
    tail_scenarios: tuple[str, ...] = param("tail_scenarios", label=True, default=())
    tail_loss: tuple[tuple[int, ...], ...] = param("positions", "tail_scenarios", **SIGNED, default=())
    tail_collateral_loss: tuple[tuple[int, ...], ...] = param("collateral", "tail_scenarios", **SIGNED, default=())
    collateral_tier_slope: tuple[tuple[int, ...], ...] = param("collateral", "tiers", **UNSIGNED, default=())
    collateral_tier_offset: tuple[tuple[int, ...], ...] = param("collateral", "tiers", hi=1 << 100, default=())
    concentration_slope: tuple[tuple[int, ...], ...] = param("positions", "tiers", **UNSIGNED, default=())
    concentration_offset: tuple[tuple[int, ...], ...] = param("positions", "tiers", hi=1 << 100, default=())
    offset_rate: tuple[int, ...] = param("pairs", hi=THRESHOLD_SCALE + 1, default=())

    def __post_init__(self) -> None:
        """An optional feature left out: empty rows, one per slot, as a JSON reading of that shape gives."""
        for name, p in self.declared():
            if len(p.axes) == 2 and not getattr(self, name):
                rows = self.instruments if p.axes[0] == "positions" else self.collateral_assets
                object.__setattr__(self, name, ((),) * len(rows))
        if self.tail_k > len(self.tail_scenarios):
            raise FormatError(f"parameters: tail_k {self.tail_k} exceeds the {len(self.tail_scenarios)} tail scenarios")


def _describe_margin(s) -> str:
    ratio = f"{s.public['threshold'] / THRESHOLD_SCALE:g}x " if s.public["threshold"] != THRESHOLD_SCALE else ""
    p = s.parameters
    es = f"mean of the worst {p.tail_k} of {len(p.tail_scenarios)} tail losses, " if p.tail_k else ""
    used = lambda rows: any(any(r) for r in rows)  # noqa: E731
    tiers = " (size-tiered)" if used(p.collateral_tier_slope) else ""
    extra = ", concentration add-ons" * used(p.concentration_slope)
    pairs = sum(map(bool, p.offset_rate))
    credit = f", less offset credits between {pairs} group pair{'s' * (pairs > 1)}" * (pairs > 0)
    return (f"{p.margin_level} margin, for the portfolio committed as {s.public['commitment']}, at epoch "
            f"{s.public['epoch']} ({s.timestamp}): collateral after haircuts{tiers} plus position value covers "
            f"{ratio}the sum over {len(p.groups)} risk groups of max(worst loss over {len(p.scenarios)} stress "
            f"scenarios, {es}short-option minimum), plus contingencies{extra}{credit} (digest "
            f"{s.public['parameters_digest']})")


def _describe_solvency(s) -> str:
    return f"the committed collateral covers the committed requirement (commitment {s.public['commitment']})"


PORTFOLIO_MARGIN = register(
    StatementKind("portfolio-margin", (COMMITMENT, DIGEST, EPOCH, THRESHOLD), MarginParameters, _describe_margin))
SOLVENCY_BASIC = register(
    StatementKind("solvency-basic", (PublicInput("commitment", "Poseidon(collateral, requirement, salt)"),), None,
                  _describe_solvency))
