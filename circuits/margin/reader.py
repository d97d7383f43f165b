"""Strict field access for the JSON and CSV inputs: exact numbers, bounded sizes, one-line errors.

Every number is read exactly (decimal strings or integers, or fractions like "2/3" where a
ratio is natural) into a Fraction; binary floats are refused because they are already
rounded. Every error names the file, the field and the problem.
"""

from __future__ import annotations

import re
import reprlib
from datetime import datetime, timezone
from fractions import Fraction
from typing import Any

from zkmargin.verifier.files import FormatError

# Limits on what the files say, checked before any arithmetic (README, "Input formats").
MAX_NUMBER_TEXT, MAX_EXPONENT = 64, 30
MAX_MAGNITUDE = Fraction(10**15)
MAX_ENTRIES = 1024  # instruments, assets, scenarios, ... in one list or object
PRICE_RANGE = (Fraction(1, 10**9), Fraction(10**9))  # spot, strike, multiplier
VOL_RANGE = (Fraction(1, 10**4), Fraction(10))  # 0.01% to 1000% a year
MAX_MOVE = Fraction(10)  # a scenario moves a price by more than -100% and at most +1000%
RATE_RANGE = (Fraction(-1), Fraction(1))
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=timezone.utc), datetime(2200, 1, 1, tzinfo=timezone.utc)
MARKET_BYTES = MODEL_BYTES = PORTFOLIO_BYTES = 4 << 20  # a market at the largest capacity is ~300 KB
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE](?P<exp>[+-]?\d+))?|[+-]?\d+/(?P<den>\d+)", re.ASCII)


class Reader:
    """Field access with errors of the form 'file: path.to.field: problem'."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, problem: str) -> FormatError:
        return FormatError(f"{self.source}: {where}: {problem}")

    def obj(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a JSON object")
        return self._bounded(value, where)

    def strict(self, value: Any, where: str, allowed: tuple[str, ...]) -> dict:
        """An object whose keys are all in ``allowed``: a misspelt key is an error, never ignored
        (a typo in short_option_minimum would otherwise turn the minimum off, in the prover's favour)."""
        obj = self.obj(value, where)
        for key in obj:
            if key not in allowed:
                raise self.fail(where, f"unknown field {str(key)[:40]!r} (expected {', '.join(allowed)})")
        return obj

    def list(self, value: Any, where: str) -> list:
        if not isinstance(value, list):
            raise self.fail(where, "expected a JSON list")
        return self._bounded(value, where)

    def _bounded(self, value, where: str):
        """No input has more entries than a circuit has slots; more would only multiply the work
        (scenarios x instruments of option pricing)."""
        if len(value) > MAX_ENTRIES:
            raise self.fail(where, f"more than {MAX_ENTRIES} entries, the largest capacity")
        return value

    def get(self, obj: dict, key: str, where: str, default: Any = ...) -> Any:
        if key not in obj:
            if default is ...:
                raise self.fail(f"{where}.{key}" if where else key, "missing")
            return default
        return obj[key]

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected a non-empty string, got {reprlib.repr(value)}")
        return value.strip()

    def number(
        self,
        value: Any,
        where: str,
        *,
        positive: bool = False,
        nonnegative: bool = False,
        lo: Fraction | None = None,
        hi: Fraction | None = None,
    ) -> Fraction:
        """An exact number, its size checked on the text first: Fraction("1e99999999") would
        compute 10^99999999. Then |x| <= 10^15 (or lo <= x <= hi), so float() of it is finite."""
        if isinstance(value, bool) or isinstance(value, float):
            raise self.fail(where, f'write numbers as strings ("{value}"), not binary floats')
        if isinstance(value, int):
            value = str(value)
        if not isinstance(value, str):
            raise self.fail(where, f"expected a number as a string, got {reprlib.repr(value)}")
        text = value.strip()
        match = _NUMBER.fullmatch(text) if len(text) <= MAX_NUMBER_TEXT else None
        if not match or int(match["den"] or 1) == 0:
            problem = f"is not a number (a decimal or a ratio a/b, at most {MAX_NUMBER_TEXT} characters)"
            raise self.fail(where, f"{reprlib.repr(value)} {problem}")
        if abs(int(match["exp"] or 0)) > MAX_EXPONENT:
            raise self.fail(where, f"{text} is out of range (exponents from -{MAX_EXPONENT} to {MAX_EXPONENT})")
        result = Fraction(text)
        if positive and result <= 0:
            raise self.fail(where, f"must be positive, got {value}")
        if nonnegative and result < 0:
            raise self.fail(where, f"must not be negative, got {value}")
        low, high = (-MAX_MAGNITUDE if lo is None else lo), (MAX_MAGNITUDE if hi is None else hi)
        if not low <= result <= high:
            raise self.fail(where, f"{value} is outside {_show(low)} .. {_show(high)}")
        return result

    def time(self, value: Any, where: str) -> datetime:
        text = self.text(value, where)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(
                where, f"{reprlib.repr(text)} is not an ISO 8601 time (e.g. 2026-11-21T08:00:00Z)"
            ) from None
        if moment.tzinfo is None:
            raise self.fail(where, "give a time zone (e.g. a trailing Z for UTC)")
        if not EARLIEST <= moment < LATEST:  # compared aware: no conversion that could overflow
            raise self.fail(where, f"{text} is outside the years {EARLIEST.year} to {LATEST.year - 1}")
        return moment.astimezone(timezone.utc)


def _show(x: Fraction) -> str:
    return f"{float(x):g}"
