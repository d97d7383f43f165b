"""The book: every account of an exchange, one JSON object a line (JSON Lines), read as a stream.

Format. UTF-8, one JSON object per line, each exactly today's portfolio shape
({"account", "positions", "collateral", optional "salt"}, see README), validated by the
same parser as a single portfolio (circuits.margin.inputs.parse_portfolio), so a book
account is refused for everything a portfolio would be. Blank lines are not allowed.
The first line may instead be a header {"zkmargin_book": 1, ...} (keys: zkmargin_book,
synthetic, note, seed, accounts): a generated book carries "synthetic": true there.
Account names are unique; a repeat is an error naming both lines. Lines are at most
MAX_LINE_BYTES, so a hostile file cannot make the reader hold more than one line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from zkmargin.verifier.exchange.manifest import account_id
from zkmargin.verifier.files import FormatError, parse_json

from ..margin.inputs import Market, Portfolio, parse_portfolio

MAX_LINE_BYTES = 1 << 20
BOOK_VERSION = 1
_HEADER_KEYS = {"zkmargin_book", "synthetic", "note", "seed", "accounts"}
__all__ = ["account_id", "Book", "BookEntry", "BookHeader", "read_book"]  # account_id: verifier.exchange.manifest

@dataclass(frozen=True)
class BookHeader:
    synthetic: bool = False
    note: str = ""
    seed: int | None = None
    accounts: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"zkmargin_book": BOOK_VERSION, "synthetic": self.synthetic, "note": self.note}
        if self.seed is not None:
            out["seed"] = self.seed
        if self.accounts is not None:
            out["accounts"] = self.accounts
        return out


@dataclass(frozen=True)
class BookEntry:
    line: int  # 1-based line number in the file, for error messages
    portfolio: Portfolio

    @property
    def account_id(self) -> int:
        return account_id(self.portfolio.account)


_PORTFOLIO_KEYS = {"": {"account", "positions", "collateral", "salt"}, "positions": {"instrument", "quantity"},
                   "collateral": {"venue", "asset", "amount"}}


def _refuse_unknown_keys(raw: Any, where: str) -> None:
    """parse_portfolio (today) ignores keys it does not know; a book is read strictly, so a typo such
    as "colateral" is an error here rather than an account silently without collateral. Only key
    names are checked; every value is still validated by parse_portfolio alone."""
    if not isinstance(raw, dict):
        return
    for part, allowed in _PORTFOLIO_KEYS.items():
        entries = raw.get(part) if part else [raw]
        for i, obj in enumerate(entries if isinstance(entries, list) else []):
            unknown = set(obj) - allowed if isinstance(obj, dict) else set()
            if unknown:
                at = f"{part}[{i}]." if part else ""
                raise FormatError(f"{where}: {at}{sorted(unknown)[0]}: unknown key")


def _header(raw: dict, where: str) -> BookHeader:
    unknown = set(raw) - _HEADER_KEYS
    if unknown:
        raise FormatError(f"{where}: unknown header key {sorted(unknown)[0]!r}")
    if raw["zkmargin_book"] != BOOK_VERSION:
        raise FormatError(f"{where}: zkmargin_book must be {BOOK_VERSION}")
    synthetic, note = raw.get("synthetic", False), raw.get("note", "")
    seed, accounts = raw.get("seed"), raw.get("accounts")
    if not isinstance(synthetic, bool) or not isinstance(note, str):
        raise FormatError(f"{where}: synthetic must be true or false and note a string")
    for name, value in (("seed", seed), ("accounts", accounts)):
        if value is not None and (type(value) is not int or value < 0):
            raise FormatError(f"{where}: {name} must be a non-negative whole number")
    return BookHeader(synthetic, note, seed, accounts)


class Book:
    """A book file opened for streaming: ``header`` is read at once, accounts as they are iterated."""

    def __init__(self, path: str | os.PathLike, market: Market):
        self.path, self.market = Path(path), market
        self.header = BookHeader()
        with open(self.path, "rb") as handle:
            first = handle.readline(MAX_LINE_BYTES + 1)
        if first.strip():
            raw = parse_json(first, f"{self.path} line 1") if first.lstrip().startswith(b"{") else None
            if isinstance(raw, dict) and "zkmargin_book" in raw:
                self.header = _header(raw, f"{self.path} line 1")

    def __iter__(self) -> Iterator[BookEntry]:
        seen: dict[str, int] = {}
        with open(self.path, "rb") as handle:
            for number, data in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), start=1):
                where = f"{self.path} line {number}"
                if len(data) > MAX_LINE_BYTES:
                    raise FormatError(f"{where}: longer than {MAX_LINE_BYTES} bytes")
                if not data.strip():
                    raise FormatError(f"{where}: blank line (one account per line, no gaps)")
                raw = parse_json(data, where)
                if number == 1 and isinstance(raw, dict) and "zkmargin_book" in raw:
                    continue
                _refuse_unknown_keys(raw, where)
                portfolio = parse_portfolio(raw, self.market, where)
                if portfolio.account in seen:
                    raise FormatError(f"{where}: account {portfolio.account!r} already appears on line "
                                      f"{seen[portfolio.account]}")
                seen[portfolio.account] = number
                yield BookEntry(number, portfolio)


def read_book(path: str | os.PathLike, market: Market) -> Book:
    return Book(path, market)
