"""The `zkmargin margin` table and its JSON twin."""

from __future__ import annotations

from decimal import Context, Decimal
from fractions import Fraction

from zkmargin.circuits.margin.calculator import MarginResult
from zkmargin.circuits.margin.case import MarginCase
from zkmargin.verifier.kinds import THRESHOLD_SCALE

_EXACT = Context(prec=60)  # local: importing the report must not change anyone's decimal context


def exact(value: Fraction) -> str:
    """A Fraction with a power-of-ten denominator as an exact decimal string."""
    return str(_EXACT.divide(Decimal(value.numerator), Decimal(value.denominator)))


def money(value: Fraction) -> str:
    return f"{float(value):,.2f}"


def margin_json(case: MarginCase) -> dict:
    r = case.result
    real = r.real
    saved = r.isolated_by_position - r.requirement
    return {
        "account": case.portfolio.account,
        "timestamp": case.market.timestamp.isoformat().replace("+00:00", "Z"),
        "sources": case.sources,
        "scenarios": [
            {"name": n, "loss": exact(real(loss)), "by_group": {g.name: exact(real(g.losses[s])) for g in r.groups}}
            for s, (n, loss) in enumerate(zip(r.scenario_names, r.scenario_loss))
        ],
        "groups": [
            {
                "name": g.name,
                "scan_risk": exact(real(g.scan)),
                "worst_scenario": r.scenario_names[g.worst_index],
                "short_option_minimum": exact(real(g.floor)),
                "expected_shortfall": None if g.expected_shortfall is None else exact(real(g.expected_shortfall)),
                "expected_shortfall_scenarios": [r.tail_names[t] or "(no move)" for t in g.tail_worst],
                "stressed_collateral_loss": exact(
                    real(g.collateral_losses[g.worst_index] if g.collateral_losses else 0)
                ),
                "margin": exact(real(g.margin)),
                "binding": g.binding,
            }
            for g in r.groups
        ],
        "worst_scenario": r.scenario_names[r.worst_index],
        "scan_risk": exact(real(r.scan)),
        "short_option_minimum": exact(real(r.short_option_addon)),
        "short_option_minimum_binds": r.floor_binds,
        "contingency": exact(real(r.contingency_addon)),
        "concentration_addon": exact(real(r.concentration)),
        "offsets": [{"groups": [g, h], "credit": exact(real(credit))} for g, h, credit in r.offsets],
        "collateral_tier_deduction": exact(real(r.tier_deduction)),
        "rounding": exact(real(r.rounding)),
        "requirement": exact(real(r.requirement)),
        "collateral_after_haircuts": exact(real(r.collateral)),
        "position_value": exact(real(r.position_value)),
        "available": exact(real(r.available)),
        "threshold": str(Fraction(r.threshold, THRESHOLD_SCALE)),
        "excess": exact(real(r.excess)),
        "solvent": r.solvent,
        "isolated_per_position": exact(real(r.isolated_by_position)),
        "isolated_per_venue": exact(real(r.isolated_by_venue)),
        "netting_saves": exact(real(saved)),
        "greeks": r.greeks,
    }


def margin_lines(case: MarginCase) -> list[str]:
    r = case.result
    real = r.real
    width = max(len(n) for n in r.scenario_names)
    names = [g.name or "-" for g in r.groups]
    col = max([14, *(len(n) + 2 for n in names)])
    lines = [
        f"account {case.portfolio.account}   market {case.market.timestamp.isoformat().replace('+00:00', 'Z')}   "
        f"model {case.model.name} ({len(r.scenario_names)} scenarios, {len(r.groups)} risk groups)"
        + (f"; ES at {float(es.alpha):g} over {es.source}" if (es := case.model.expected_shortfall) else ""),
        "",
        f"  {'scenario':{width}}" + "".join(f"  {n:>{col}}" for n in names) + f"  {'whole book':>{col}}",
    ]
    for s, name in enumerate(r.scenario_names):
        cells = "".join(f"  {money(real(g.losses[s])) + ('*' if s == g.worst_index else ' '):>{col}}" for g in r.groups)
        lines.append(f"  {name:{width}}{cells}  {money(real(r.scenario_loss[s])):>{col}}")
    note = "  (* the group's worst scenario; groups are margined separately, never netted"
    lines.append(note + (";" if r.offsets else ")"))
    if r.offsets:
        lines.append("   the model's offsets credit pairs of groups on opposite sides, below)")
    gap = max(width, 32)
    lines += [""] + requirement_lines(r, gap, offset_rates(case))
    saved = r.isolated_by_position - r.requirement
    stressed = any(any(g.collateral_losses) for g in r.groups if g.collateral_losses)
    lines += [
        "",
        "netting across positions and venues (positions only; long spot and lending held alone are charged their"
        " haircut):",
        *(
            [
                "  (the baselines value collateral unstressed; the portfolio figure stresses it with its group,",
                "   depegs included, and nets it against the group's positions)",
            ]
            if stressed
            else []
        ),
        f"  {'margined position by position':{gap}}  {money(real(r.isolated_by_position)):>16}",
        f"  {'margined venue by venue':{gap}}  {money(real(r.isolated_by_venue)):>16}",
        f"  {'margined as one portfolio':{gap}}  {money(real(r.requirement)):>16}",
        f"  {'capital netting saves':{gap}}  {money(real(saved)):>16}"
        + (f"  ({float(Fraction(saved, r.isolated_by_position)):.0%})" if r.isolated_by_position else ""),
    ]
    if r.greeks:
        lines += ["", "net greeks (delta in units of the underlying, vega per vol point):"]
        for underlying, g in r.greeks.items():
            lines.append(
                f"  {underlying:6} delta {g['delta']:>12.4f}   gamma {g['gamma']:>12.6f}   vega {g['vega']:>12.2f}"
            )
    return lines


