"""On-chain verification: our Solidity verifier and margin gate, compiled by solc-js and run on
@ethereumjs/evm (Prague, BN254 precompiles), against a real portfolio-margin key and proof.

snarkjs is the oracle twice: its own exported verifier must accept what ours accepts (and
reject what ours rejects) on the same EVM, and its soliditycalldata must equal ours.
Skipped without node and `npm ci --prefix tests/interop`, except under CI, where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from zkmargin.cli.main import cli
from zkmargin.prover.groth16.solidity import proof_words
from zkmargin.verifier.bundle import load_bundle
from py_ecc.optimized_bn128 import G1 as G1_GENERATOR
from py_ecc.optimized_bn128 import G2 as G2_GENERATOR
from zkmargin.verifier.curve import CURVE_ORDER, FIELD_MODULUS
from zkmargin.verifier.formats import Proof

from evm import ETHEREUMJS, SOLC, Chain, Contract, words

HERE = Path(__file__).resolve().parent
SNARKJS = HERE / "node_modules" / "snarkjs" / "cli.js"

pytestmark = pytest.mark.interop

if not (shutil.which("node") and SNARKJS.is_file() and SOLC.is_file() and ETHEREUMJS.is_dir()):
    reason = "solc-js, @ethereumjs/evm or snarkjs not installed (run: npm ci --prefix tests/interop)"
    if os.environ.get("CI"):
        raise RuntimeError(f"interop tests must run under CI: {reason}")
    pytest.skip(reason, allow_module_level=True)

VERIFY = "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[4])"
CHECK = "check(uint256[2],uint256[2][2],uint256[2],uint256[4])"
VERDICT = "verdict(uint256[2],uint256[2][2],uint256[2],uint256[4])"
REQUIRE = "requireSolvent(uint256[2],uint256[2][2],uint256[2],uint256[4])"
ACCEPTED, UNKNOWN_PARAMETERS, THRESHOLD_LOW, EPOCH_FUTURE, EPOCH_OLD, INVALID_PROOF = range(6)
MAX_AGE = 3600
OWNER, STRANGER = 0xA11CE, 0xB0B


def snarkjs(*args: str, cwd: Path) -> str:
    done = subprocess.run(["node", str(SNARKJS), *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@dataclass
class Deployed:
    chain: Chain
    ours: str  # our verifier's address
    theirs: str  # snarkjs's verifier's address
    verifier: Contract
    snarkjs_verifier: Contract
    gate: Contract
    proof: Proof
    public: tuple[int, ...]
    deploy_gas: dict[str, int]

    @property
    def epoch(self) -> int:
        return self.public[2]

    @property
    def threshold(self) -> int:
        return self.public[3]

    def new_gate(self, min_threshold: int | None = None, digest: int | None = None) -> str:
        """A gate over our verifier, owned by OWNER, pinning the proof's digest (or another)."""
        args = words(int(self.ours, 16), self.threshold if min_threshold is None else min_threshold, MAX_AGE)
        address, self.deploy_gas["MarginGate"] = self.chain.deploy(self.gate, args, sender=OWNER)
        pinned = self.public[1] if digest is None else digest
        assert self.chain.call(
            address, self.gate, "setParameters(uint256,bool)", words(pinned, 1), sender=OWNER
        ).success
        return address


def args(proof_or_words, public) -> str:
    w = proof_words(proof_or_words) if isinstance(proof_or_words, Proof) else proof_or_words
    return words(*w, *public)


@pytest.fixture(scope="module")
def deployed(tiny_margin_bundle, tmp_path_factory):
    """Our contracts (through the CLI) and snarkjs's verifier for the tiny margin key, deployed."""
    folder = tmp_path_factory.mktemp("solidity")
    bundle = tiny_margin_bundle / "bundle"
    result = CliRunner().invoke(cli, ["export", "solidity", str(bundle), "-o", str(folder)])
    assert result.exit_code == 0, result.output
    snarkjs(
        "zkey",
        "export",
        "solidityverifier",
        str(tiny_margin_bundle / "tiny.zkey"),
        str(folder / "SnarkjsVerifier.sol"),
        cwd=folder,
    )
    chain = Chain()
    sources = {
        name: (folder / name).read_text() for name in ("Groth16Verifier.sol", "MarginGate.sol", "SnarkjsVerifier.sol")
    }
    contracts = chain.compile(sources)
    verifier, theirs = (
        contracts["Groth16Verifier.sol:Groth16Verifier"],
        contracts["SnarkjsVerifier.sol:Groth16Verifier"],
    )
    gas = {}
    ours_address, gas["Groth16Verifier"] = chain.deploy(verifier)
    theirs_address, gas["snarkjs Groth16Verifier"] = chain.deploy(theirs)
    loaded = load_bundle(bundle)
    yield Deployed(
        chain,
        ours_address,
        theirs_address,
        verifier,
        theirs,
        contracts["MarginGate.sol:MarginGate"],
        loaded.proof,
        loaded.public,
        gas,
    )
    chain.close()


