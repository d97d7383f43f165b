"""The command line as a user meets it: the margin table, prove and verify on a portfolio,
exit codes 0/1/2, one-line errors, --json, and no tracebacks."""

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from zkmargin.cli.main import cli

from conftest import DATA, TINY


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_line_error(result, *fragments, code=2):
    lines = result.output.strip().splitlines()
    assert result.exit_code == code, result.output
    assert len(lines) == 1 and lines[0].startswith("error: ") and len(lines[0]) <= 207, result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def workspace(tiny_margin_bundle):
    return tiny_margin_bundle


def test_help_lists_every_command():
    result = run("--help")
    for command in ("margin", "setup", "prove", "verify", "inspect", "export-r1cs", "export-wtns", "demo"):
        assert command in result.output


def test_margin_on_the_bundled_sample_explains_netting():
    result = run("margin")
    assert result.exit_code == 0, result.output
    for text in (
        "the group's worst scenario",
        "ETH margin = max(scan, floor)",
        "ETH   stressed collateral's loss in it",
        "maintenance = 0.8 x scan (and ES), 0.6 x short-option minimum, 0.75 x contingency",
        "BTC short-option minimum (a floor)",
        "REQUIREMENT",
        "collateral after haircuts",
        "EXCESS",
        "margined position by position",
        "capital netting saves",
        "net greeks",
    ):
        assert text in result.output
    data = json.loads(run("margin", "--json").output)
    assert data["solvent"] is True and float(data["netting_saves"]) > 0
    assert float(data["isolated_per_position"]) > float(data["isolated_per_venue"]) > float(data["requirement"])


def test_margin_and_prove_refuse_an_insolvent_portfolio(tmp_path):
    result = run("margin", DATA / "tiny_insolvent.json", *TINY)
    assert result.exit_code == 1 and "SHORTFALL" in result.output
    result = run(
        "prove", DATA / "tiny_insolvent.json", *TINY, "--zkey", tmp_path / "none.zkey", "--out", tmp_path / "b"
    )
    one_line_error(
        result, "insolvent", "worst scenario 'price +15%'", "shortfall 4,226.04", "no proof attempted", code=1
    )
    assert not (tmp_path / "b").exists()


def test_bad_inputs_get_one_line_errors(tmp_path):
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps({"account": "a", "positions": [{"instrument": "hyperliquid:ETH-PERP", "quantity": 1.5}]}))
    one_line_error(run("margin", bad, *TINY), str(bad), "positions[0].quantity", "not binary floats")
    bad.write_text("{")
    one_line_error(run("margin", bad, *TINY), "malformed JSON")
    one_line_error(
        run("margin", DATA / "tiny_portfolio.json", "--market", DATA / "tiny_market.json", "--model", "nope"),
        "not a preset",
    )
    small = [*TINY[:4], "--scenarios", "4"]  # margin pads to fit by itself; prove needs a circuit that fits
    assert run("margin", DATA / "tiny_portfolio.json", *small).exit_code == 0
    one_line_error(
        run("prove", DATA / "tiny_portfolio.json", *small, "--zkey", tmp_path / "k.zkey"),
        "need capacity",
        "--scenarios 10",
    )
    one_line_error(run("margin", "--threshold", "0.9"), "--threshold")
    one_line_error(
        run("prove", DATA / "tiny_portfolio.json", *TINY, "--zkey", tmp_path / "missing.zkey"), "run `zkmargin setup`"
    )


def test_verify_valid_bundle_and_its_arrays(workspace):
    result = run("verify", workspace / "bundle")
    assert result.exit_code == 0, result.output
    assert "proof is VALID" in result.output and "worst loss over 10 stress scenarios" in result.output
    result = run("verify", workspace / "bundle", "--market", DATA / "tiny_market.json", "--model", "occ10")
    assert result.exit_code == 0 and "match" in result.output, result.output
    result = run("verify", workspace / "bundle", "--market", DATA / "tiny_market.json", "--model", "span16")
    assert result.exit_code == 1 and "not those of" in result.output
    opening = json.loads((workspace / "bundle-opening.json").read_text())
    assert opening["quantities"]["deribit:ETH-3000-C"] == "-10000000" and "PRIVATE" in opening["warning"]
    assert "salt" not in (workspace / "bundle" / "statement.json").read_text()


