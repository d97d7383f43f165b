"""Historical scenarios for expected shortfall: a CSV of dated prices turned into joint return moves.

The file (README, risk model) is read strictly: '#' comment lines first, then a header
``date,<underlying>,...`` and one row per day with a price for every column, dates strictly
increasing. Day t's scenario moves each underlying u by its one-day return
r_t(u) = P_t(u) / P_{t-1}(u) - 1, all underlyings together (a historical scenario is a joint
move: their correlation on that day is kept).

Filtered historical simulation (Prisma, SPAN 2), asked for with ``ewma_lambda``: each return
is rescaled from the volatility of its own day to today's,

    sigma_1^2 = mean_t r_t^2                       (the seed: the series' own variance)
    sigma_{t+1}^2 = lambda sigma_t^2 + (1 - lambda) r_t^2    (RiskMetrics EWMA)
    move_t = r_t x sigma_{T+1} / sigma_t            (T the last day: sigma_{T+1} is today's)

so a calm history is scaled up in a turbulent market and a crash is scaled down in a calm
one. lambda = 0.94 is RiskMetrics' daily decay (a half-life of about 11 days). The scaling
runs in binary floats and each move is then rounded to 10^-9: the same file gives the same
moves on every machine that runs this code, which is what the digest needs.
"""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction
from pathlib import Path

from zkmargin.verifier.files import FormatError

from .reader import MAX_ENTRIES, MAX_MOVE, PRICE_RANGE, Reader

HISTORY_BYTES = 1 << 20
MOVE_DIGITS = 10**9


def read_history(path: Path) -> tuple[tuple[str, ...], list[tuple[date, list[Fraction]]]]:
    """(underlyings, [(day, prices)]) from a history CSV."""
    try:
        raw = path.read_bytes()[: HISTORY_BYTES + 1]
    except OSError as exc:
        raise FormatError(f"{path}: cannot read the price history ({exc.strerror})") from None
    if len(raw) > HISTORY_BYTES:
        raise FormatError(f"{path}: a price history is at most {HISTORY_BYTES >> 20} MiB")
    try:
        lines = [line.strip() for line in raw.decode("utf-8").splitlines()]
    except UnicodeDecodeError:
        raise FormatError(f"{path}: not UTF-8 text") from None
    r = Reader(str(path))
    rows = [(n, line) for n, line in enumerate(lines, 1) if line and not line.startswith("#")]
    if not rows or rows[0][1].split(",")[0].strip() != "date":
        raise r.fail("header", "the first line after the comments must be date,<underlying>,...")
    names = tuple(c.strip() for c in rows[0][1].split(",")[1:])
    if not names or len(set(names)) != len(names) or not all(names):
        raise r.fail("header", "name each underlying once, after the date column")
    if len(rows) - 1 > MAX_ENTRIES + 1:
        raise r.fail("rows", f"at most {MAX_ENTRIES + 1} days (one scenario per day after the first)")
    days: list[tuple[date, list[Fraction]]] = []
    for n, line in rows[1:]:
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(names) + 1:
            raise r.fail(f"line {n}", f"expected {len(names) + 1} columns, got {len(cells)}")
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            raise r.fail(f"line {n}", f"{cells[0][:40]!r} is not a date (YYYY-MM-DD)") from None
        if days and day <= days[-1][0]:
            raise r.fail(f"line {n}", "dates must be strictly increasing")
        lo, hi = PRICE_RANGE
        prices = [r.number(c, f"line {n}.{u}", positive=True, lo=lo, hi=hi) for c, u in zip(cells[1:], names)]
        days.append((day, prices))
    if len(days) < 2:
        raise r.fail("rows", "at least two days are needed for one return")
    return names, days


def history_moves(path: Path, ewma_lambda: Fraction | None = None) -> list[tuple[str, dict[str, Fraction]]]:
    """One joint scenario per day after the first: its name and each underlying's move."""
    names, days = read_history(path)
    returns = [[p / q - 1 for p, q in zip(today, yesterday)] for (_, yesterday), (_, today) in zip(days, days[1:])]
    moves = returns
    if ewma_lambda is not None:
        moves = [[Fraction(0)] * len(names) for _ in returns]
        lam = float(ewma_lambda)
        for u in range(len(names)):
            series = [float(day[u]) for day in returns]
            variance = [sum(x * x for x in series) / len(series)]
            for x in series:
                variance.append(lam * variance[-1] + (1 - lam) * x * x)
            today = math.sqrt(variance[-1])
            for t, x in enumerate(series):
                ratio = today / math.sqrt(variance[t]) if variance[t] > 0 else 1.0
                moves[t][u] = Fraction(round(x * ratio * MOVE_DIGITS), MOVE_DIGITS)
    out = []
    for (day, _), move in zip(days[1:], moves):
        if any(m <= -1 or m > MAX_MOVE for m in move):
            raise FormatError(f"{path}: {day}: a scaled move leaves -100% .. {float(MAX_MOVE):.0%}")
        out.append((f"hist {day.isoformat()}", dict(zip(names, move))))
    return out
