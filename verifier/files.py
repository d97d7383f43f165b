"""Reading JSON and numbers within limits, with errors a user can act on."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path
from typing import Any


class FormatError(ValueError):
    """Input that is not what the format says; the message names the file and the problem."""


MAX_INT_DIGITS = 100  # every number we read fits in 2^256 (78 digits); longer text is refused before int()


def read_int(value: object, where: str, *, lo: int, hi: int) -> int:
    """A whole number lo <= v < hi, given as a JSON integer or a string of decimal digits.

    The digit count is checked before ``int()`` so that a 5,000-digit string is an error,
    not Python's int-string limit or a long conversion."""
    if isinstance(value, str) and 0 < len(value) <= MAX_INT_DIGITS and value.isascii():
        digits = value[1:] if value[0] == "-" else value
        if digits.isdigit():
            value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value < hi:
        span = f"from {lo} to {hi - 1}" if hi - lo < 1 << 32 else "in the circuit's range"
        raise FormatError(f"{where}: expected a whole number {span}")
    return value


MAX_JSON_DEPTH = 64  # our files nest 4 deep; json.loads recurses per level, and py_ecc lifts Python's recursion limit
MAX_JSON_BYTES = 64 << 20  # a statement at the largest capacity; callers pass smaller limits for smaller kinds
_STRING_OR_REST = re.compile(rb'"(?:[^"\\]++|\\.)*+"|".*', re.DOTALL)  # possessive: linear time, never backtracks
_STEP = [1 if c in b"[{" else -1 if c in b"]}" else 0 for c in range(256)]


def _number(text: str, convert: Callable[[str], Any]) -> Any:
    """json.loads's hook for numbers: bounded length before conversion, finite results only."""
    if len(text) > MAX_INT_DIGITS:
        raise FormatError(f"a number of {len(text)} characters (at most {MAX_INT_DIGITS})")
    value = convert(text)
    if value * 0 != 0:  # float("1e400") is inf
        raise FormatError(f"number {text} is out of range")
    return value


def _constant(text: str) -> Any:
    raise FormatError(f"{text} is not a number JSON allows")


def parse_json(data: bytes, label: str) -> Any:
    """json.loads after a flat scan of the nesting depth (brackets in strings skipped), and with
    numbers bounded: a 70,000-deep list would otherwise overflow the C stack, not raise."""
    brackets = _STRING_OR_REST.sub(b"", data).translate(None, bytes(c for c in range(256) if not _STEP[c]))
    if max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_JSON_DEPTH:
        raise FormatError(f"{label}: JSON nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        text = data.decode("utf-8")
        number = {"parse_int": lambda t: _number(t, int), "parse_float": lambda t: _number(t, float)}
        return json.loads(text, **number, parse_constant=_constant)
    except UnicodeDecodeError as exc:
        raise FormatError(f"{label}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise FormatError(f"{label}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except FormatError as exc:
        raise FormatError(f"{label}: {exc}") from None


def read_json(path: str | os.PathLike, what: str | None = None, *, limit: int = MAX_JSON_BYTES) -> Any:
    """A JSON file of at most ``limit`` bytes; only limit + 1 bytes are ever read."""
    path = Path(path)
    label = what or path.name
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise FormatError(f"{label}: file not found: {path}") from None
    except IsADirectoryError:
        raise FormatError(f"{label}: expected a file, found a directory: {path}") from None
    except OSError as exc:
        raise FormatError(f"{label}: cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise FormatError(f"{label}: larger than {limit:,} bytes, the limit for this kind of file")
    return parse_json(data, label)