def copy_bundle(workspace, tmp_path):
    target = tmp_path / "b"
    shutil.copytree(workspace / "bundle", target)
    return target


def test_tampered_public_input_or_proof_is_invalid(workspace, tmp_path):
    bundle = copy_bundle(workspace, tmp_path)
    public = json.loads((bundle / "public.json").read_text())
    public[3] = "20000"  # claim a 2x margin ratio
    (bundle / "public.json").write_text(json.dumps(public))
    result = run("verify", bundle)
    assert result.exit_code == 1 and "threshold does not match" in result.output
    bundle = copy_bundle(workspace, tmp_path / "2")
    proof = json.loads((bundle / "proof.json").read_text())
    proof["pi_a"], proof["pi_c"] = proof["pi_c"], proof["pi_a"]
    (bundle / "proof.json").write_text(json.dumps(proof))
    result = run("verify", bundle)
    assert result.exit_code == 1 and "does not verify" in result.output


def test_edited_statement_is_invalid(workspace, tmp_path):
    bundle = copy_bundle(workspace, tmp_path)
    statement = json.loads((bundle / "statement.json").read_text())
    statement["parameters"]["unit_loss"][0] = ["0"] * 10  # make the short calls look riskless
    (bundle / "statement.json").write_text(json.dumps(statement))
    result = run("verify", bundle)
    assert result.exit_code == 1 and "parameters_digest does not match" in result.output
    del statement["parameters_digest"]
    (bundle / "statement.json").write_text(json.dumps(statement))
    one_line_error(run("verify", bundle), "missing field 'parameters_digest'")


def test_malformed_bundle_files_exit_2(workspace, tmp_path):
    bundle = copy_bundle(workspace, tmp_path)
    (bundle / "proof.json").write_text("{not json")
    one_line_error(run("verify", bundle), "malformed JSON")
    one_line_error(run("verify", tmp_path / "nowhere"), "not a bundle folder")
    too_many = tmp_path / "public.json"
    too_many.write_text('["1", "2"]')
    one_line_error(run("verify", workspace / "bundle", "--public", too_many), "expected 4 public inputs")


def test_inspect_and_exports(tmp_path):
    tiny = ["--positions", "2", "--collateral", "1", "--scenarios", "10", "--groups", "1"]
    data = json.loads(run("inspect", *tiny, "--json").output)
    # per scenario 2 position and 1 collateral products and a 126-row check; 2 products and 126 for the floor
    assert data["public_inputs"] == 4 and data["constraints_by_part"]["group"] == 10 * (3 + 126) + (2 + 126)
    assert run("export-r1cs", *tiny, "-o", tmp_path / "c.r1cs").exit_code == 0
    result = run("export-wtns", DATA / "tiny_portfolio.json", *TINY, "-o", tmp_path / "c.wtns")
    assert result.exit_code == 0, result.output
    from_file = json.loads(run("inspect", "--r1cs", tmp_path / "c.r1cs", "--json").output)
    assert from_file["constraints"] == data["constraints"]