def both_verifiers(d: Deployed, calldata: str) -> tuple[bool, bool]:
    """Our verifier's and snarkjs's answers; neither may revert on any input."""
    return (
        d.chain.call(d.ours, d.verifier, VERIFY, calldata).as_bool,
        d.chain.call(d.theirs, d.snarkjs_verifier, VERIFY, calldata).as_bool,
    )


def test_both_verifiers_accept_the_proof(deployed):
    assert both_verifiers(deployed, args(deployed.proof, deployed.public)) == (True, True)


def test_a_tampered_proof_or_input_is_rejected(deployed):
    d = deployed
    g = proof_words(Proof(d.proof.a, d.proof.b, G1_GENERATOR))  # C replaced by another valid point
    assert both_verifiers(d, args(g, d.public)) == (False, False)
    shifted = Proof(d.proof.c, d.proof.b, d.proof.a)  # A and C swapped: still points, wrong proof
    assert both_verifiers(d, args(shifted, d.public)) == (False, False)
    for i in range(4):
        public = list(d.public)
        public[i] = (public[i] + 1) % CURVE_ORDER
        assert both_verifiers(d, args(d.proof, public)) == (False, False), f"input {i}"


def test_public_inputs_of_r_or_more_are_rejected(deployed):
    """x and x + r are the same field element: a verifier that reduced mod r would accept both."""
    d = deployed
    for i in range(4):
        for value in (d.public[i] + CURVE_ORDER, CURVE_ORDER, (1 << 256) - 1):
            public = list(d.public)
            public[i] = value
            assert both_verifiers(d, args(d.proof, public)) == (False, False), f"input {i} = {value}"


