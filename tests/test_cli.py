"""The command line as a user meets it: exit codes 0/1/2, one-line errors, --json, no tracebacks."""

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from zkmargin.cli.main import cli
from zkmargin.prover import write_zkey


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, solvency_key):
    """A folder with keys from the shared setup and one proven bundle."""
    _, _, pk = solvency_key
    root = tmp_path_factory.mktemp("cli")
    write_zkey(pk, root / "keys" / "solvency-basic.zkey")
    result = CliRunner().invoke(cli, ["prove", "--zkey", str(root / "keys" / "solvency-basic.zkey"), "--out", str(root / "bundle"), "--json"])
    assert result.exit_code == 0, result.output
    return root


def run(*args):
    return CliRunner().invoke(cli, list(args))


def one_line_error(result, *fragments):
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output


def test_help_lists_every_command():
    result = run("--help")
    for command in ("setup", "prove", "verify", "inspect", "export-r1cs", "export-wtns", "demo"):
        assert command in result.output


def test_verify_valid_bundle(workspace):
    result = run("verify", str(workspace / "bundle"))
    assert result.exit_code == 0, result.output
    assert "proof is VALID" in result.output and "committed collateral covers" in result.output
    data = json.loads(run("verify", str(workspace / "bundle"), "--json").output)
    assert data["valid"] is True and data["circuit"] == "solvency-basic"


def test_verify_tampered_public_input_exits_1(workspace, tmp_path):
    bundle = tmp_path / "b"
    shutil.copytree(workspace / "bundle", bundle)
    public = json.loads((bundle / "public.json").read_text())
    (bundle / "public.json").write_text(json.dumps([str(int(public[0]) + 1)]))
    result = run("verify", str(bundle))
    assert result.exit_code == 1 and "INVALID" in result.output


def test_verify_tampered_proof_exits_1(workspace, tmp_path):
    bundle = tmp_path / "b"
    shutil.copytree(workspace / "bundle", bundle)
    proof = json.loads((bundle / "proof.json").read_text())
    proof["pi_a"], proof["pi_c"] = proof["pi_c"], proof["pi_a"]
    (bundle / "proof.json").write_text(json.dumps(proof))
    assert run("verify", str(bundle)).exit_code == 1


def test_verify_malformed_and_wrong_inputs_exit_2(workspace, tmp_path):
    bundle = tmp_path / "b"
    shutil.copytree(workspace / "bundle", bundle)
    (bundle / "proof.json").write_text("{not json")
    one_line_error(run("verify", str(bundle)), "malformed JSON")
    one_line_error(run("verify", str(tmp_path / "nowhere")), "not a bundle folder")
    too_many = tmp_path / "public.json"
    too_many.write_text('["1", "2"]')
    one_line_error(run("verify", str(workspace / "bundle"), "--public", str(too_many)), "expects 1 public inputs")


def test_prove_refuses_insolvent_and_bad_inputs(workspace, tmp_path):
    zkey = str(workspace / "keys" / "solvency-basic.zkey")
    insolvent = tmp_path / "insolvent.json"
    insolvent.write_text(json.dumps({"collateral": "10", "requirement": "11", "salt": "5"}))
    one_line_error(run("prove", "--zkey", zkey, "--input", str(insolvent), "--out", str(tmp_path / "x")), "insolvent", "by 1")
    assert not (tmp_path / "x").exists()
    negative = tmp_path / "negative.json"
    negative.write_text(json.dumps({"collateral": "-10", "requirement": "1", "salt": "5"}))
    one_line_error(run("prove", "--zkey", zkey, "--input", str(negative)), "collateral must be a non-negative")
    one_line_error(run("prove", "--zkey", str(tmp_path / "missing.zkey")), "run `zkmargin setup")
    one_line_error(run("prove", "--circuit", "nope"), "unknown circuit")


def test_inspect_and_exports(tmp_path):
    data = json.loads(run("inspect", "--json").output)
    assert data["constraints"] > 400 and data["public_inputs"] == 1
    assert run("export-r1cs", "-o", str(tmp_path / "c.r1cs")).exit_code == 0
    assert run("export-wtns", "-o", str(tmp_path / "c.wtns")).exit_code == 0
    from_file = json.loads(run("inspect", "--r1cs", str(tmp_path / "c.r1cs"), "--json").output)
    assert from_file["constraints"] == data["constraints"]
    assert "solvency-basic" in run("inspect", "--list").output


def test_installed_console_script_runs_the_demo(tmp_path):
    exe = shutil.which("zkmargin")
    command = [exe] if exe else [sys.executable, "-c", "from zkmargin.cli.main import main; main()"]
    done = subprocess.run(command + ["demo", "--json"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["valid"] is True
    bad = subprocess.run(command + ["verify", "--proof", "missing.json"], capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