def offset_rates(case: MarginCase) -> dict[tuple[str, str], int]:
    """Each offset pair's published credit rate (x 10^4), to show beside its credit."""
    return {(g, h): rate for g, h, rate in case.model.offsets.pairs} if case.model.offsets else {}


def requirement_lines(r: MarginResult, gap: int = 32, rates: dict[tuple[str, str], int] | None = None) -> list[str]:
    """Requirement group by group, available and the excess or shortfall, term by term."""
    real = r.real
    rates = rates or {}

    def credit_label(g: str, h: str) -> str:
        rate = rates.get((g, h))
        share = f"{rate / 100:g}% of the smaller margin" if rate is not None else "opposite sides"
        return f"offset credit {g or '-'} / {h or '-'} ({share})"

    rows: list[tuple[str, int | None]] = []
    for g in r.groups:
        name = g.name or "portfolio"
        stressed = g.collateral_losses[g.worst_index] if g.collateral_losses else 0
        rows += [
            (f"{name} scan risk (worst: {r.scenario_names[g.worst_index]})", g.scan),
            (f"{name}   positions' loss in it", g.losses[g.worst_index] - stressed),
            (f"{name}   stressed collateral's loss in it", stressed),
        ]
        if g.expected_shortfall is not None:
            label = f"{name} expected shortfall (mean of the {g.tail_k} worst of {len(r.tail_names)})"
            rows.append((label, g.expected_shortfall))
        rows += [
            (f"{name} short-option minimum (a floor)", g.floor),
            (f"{name} margin = max(scan{', ES' if g.tail_k else ''}, floor)", g.margin),
        ]
    rows += [(credit_label(g, h), -credit) for g, h, credit in r.offsets]
    rows += [
        ("contingency (perps, futures)", r.contingency_addon),
        *([("concentration add-ons (size bands)", r.concentration)] if r.concentration else []),
        ("rounding against the prover", r.rounding),
        ("REQUIREMENT", r.requirement),
        ("", None),
        ("collateral after haircuts", r.collateral),
        *([("size tiers: what the value bands take off", -r.tier_deduction)] if r.tier_deduction else []),
        ("position value (mark-to-market)", r.position_value),
        ("rounding against the prover", -r.rounding),
        ("AVAILABLE", r.available),
    ]
    gap = max(gap, *(len(label) for label, _ in rows))
    lines: list[str] = []
    for label, value in rows:
        lines.append(f"  {label:{gap}}  {money(real(value)):>16}" if value is not None else "")
    ratio = Fraction(r.threshold, THRESHOLD_SCALE)
    verdict = "EXCESS" if r.solvent else "SHORTFALL"
    suffix = f" at {float(ratio):g}x" if r.threshold != THRESHOLD_SCALE else ""
    lines.append(f"  {verdict + suffix:{gap}}  {money(real(abs(r.excess))):>16}")
    if r.requirement:
        lines.append(f"  {'coverage':{gap}}  {float(Fraction(r.available, r.requirement)):>15.2f}x")
    return lines


def maintenance_json(m: MarginResult) -> dict:
    return {
        "maintenance": {
            "requirement": exact(m.real(m.requirement)),
            "excess": exact(m.real(m.excess)),
            "solvent": m.solvent,
        }
    }


def maintenance_lines(initial: MarginResult, m: MarginResult, factors: dict[str, Fraction], gap: int = 32) -> list[str]:
    """The figures above are initial margin; maintenance scales the scan losses (ES too), the
    short-option minimum and the contingency by the model's published factors (README, risk
    model), so each group's margin and the credits follow; tiers and concentration do not."""
    names = {"scan": "scan (and ES)", "short_option_minimum": "short-option minimum"}
    scaled = ", ".join(f"{float(factors[k]):g} x {names.get(k, k)}" for k in factors)
    rows: list[tuple[str, int, int]] = [
        (f"{g.name or 'portfolio'} margin", g.margin, h.margin) for g, h in zip(initial.groups, m.groups)
    ]
    rows += [(f"offset credit {g} / {h}", -a, -b) for (g, h, a), (_, _, b) in zip(initial.offsets, m.offsets)]
    rows += [
        ("contingency", initial.contingency_addon, m.contingency_addon),
        *([("concentration add-ons", initial.concentration, m.concentration)] if initial.concentration else []),
        ("REQUIREMENT", initial.requirement, m.requirement),
        ("excess (negative: a shortfall)", initial.excess, m.excess),
    ]
    gap = max(gap, *(len(label) for label, _, _ in rows))
    return [
        "",
        "initial and maintenance margin (the table above is initial; `prove --margin` chooses):",
        f"  maintenance = {scaled};",
        "  size tiers and concentration are the same at both levels",
        f"  {'':{gap}}  {'initial':>16}  {'maintenance':>16}",
        *(f"  {label:{gap}}  {money(m.real(a)):>16}  {money(m.real(b)):>16}" for label, a, b in rows),
    ]