def _twist_point_outside_g2() -> tuple[int, int, int, int]:
    """A point on BN254's twist but not in the order-r subgroup, in the precompile's word order."""
    from py_ecc import optimized_bn128 as bn

    q2 = FIELD_MODULUS**2
    one = bn.FQ2.one()

    def sqrt(a):  # Tonelli-Shanks in F_{q^2}; None for a non-square
        if a ** ((q2 - 1) // 2) != one:
            return None
        s, t = 0, q2 - 1
        while t % 2 == 0:
            s, t = s + 1, t // 2
        z = next(bn.FQ2([k, 1]) for k in range(2, 100) if bn.FQ2([k, 1]) ** ((q2 - 1) // 2) != one)
        m, c, x, b = s, z**t, a ** ((t + 1) // 2), a**t
        while b != one:
            i, b2 = 0, b
            while b2 != one:
                i, b2 = i + 1, b2 * b2
            d = c ** (2 ** (m - i - 1))
            m, c, x, b = i, d * d, x * d, b * d * d
        return x

    for k in range(1, 100):
        x = bn.FQ2([k, 1])
        y = sqrt(x**3 + bn.b2)
        if y is not None:
            point = (x, y, one)
            assert bn.is_on_curve(point, bn.b2) and not bn.is_inf(bn.multiply(point, CURVE_ORDER))
            (x0, x1), (y0, y1) = (int(c) for c in x.coeffs), (int(c) for c in y.coeffs)
            return (x1, x0, y1, y0)
    raise AssertionError("no twist point found")


def test_malformed_points_are_rejected_without_reverting(deployed):
    d = deployed
    w = list(proof_words(d.proof))
    cases = {
        "A off the curve": {1: (w[1] + 1) % FIELD_MODULUS},
        "A.y not reduced mod q": {1: w[1] + FIELD_MODULUS},
        "C.x not reduced mod q": {6: w[6] + FIELD_MODULUS},
        "B off the twist": {5: (w[5] + 1) % FIELD_MODULUS},
        "B's coordinates in JSON order (c0, c1)": {2: w[3], 3: w[2], 4: w[5], 5: w[4]},
        "B.x.c1 not reduced mod q": {2: w[2] + FIELD_MODULUS},
        "B on the twist, outside G2": dict(zip(range(2, 6), _twist_point_outside_g2())),
    }
    for name, changes in cases.items():
        bad = [changes.get(i, v) for i, v in enumerate(w)]
        assert both_verifiers(d, args(bad, d.public)) == (False, False), name


def revert_data(chain: Chain, signature: str, *values: int) -> bytes:
    return chain.selector(signature) + bytes.fromhex(words(*values))


def test_margin_gate_accepts_a_valid_proof_in_its_policy(deployed):
    d = deployed
    gate = d.new_gate()
    calldata, now = args(d.proof, d.public), d.epoch + 600
    assert d.chain.call(gate, d.gate, CHECK, calldata, timestamp=now).as_bool
    assert d.chain.call(gate, d.gate, VERDICT, calldata, timestamp=now).as_uint == ACCEPTED
    outcome = d.chain.call(gate, d.gate, REQUIRE, calldata, timestamp=now)
    assert outcome.success and outcome.returned == b"", outcome


def test_margin_gate_rejects_a_wrong_epoch(deployed):
    d = deployed
    gate = d.new_gate()
    calldata = args(d.proof, d.public)
    too_late = d.epoch + MAX_AGE + 1
    assert d.chain.call(
        gate, d.gate, CHECK, calldata, timestamp=d.epoch + MAX_AGE
    ).as_bool  # the last second it is fresh
    assert not d.chain.call(gate, d.gate, CHECK, calldata, timestamp=too_late).as_bool
    outcome = d.chain.call(gate, d.gate, REQUIRE, calldata, timestamp=too_late)
    assert not outcome.success and outcome.returned == revert_data(
        d.chain, "EpochTooOld(uint256,uint256)", d.epoch, d.epoch + 1
    )
    outcome = d.chain.call(gate, d.gate, REQUIRE, calldata, timestamp=d.epoch - 1)
    assert not outcome.success and outcome.returned == revert_data(
        d.chain, "EpochInFuture(uint256,uint256)", d.epoch, d.epoch - 1
    )
    # Another epoch under the same (pinned) digest: the digest covers the epoch, so the proof fails.
    public = (*d.public[:2], d.epoch - 60, d.threshold)
    assert d.chain.call(gate, d.gate, VERDICT, args(d.proof, public), timestamp=d.epoch).as_uint == INVALID_PROOF
    outcome = d.chain.call(gate, d.gate, REQUIRE, args(d.proof, public), timestamp=d.epoch)
    assert not outcome.success and outcome.returned == revert_data(d.chain, "InvalidProof()")


def test_margin_gate_rejects_unpinned_parameters_and_a_low_threshold(deployed):
    d = deployed
    calldata, now = args(d.proof, d.public), d.epoch + 1
    other = d.new_gate(digest=d.public[1] + 1)
    assert d.chain.call(other, d.gate, VERDICT, calldata, timestamp=now).as_uint == UNKNOWN_PARAMETERS
    outcome = d.chain.call(other, d.gate, REQUIRE, calldata, timestamp=now)
    assert not outcome.success and outcome.returned == revert_data(d.chain, "UnknownParameters(uint256)", d.public[1])

    strict = d.new_gate(min_threshold=d.threshold + 1)
    assert d.chain.call(strict, d.gate, VERDICT, calldata, timestamp=now).as_uint == THRESHOLD_LOW
    outcome = d.chain.call(strict, d.gate, REQUIRE, calldata, timestamp=now)
    assert not outcome.success and outcome.returned == revert_data(
        d.chain, "ThresholdBelowMinimum(uint256,uint256)", d.threshold, d.threshold + 1
    )
    # Only the owner moves the minimum; once lowered to the proof's threshold, the proof passes.
    denied = d.chain.call(strict, d.gate, "setMinThreshold(uint256)", words(d.threshold), sender=STRANGER)
    assert not denied.success and denied.returned == revert_data(d.chain, "NotOwner()")
    assert d.chain.call(strict, d.gate, "setMinThreshold(uint256)", words(d.threshold), sender=OWNER).success
    assert d.chain.call(strict, d.gate, CHECK, calldata, timestamp=now).as_bool
    # Unpinning the digest retires the parameters.
    assert d.chain.call(strict, d.gate, "setParameters(uint256,bool)", words(d.public[1], 0), sender=OWNER).success
    assert d.chain.call(strict, d.gate, VERDICT, calldata, timestamp=now).as_uint == UNKNOWN_PARAMETERS


def test_margin_gate_rejects_inputs_of_r_or_more_and_tampered_proofs(deployed):
    d = deployed
    gate, now = d.new_gate(), d.epoch + 1
    aliased = (d.public[0] + CURVE_ORDER, *d.public[1:])
    assert d.chain.call(gate, d.gate, VERDICT, args(d.proof, aliased), timestamp=now).as_uint == INVALID_PROOF
    tampered = Proof(d.proof.a, d.proof.b, G1_GENERATOR)
    assert d.chain.call(gate, d.gate, VERDICT, args(tampered, d.public), timestamp=now).as_uint == INVALID_PROOF


def test_gas_per_verification(deployed):
    """The figures the README quotes: pytest tests/interop/test_solidity.py -k gas -s"""
    d = deployed
    calldata = args(d.proof, d.public)
    ours = d.chain.call(d.ours, d.verifier, VERIFY, calldata)
    theirs = d.chain.call(d.theirs, d.snarkjs_verifier, VERIFY, calldata)
    gate = d.new_gate()
    through_gate = d.chain.call(gate, d.gate, REQUIRE, calldata, timestamp=d.epoch + 1)
    assert ours.as_bool and theirs.as_bool and through_gate.success
    # The precompiles alone: 4 ecMul (6,000), 4 ecAdd (150) and a 4-pair ecPairing (45,000 + 4 x 34,000).
    floor = 4 * 6000 + 4 * 150 + 45000 + 4 * 34000
    assert floor < ours.gas < floor + 20000, ours.gas
    assert ours.gas <= theirs.gas + 5000, (ours.gas, theirs.gas)
    data = bytes.fromhex(d.verifier.selectors[VERIFY] + calldata)
    transaction = 21000 + sum(4 if byte == 0 else 16 for byte in data)  # base + calldata (EIP-2028)
    print(f"\nexecution gas: verifyProof ours {ours.gas}, snarkjs {theirs.gas}; gate {through_gate.gas}")
    print(f"a transaction adds {transaction} (21,000 + {len(data)} bytes of calldata)")
    print(f"deployment gas: {d.deploy_gas}")


def test_our_calldata_equals_snarkjs(tiny_margin_bundle):
    bundle = tiny_margin_bundle / "bundle"
    theirs = snarkjs("zkey", "export", "soliditycalldata", "public.json", "proof.json", cwd=bundle).strip()
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "calldata", str(bundle)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == theirs
    explicit = runner.invoke(
        cli, ["export", "calldata", "--proof", str(bundle / "proof.json"), "--public", str(bundle / "public.json")]
    )
    assert explicit.output == result.output


def test_a_verifier_for_a_key_with_one_public_input(solvency_key, tmp_path):
    """The template is not tied to 4 inputs: the minimal circuit's key, and no gate for it."""
    from zkmargin.api.proving import write_bundle
    from zkmargin.prover import get_engine, prove
    from zkmargin.verifier.kinds import SOLVENCY_BASIC
    from zkmargin.verifier.statement import Statement

    spec, r1cs, pk = solvency_key
    witness = spec.constraint_system(spec.parse_input(spec.sample_input(), "sample")).witness()
    proof, public = prove(pk, witness, get_engine(), r1cs)
    write_bundle(
        tmp_path / "b", pk.verifying_key(), proof, public, Statement(SOLVENCY_BASIC, {"commitment": public[0]})
    )
    result = CliRunner().invoke(
        cli, ["export", "solidity", str(tmp_path / "b" / "verification_key.json"), "-o", str(tmp_path / "sol")]
    )
    assert result.exit_code == 0 and "no MarginGate.sol" in result.output, result.output
    assert sorted(p.name for p in (tmp_path / "sol").iterdir()) == ["Groth16Verifier.sol"]
    chain = Chain()
    try:
        contract = chain.compile({"V.sol": (tmp_path / "sol" / "Groth16Verifier.sol").read_text()})[
            "V.sol:Groth16Verifier"
        ]
        address, _ = chain.deploy(contract)
        signature = "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[1])"
        assert chain.call(address, contract, signature, args(proof, public)).as_bool
        assert not chain.call(address, contract, signature, args(proof, [(public[0] + 1) % CURVE_ORDER])).as_bool
    finally:
        chain.close()


def test_export_errors_are_one_line_and_exit_2(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(cli, ["export", "solidity", str(tmp_path / "nothing.json")])
    assert missing.exit_code == 2 and missing.output.count("\n") == 1 and missing.output.startswith("error: "), (
        missing.output
    )
    from zkmargin.circuits.files import write_json
    from zkmargin.verifier.formats import VerifyingKey

    g1, g2 = G1_GENERATOR, G2_GENERATOR
    write_json(tmp_path / "no_inputs.json", VerifyingKey(g1, g2, g2, g2, (g1,)).to_json())
    empty = runner.invoke(cli, ["export", "solidity", str(tmp_path / "no_inputs.json"), "-o", str(tmp_path / "out")])
    assert empty.exit_code == 2 and "no public inputs" in empty.output and not (tmp_path / "out").exists()
    (tmp_path / "public.json").write_text('["1"]')
    no_proof = runner.invoke(cli, ["export", "calldata", "--public", str(tmp_path / "public.json")])
    assert no_proof.exit_code == 2 and no_proof.output.startswith("error: "), no_proof.output