def test_installed_console_script(tmp_path):
    exe = shutil.which("zkmargin")
    command = [exe] if exe else [sys.executable, "-c", "from zkmargin.cli.main import main; main()"]
    done = subprocess.run(command + ["margin", "--json"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["solvent"] is True
    bad = subprocess.run(command + ["verify", "--proof", "missing.json"], capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
    # A reader that goes away (`zkmargin margin | head -1`) ends the writer quietly, as SIGPIPE would.
    writer = subprocess.Popen(command + ["margin"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    writer.stdout.close()
    _, err = writer.communicate(timeout=300)
    assert writer.returncode == 141 and err == b"", err


def test_a_bundle_is_its_statement(workspace, tmp_path):
    """No statement, an unreadable one, another kind, a relabelled account: exit 2, one line."""
    bundle = copy_bundle(workspace, tmp_path)
    statement = json.loads((bundle / "statement.json").read_text())
    (bundle / "statement.json").unlink()
    one_line_error(run("verify", bundle), "no statement.json")
    (bundle / "statement.json").mkdir()
    one_line_error(run("verify", bundle), "no statement.json")
    (bundle / "statement.json").rmdir()
    for edit, message in (
        ({"circuit": "solvency-basic"}, "unknown field"),
        ({"circuit": "margin-v0"}, "unknown statement"),
        ({"account": "alice"}, "unknown field 'account'"),
    ):
        (bundle / "statement.json").write_text(json.dumps({**statement, **edit}))
        one_line_error(run("verify", bundle), message)
    (bundle / "statement.json").write_text(
        json.dumps({**statement, "timestamp": "2031-01-01T00:00:00Z"})
    )  # an old epoch, new date
    result = run("verify", bundle)
    assert result.exit_code == 1 and "not the epoch's" in result.output


def test_key_fingerprint_must_be_the_keys(workspace, tmp_path):
    bundle = copy_bundle(workspace, tmp_path)
    statement = json.loads((bundle / "statement.json").read_text())
    (bundle / "statement.json").write_text(json.dumps({**statement, "key_fingerprint": "0123456789abcdef"}))
    result = run("verify", bundle)
    assert result.exit_code == 1 and "names key 0123456789abcdef" in result.output, result.output


def test_loose_files_say_what_they_cannot_check(workspace):
    bundle = workspace / "bundle"
    result = run(
        "verify",
        "--vk",
        bundle / "verification_key.json",
        "--proof",
        bundle / "proof.json",
        "--public",
        bundle / "public.json",
    )
    assert result.exit_code == 0 and "nothing says what they mean without statement.json" in result.output, (
        result.output
    )


def test_verify_with_the_owners_opening(workspace, tmp_path):
    opening = workspace / "bundle-opening.json"
    result = run("verify", workspace / "bundle", "--opening", opening)
    assert result.exit_code == 0, result.output
    assert (
        "opens this bundle's commitment" in result.output
        and "REQUIREMENT" in result.output
        and "EXCESS" in result.output
    )
    data = json.loads(run("verify", workspace / "bundle", "--opening", opening, "--json").output)
    assert data["your_margin"]["solvent"] is True
    other = json.loads(opening.read_text())
    other["quantities"]["deribit:ETH-3000-C"] = "-20000000"  # someone else's book
    (tmp_path / "other.json").write_text(json.dumps(other))
    result = run("verify", workspace / "bundle", "--opening", tmp_path / "other.json")
    assert result.exit_code == 1 and "not about this portfolio" in result.output
    other["quantities"]["nowhere:XYZ"] = "1"
    (tmp_path / "other.json").write_text(json.dumps(other))
    one_line_error(
        run("verify", workspace / "bundle", "--opening", tmp_path / "other.json"), "not in the bundle's parameters"
    )


def test_verify_says_how_the_key_was_made(workspace, tmp_path):
    """A development key is impossible to miss; the record is strict like every other file."""
    result = run("verify", workspace / "bundle")
    assert result.exit_code == 0 and "WARNING: a development key" in result.output, result.output
    data = json.loads(run("verify", workspace / "bundle", "--json").output)
    assert data["key_origin"] == {
        "kind": "development",
        "contributions": [],
        "beacon": False,
        "circuit_hash": data["key_origin"]["circuit_hash"],
    }
    bundle = copy_bundle(workspace, tmp_path)
    (bundle / "key_origin.json").write_text(
        json.dumps({"kind": "ceremony", "contributions": [], "beacon": True, "circuit_hash": None})
    )
    one_line_error(run("verify", bundle), "key_origin.json", "lists its contributions")


def test_a_ceremony_record_names_its_contributions():
    from zkmargin.api import KeyOrigin

    origin = KeyOrigin.from_json(
        {"kind": "ceremony", "contributions": ["ab" * 64] * 2, "beacon": True, "circuit_hash": None}
    )
    assert "ceremony of 2 contribution(s) and a final beacon" in origin.describe()
    assert "NO final beacon" in KeyOrigin("ceremony", ("cd" * 64,), False, None).describe()


def test_public_files_are_readable_and_the_opening_is_not(workspace):
    """Bundles are published; the opening reveals every position."""
    import os

    umask = os.umask(0)
    os.umask(umask)
    for name in ("proof.json", "public.json", "verification_key.json", "statement.json", "key_origin.json"):
        assert (workspace / "bundle" / name).stat().st_mode & 0o777 == 0o666 & ~umask, name
    assert (workspace / "bundle-opening.json").stat().st_mode & 0o777 == 0o600
