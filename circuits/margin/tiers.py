"""Size tiers: a venue's value bands turned into the lines the circuit bounds (circuit.above_lines).

A band list is [(up_to_1, rate_0), (up_to_2, rate_1), ..., (None, rate_last)]: rate_k applies
to the part of a value x (in the quote currency) between L_k and L_{k+1}, with L_0 = 0.

Collateral ratios fall by band (Binance's tiered collateral ratios), so the value is concave:
V(x) = sum_k r_k x (part in band k) = min_k (r_k x + b_k) with b_k = V(L_k) - r_k L_k >= 0.
The circuit values collateral at the first ratio, r_0 x (the flat haircut is 1 - r_0), minus a
deduction D(x) = r_0 x - V(x) = max_k ((r_0 - r_k) x - b_k); line 0 is D >= 0, so the
lines k >= 1 are what the model publishes.

Concentration rates rise by band, so the add-on is convex:
A(x) = sum_k q_k x (part in band k) = max_k (q_k x - e_k) with e_k = q_k L_k - A(L_k) >= 0,
every band a line (line 0 is q_0 x).
"""

from __future__ import annotations

from fractions import Fraction

Bands = tuple[tuple[Fraction | None, Fraction], ...]
Lines = tuple[tuple[Fraction, Fraction], ...]  # (slope per unit of value, offset) of slope x - offset


def collateral_lines(bands: Bands) -> Lines:
    """D(x) = max(0, max_k ((r_0 - r_k) x - b_k)) for falling ratios r_k."""
    first = bands[0][1]
    lines, start, value = [], Fraction(0), Fraction(0)  # L_k and V(L_k)
    for k, (up_to, ratio) in enumerate(bands):
        if k:
            lines.append((first - ratio, value - ratio * start))
        if up_to is not None:
            value, start = value + ratio * (up_to - start), up_to
    return tuple(lines)


def concentration_lines(bands: Bands) -> Lines:
    """A(x) = max(0, max_k (q_k x - e_k)) for rising rates q_k."""
    lines, start, addon = [], Fraction(0), Fraction(0)  # L_k and A(L_k)
    for up_to, rate in bands:
        lines.append((rate, rate * start - addon))
        if up_to is not None:
            addon, start = addon + rate * (up_to - start), up_to
    return tuple(lines)


def per_unit(lines: Lines, unit_value: Fraction) -> Lines:
    """Lines in a value x = units x unit_value, as lines in the units."""
    return tuple((slope * unit_value, offset) for slope, offset in lines)
