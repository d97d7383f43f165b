"""The JSON Lines book, its synthetic sample and the exchange CLI commands."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner

from zkmargin import api
from zkmargin.cli.main import cli
from zkmargin.verifier.files import FormatError


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "book.jsonl"
    header = api.sample_book(path, accounts=300, seed=5)
    return path, header


def test_sample_is_synthetic_reproducible_and_valid(book, tmp_path):
    path, header = book
    assert header.synthetic and "SYNTHETIC" in header.note
    opened = api.read_book(path)
    entries = list(opened)
    assert opened.header.synthetic and len(entries) == 300
    assert entries[0].line == 2  # line 1 is the header
    assert len({e.account_id for e in entries}) == 300
    assert sum(1 for e in entries if not e.portfolio.positions) > 0  # collateral-only accounts exist
    api.sample_book(tmp_path / "again.jsonl", accounts=300, seed=5)
    assert (tmp_path / "again.jsonl").read_bytes() == path.read_bytes()


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"account": "a", "positions": [], "collateral": [], "colateral": []}', "colateral: unknown key"),
        ('{"account": "a", "positions": [{"instrument": "nope", "quantity": "1"}], "collateral": []}', "instrument"),
        ('{"account": "a", "positions": [], "collateral": [{"venue": "v", "asset": "USDC", "amount": "-1"}]}',
         "negative"),
        ("[1, 2", "malformed JSON"),
        ("", "blank line"),
        ('{"account": "b", "positions": [], "collateral": []}', "already appears on line 2"),
    ],
)
def test_errors_name_the_line(book, tmp_path, line, message):
    path, _ = book
    lines = path.read_text().splitlines()
    lines[2] = line if "already" not in message else lines[1].replace(json.loads(lines[1])["account"], "b")
    if "already" in message:
        lines[1] = lines[1].replace(json.loads(lines[1])["account"], "b")
    (tmp_path / "bad.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(FormatError, match=f"line 3: .*{message}|line 3: {message}"):
        list(api.read_book(tmp_path / "bad.jsonl"))


def test_cli_book_sample_and_check(tmp_path):
    runner = CliRunner()
    out = tmp_path / "b.jsonl"
    result = runner.invoke(cli, ["book", "sample", "--accounts", "50", "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0 and "SYNTHETIC" in result.output
    result = runner.invoke(cli, ["book", "check", str(out), "--json"])
    assert result.exit_code == 0 and json.loads(result.output) == {"book": str(out), "accounts": 50, "synthetic": True}
    out.write_text(out.read_text() + "{}\n")
    result = runner.invoke(cli, ["book", "check", str(out)])
    assert result.exit_code == 2 and "line 52" in result.output


def test_cli_keys_new(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["keys", "new", "--out", str(tmp_path / "k"), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert stat.S_IMODE((tmp_path / "k" / "exchange_ed25519.key").stat().st_mode) == 0o600
    assert api.public_key_fingerprint((tmp_path / "k" / "exchange_ed25519.pub").read_bytes()) == data["fingerprint"]
    result = runner.invoke(cli, ["keys", "new", "--out", str(tmp_path / "k")])
    assert result.exit_code == 2 and "already exists" in result.output
