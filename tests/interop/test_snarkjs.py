"""snarkjs 0.7.6 as the oracle: a proof one tool makes, the other accepts.

Needs node and `npm ci` in tests/interop; skipped without them, except under CI (CI=true),
where a skip would hide a broken install and so fails instead.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from zkmargin.circuits.iden3_files import write_r1cs, write_wtns
from zkmargin.cli.main import cli
from zkmargin.api.proving import write_bundle
from zkmargin.circuits.files import write_json
from zkmargin.prover import get_engine, prove, read_zkey, write_zkey
from zkmargin.prover.groth16 import coefficients_of, domain_size
from zkmargin.verifier import poseidon
from zkmargin.verifier.kinds import SOLVENCY_BASIC
from zkmargin.verifier.statement import Statement
from zkmargin.verifier.poseidon import PARTIAL_ROUNDS, parameters

from oracle import HERE, SNARKJS, require_snarkjs

CIRCOMLIBJS = HERE / "node_modules" / "circomlibjs"

pytestmark = pytest.mark.interop

require_snarkjs()


def snarkjs(*args: str, cwd: Path) -> str:
    done = subprocess.run(["node", str(SNARKJS), *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory, solvency_key):
    spec, r1cs, pk = solvency_key
    folder = tmp_path_factory.mktemp("interop")
    api = spec.constraint_system(spec.parse_input(spec.sample_input(), "sample"))
    witness = api.witness()
    write_r1cs(r1cs, folder / "circuit.r1cs")
    write_wtns(witness, folder / "witness.wtns")
    write_zkey(pk, folder / "zkmargin.zkey")
    proof, public = prove(pk, witness, get_engine(), r1cs)
    write_bundle(
        folder / "ours", pk.verifying_key(), proof, public, Statement(SOLVENCY_BASIC, {"commitment": public[0]})
    )
    return folder, r1cs


def test_snarkjs_reads_our_r1cs(artifacts):
    folder, r1cs = artifacts
    out = snarkjs("r1cs", "info", "circuit.r1cs", cwd=folder)
    assert f"# of Constraints: {r1cs.n_constraints}" in out and "# of Public Inputs: 1" in out


def test_snarkjs_accepts_our_witness(artifacts):
    folder, _ = artifacts
    assert "WITNESS IS CORRECT" in snarkjs("wtns", "check", "circuit.r1cs", "witness.wtns", cwd=folder)


def test_snarkjs_verifies_our_proof(artifacts):
    folder, _ = artifacts
    out = snarkjs("groth16", "verify", "ours/verification_key.json", "ours/public.json", "ours/proof.json", cwd=folder)
    assert "OK!" in out


def test_snarkjs_rejects_our_proof_with_a_tampered_input(artifacts, tmp_path):
    folder, _ = artifacts
    public = json.loads((folder / "ours" / "public.json").read_text())
    write_json(tmp_path / "public.json", [str(int(public[0]) + 1)])
    done = subprocess.run(
        [
            "node",
            str(SNARKJS),
            "groth16",
            "verify",
            str(folder / "ours" / "verification_key.json"),
            str(tmp_path / "public.json"),
            str(folder / "ours" / "proof.json"),
        ],
        capture_output=True,
        text=True,
    )
    assert "Invalid proof" in done.stdout + done.stderr


def test_snarkjs_proves_with_our_zkey_and_exports_our_key(artifacts):
    folder, _ = artifacts
    snarkjs("groth16", "prove", "zkmargin.zkey", "witness.wtns", "sj_proof.json", "sj_public.json", cwd=folder)
    result = CliRunner().invoke(
        cli,
        [
            "verify",
            "--vk",
            str(folder / "ours" / "verification_key.json"),
            "--proof",
            str(folder / "sj_proof.json"),
            "--public",
            str(folder / "sj_public.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    snarkjs("zkey", "export", "verificationkey", "zkmargin.zkey", "sj_vk.json", cwd=folder)
    exported = json.loads((folder / "sj_vk.json").read_text())
    ours = json.loads((folder / "ours" / "verification_key.json").read_text())
    exported.pop("vk_alphabeta_12")
    assert exported == ours


def test_we_verify_a_proof_from_snarkjs_own_setup(artifacts):
    """snarkjs's powers of tau, its groth16 setup over our .r1cs, its prover: zkmargin verify accepts."""
    folder, r1cs = artifacts
    snarkjs("powersoftau", "new", "bn128", "10", "pot0.ptau", cwd=folder)
    snarkjs("powersoftau", "contribute", "pot0.ptau", "pot1.ptau", "--name=test", "-e=zkmargin interop", cwd=folder)
    snarkjs("powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau", cwd=folder)
    snarkjs("groth16", "setup", "circuit.r1cs", "pot.ptau", "theirs.zkey", cwd=folder)
    theirs = read_zkey(folder / "theirs.zkey")  # snarkjs's reduction: the same domain and section 4 as ours
    assert theirs.domain_size == domain_size(r1cs)
    assert sorted(theirs.coefficients) == sorted(coefficients_of(r1cs))
    snarkjs("zkey", "export", "verificationkey", "theirs.zkey", "their_vk.json", cwd=folder)
    snarkjs("groth16", "prove", "theirs.zkey", "witness.wtns", "their_proof.json", "their_public.json", cwd=folder)
    args = [
        "verify",
        "--vk",
        str(folder / "their_vk.json"),
        "--proof",
        str(folder / "their_proof.json"),
        "--public",
        str(folder / "their_public.json"),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and "VALID" in result.output, result.output
    # ... and rejects it for other public inputs.
    write_json(folder / "wrong_public.json", ["1"])
    args[-1] = str(folder / "wrong_public.json")
    assert CliRunner().invoke(cli, args).exit_code == 1


def test_snarkjs_sets_up_from_our_development_ptau(artifacts, solvency_key):
    """Our .ptau, just large enough for the circuit, is one snarkjs builds a working key from."""
    from zkmargin.prover.ptau import write_ptau

    folder, _ = artifacts
    power = domain_size(solvency_key[1]).bit_length() - 1
    write_ptau(folder / "ours.ptau", power, get_engine())
    assert "ERROR" not in snarkjs("groth16", "setup", "circuit.r1cs", "ours.ptau", "from_ours.zkey", cwd=folder)
    snarkjs("zkey", "export", "verificationkey", "from_ours.zkey", "from_ours_vk.json", cwd=folder)
    snarkjs("groth16", "prove", "from_ours.zkey", "witness.wtns", "p.json", "pub.json", cwd=folder)
    assert "OK" in snarkjs("groth16", "verify", "from_ours_vk.json", "pub.json", "p.json", cwd=folder)
    args = [
        "verify",
        "--vk",
        str(folder / "from_ours_vk.json"),
        "--proof",
        str(folder / "p.json"),
        "--public",
        str(folder / "pub.json"),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and "VALID" in result.output, result.output


def test_poseidon_constants_equal_circomlibjs():
    shipped = json.loads((CIRCOMLIBJS / "src" / "poseidon_constants.json").read_text())
    for t in range(2, len(PARTIAL_ROUNDS) + 2):
        ours = parameters(t)
        assert [int(c, 16) for c in shipped["C"][t - 2]] == list(ours.round_constants), f"round constants t={t}"
        assert [[int(c, 16) for c in row] for row in shipped["M"][t - 2]] == [list(r) for r in ours.mds], f"MDS t={t}"


def test_poseidon_matches_circomlibjs_on_random_inputs(tmp_path):
    import random

    rng = random.Random(11)
    cases = [[rng.randrange(2**253) for _ in range(n)] for n in (1, 2, 3, 5, 8, 16)]
    script = tmp_path / "hash.mjs"
    script.write_text(
        f"import {{ buildPoseidon }} from '{(CIRCOMLIBJS / 'main.js').as_posix()}';\n"
        "const p = await buildPoseidon();\n"
        f"const cases = {json.dumps([[str(v) for v in c] for c in cases])};\n"
        "console.log(JSON.stringify(cases.map(c => p.F.toString(p(c.map(BigInt))))));\n"
    )
    done = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [int(v) for v in json.loads(done.stdout)] == [poseidon(c) for c in cases]


def test_snarkjs_accepts_a_portfolio_margin_proof_and_witness(tiny_margin_bundle, tmp_path):
    from conftest import DATA, TINY

    bundle = tiny_margin_bundle / "bundle"
    out = snarkjs("groth16", "verify", "verification_key.json", "public.json", "proof.json", cwd=bundle)
    assert "OK!" in out
    runner = CliRunner()
    capacity = TINY[4:]
    assert runner.invoke(cli, ["export-r1cs", *capacity, "-o", str(tmp_path / "m.r1cs")]).exit_code == 0
    assert (
        runner.invoke(
            cli, ["export-wtns", str(DATA / "tiny_portfolio.json"), *TINY, "-o", str(tmp_path / "m.wtns")]
        ).exit_code
        == 0
    )
    assert "WITNESS IS CORRECT" in snarkjs("wtns", "check", "m.r1cs", "m.wtns", cwd=tmp_path)


def test_snarkjs_accepts_a_proof_under_historical_expected_shortfall(tmp_path):
    """The hist-es preset (60 tail scenarios, ES at 97.5%) through the CLI's setup, prove and
    verify --market; snarkjs verifies the same bundle. One underlying keeps the circuit small."""
    from conftest import DATA

    runner = CliRunner()
    capacity = ["--positions", "2", "--collateral", "1", "--scenarios", "2", "--groups", "1", "--tail-scenarios", "60"]
    book = [str(DATA / "tiny_portfolio.json"), "--market", str(DATA / "tiny_market.json"), "--model", "hist-es"]
    steps = [
        ["setup", *capacity, "--out", str(tmp_path / "keys")],
        ["prove", *book, *capacity, "--zkey", str(tmp_path / "keys" / "portfolio-margin-2x1x2x1-tail-scenarios60.zkey"),
         "--out", str(tmp_path / "bundle")],
        ["verify", str(tmp_path / "bundle"), "--market", str(DATA / "tiny_market.json"), "--model", "hist-es"],
    ]
    for args in steps:
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    assert "mean of the worst 2 of 60 tail losses" in result.output
    out = snarkjs("groth16", "verify", "verification_key.json", "public.json", "proof.json", cwd=tmp_path / "bundle")
    assert "OK!" in out
