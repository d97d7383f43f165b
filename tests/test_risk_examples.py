"""The shipped risk model v2 example (circuits/margin/samples/tiered-*.json), tried as a new user
would: `zkmargin margin` explains every term with figures checked here by hand, and setup,
prove and verify run through the CLI at the capacity the example needs; snarkjs accepts the proof.

Hand-checked figures (prices: BTC 95,000, ETH 3,000, USDC 1; the samples' README says why):
- USDC depeg: 20,000,000 USDC at a 2% haircut are worth 19,600,000; a 10% depeg loses
  1,960,000, the USD group's only loss, so its margin.
- BTC group: 1,300 BTC of collateral (haircut 0: the first band's ratio is 100%) and 1,000
  short perpetuals are net long 300 BTC; its worst scenario is down 15%: 300 x 95,000 x 0.15
  = 4,275,000, of which the collateral loses 1,300 x 95,000 x 0.15 = 18,525,000 and the
  perpetuals gain 14,250,000.
- Offset credit: ETH (short) loses in the up move and BTC (net long) in the down move, so they
  are on opposite sides; the ETH margin (about 18,000,000 less the short puts' gain) is the
  larger, so the credit is 0.5 x 4,275,000 = 2,137,500 (maintenance: 0.5 x 0.8 x 4,275,000 =
  1,710,000).
- Size tiers: 1,300 BTC = 123,500,000: 100M at 100%, 20M at 97.5%, 3.5M at 95% is 122,825,000,
  so the bands take 675,000 off.
- Concentration: ETH perpetuals 120M: 1% of 50M + 2.5% of 20M = 1,000,000; BTC 95M: 1% of 45M
  = 450,000; the puts' 6M pay nothing: 1,450,000.
- Contingency 1% of 120M + 95M = 2,150,000; the ETH short-option floor 2,000 x 0.005 x 3,000
  = 30,000.
"""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal

from click.testing import CliRunner

from zkmargin.circuits.margin.inputs import sample_path
from zkmargin.cli.main import cli

BOOK = [
    str(sample_path("tiered-portfolio.json")),
    "--market",
    str(sample_path("tiered-market.json")),
    "--model",
    str(sample_path("tiered-model.json")),
]
# 3 groups (ETH and BTC, the offset pair, then USD) of 2 position slots (ETH: perpetual, put) and
# 1 collateral slot each; 7 scenarios; 3 lines (4 collateral bands, 3 concentration bands); 1 pair.
CAPACITY = "--positions 6 --collateral 3 --scenarios 7 --groups 3 --tiers 3 --pairs 1".split()


def run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_margin_explains_every_term_of_the_example_with_hand_checked_figures():
    data = json.loads(run("margin", *BOOK, "--json"))
    figures = ("collateral_tier_deduction", "concentration_addon", "contingency", "rounding", "requirement",
               "available", "position_value")
    d = {k: Decimal(data[k]) for k in figures}
    groups = {g["name"]: g for g in data["groups"]}
    assert list(groups) == ["ETH", "BTC", "USD"]
    usd, btc, eth = groups["USD"], groups["BTC"], groups["ETH"]
    assert usd["worst_scenario"] == "USDC depeg 10%" and Decimal(usd["margin"]) == 1_960_000
    assert Decimal(usd["stressed_collateral_loss"]) == 1_960_000
    assert btc["worst_scenario"] == "down 15% vol up" and Decimal(btc["margin"]) == 4_275_000
    assert Decimal(btc["stressed_collateral_loss"]) == 18_525_000
    assert eth["worst_scenario"] == "up 15% vol up" and 17_000_000 < Decimal(eth["margin"]) < 18_000_000
    assert Decimal(eth["short_option_minimum"]) == 30_000 and eth["binding"] == "scan risk"
    assert data["offsets"] == [{"groups": ["ETH", "BTC"], "credit": "2137500"}]
    assert d["collateral_tier_deduction"] == 675_000
    assert d["concentration_addon"] == 1_450_000 and d["contingency"] == 2_150_000
    # the requirement is the sum of the terms shown, nothing hidden
    terms = sum(Decimal(g["margin"]) for g in groups.values()) - 2_137_500 + 2_150_000 + 1_450_000 + d["rounding"]
    assert d["requirement"] == terms and data["solvent"] is True
    assert d["available"] == 143_100_000 - 675_000 + d["position_value"] - d["rounding"]

    text = run("margin", *BOOK)
    for line in (
        "USD scan risk (worst: USDC depeg 10%)",
        "BTC   stressed collateral's loss in it",
        "ETH short-option minimum (a floor)",
        "offset credit ETH / BTC (50% of the smaller margin)",
        "concentration add-ons (size bands)",
        "size tiers: what the value bands take off",
        "maintenance = 0.8 x scan (and ES), 0.6 x short-option minimum, 0.75 x contingency;",
    ):
        assert line in text, line
    credit = next(row for row in text.splitlines() if row.strip().startswith("offset credit ETH / BTC  "))
    assert credit.split()[-2:] == ["-2,137,500.00", "-1,710,000.00"]  # initial, maintenance


def test_the_example_proves_and_verifies_through_the_cli_and_snarkjs(tmp_path):
    from interop.oracle import SNARKJS, require_snarkjs

    require_snarkjs()
    run("setup", *CAPACITY, "--out", str(tmp_path / "keys"))
    (zkey,) = (tmp_path / "keys").glob("*.zkey")
    assert zkey.name == "portfolio-margin-6x3x7x3-tiers3-pairs1.zkey"
    run("prove", *BOOK, *CAPACITY, "--zkey", str(zkey), "--out", str(tmp_path / "bundle"))
    out = run("verify", str(tmp_path / "bundle"), *BOOK[1:])
    assert "proof is VALID" in out and "match" in out and "over 3 risk groups" in out
    # the statement line names every term the digest binds here
    assert "after haircuts (size-tiered)" in out and "concentration add-ons" in out
    assert "less offset credits between 1 group pair (" in out
    done = subprocess.run(
        ["node", str(SNARKJS), "groth16", "verify", "verification_key.json", "public.json", "proof.json"],
        cwd=tmp_path / "bundle",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0 and "OK!" in done.stdout, done.stdout + done.stderr
