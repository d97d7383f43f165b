"""zkmargin book: the JSON Lines book of an exchange (sample and check)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from zkmargin import api

from ..errors import friendly_errors
from ..options import json_option
from ..output import emit

market_option = click.option(
    "--market",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Market snapshot JSON (default: the bundled sample market).",
)


@click.group("book")
def book() -> None:
    """The book: every account of an exchange, one portfolio per line (JSON Lines)."""


def _progress(as_json: bool, total: int):
    if as_json or not sys.stderr.isatty():
        return None
    start = time.monotonic()

    def report(done: int) -> None:
        rate = done / max(time.monotonic() - start, 1e-9)
        left = (total - done) / rate if rate else 0.0
        click.echo(f"\r  {done:,}/{total:,} accounts, about {left:.0f} s left ", err=True, nl=done == total)

    return report


@book.command("sample")
@click.option(
    "--accounts", type=click.IntRange(1, 10_000_000), default=2000, show_default=True, help="How many accounts."
)
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed writes the same book.")
@market_option
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("book.jsonl"),
    show_default=True,
    help="The book to write (JSON Lines, all-or-nothing).",
)
@json_option
@friendly_errors
def sample(accounts: int, seed: int, market: Path | None, out_path: Path, as_json: bool) -> None:
    """Write a realistic SYNTHETIC book (random accounts, marked synthetic in its header line)."""
    start = time.monotonic()
    api.sample_book(out_path, accounts, seed, market, _progress(as_json, accounts))
    seconds = time.monotonic() - start
    emit(
        as_json,
        {"book": str(out_path), "accounts": accounts, "seed": seed, "synthetic": True, "seconds": round(seconds, 3)},
        [
            f"wrote {out_path}: {accounts:,} SYNTHETIC accounts (seed {seed}) in {seconds:.1f} s",
            "this book is synthetic: random accounts for demos and benchmarks, not real customers",
        ],
    )


@book.command("check")
@click.argument("book_path", type=click.Path(dir_okay=False, path_type=Path))
@market_option
@json_option
@friendly_errors
def check(book_path: Path, market: Path | None, as_json: bool) -> None:
    """Read a book line by line, validating every account as strictly as a single portfolio."""
    opened = api.read_book(book_path, market)
    count = sum(1 for _ in opened)
    emit(
        as_json,
        {"book": str(book_path), "accounts": count, "synthetic": opened.header.synthetic},
        [f"{book_path}: {count:,} accounts, each a valid portfolio; names unique"]
        + (["this book says it is SYNTHETIC"] if opened.header.synthetic else []),
    )
