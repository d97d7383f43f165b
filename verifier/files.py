"""Reading JSON with errors a user can act on, and writing files all-or-nothing."""

from __future__ import annotations

import json
import os
import tempfile
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


def read_json(path: str | os.PathLike, what: str | None = None) -> Any:
    path = Path(path)
    label = what or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormatError(f"{label}: file not found: {path}") from None
    except IsADirectoryError:
        raise FormatError(f"{label}: expected a file, found a directory: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"{label}: cannot read {path}: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{label}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write to a temporary file beside the target and rename it into place.

    A reader never sees a half-written proof or key, even if the writer is killed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_json(path: str | os.PathLike, obj: Any) -> None:
    atomic_write(path, (json.dumps(obj, indent=1) + "\n").encode("utf-8"))
