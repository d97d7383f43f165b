"""EpochRegistry.sol on a real EVM (@ethereumjs/evm, compiled by solc-js): posting epochs and
checking a batch's membership and proof by view call (issue 16, exchange mode's registry).

The tier's verifier here is the one `zkmargin export solidity` writes for a one-public-input
key; the batches are real Groth16 proofs of it, each with its own public input."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner

from zkmargin.cli.main import cli
from zkmargin.prover import get_engine, prove
from zkmargin.prover.groth16.registry import MAX_DEPTH, ZERO, batch_leaf, batch_path, batches_root, depth
from zkmargin.prover.groth16.solidity import proof_words
from zkmargin.verifier.curve import CURVE_ORDER

from evm import ETHEREUMJS, SOLC, Chain, words

pytestmark = pytest.mark.interop

if not (shutil.which("node") and SOLC.is_file() and ETHEREUMJS.is_dir()):
    reason = "solc-js or @ethereumjs/evm not installed (run: npm ci --prefix tests/interop)"
    if os.environ.get("CI"):
        raise RuntimeError(f"interop tests must run under CI: {reason}")
    pytest.skip(reason, allow_module_level=True)

EXCHANGE, STRANGER = 0xE8C4, 0xB0B
TIER = 3
SET_TIER = "setTierVerifier(uint256,address)"
POST = "postEpoch(uint256,uint256,bytes32,bytes32,bytes32,uint64)"
IS_BATCH = f"isBatch(uint256,uint256,uint256,uint256,bytes32[{MAX_DEPTH}])"
CHECK = f"checkBatch(uint256,uint256,uint256,bytes32[{MAX_DEPTH}],uint256[2],uint256[2][2],uint256[2],uint256)"
DEPTH = "depth(uint256)"


def word(data: bytes) -> int:
    return int.from_bytes(data, "big")


@pytest.fixture(scope="module")
def registry(solvency_key, tmp_path_factory):
    """Three proofs of the one-input key as an epoch's batches; the registry and the tier's
    verifier deployed, the epoch posted."""
    spec, r1cs, pk = solvency_key
    folder = tmp_path_factory.mktemp("registry")
    from zkmargin.api.proving import write_bundle
    from zkmargin.verifier.kinds import SOLVENCY_BASIC
    from zkmargin.verifier.statement import Statement

    batches = []
    for k in range(3):
        sample = spec.sample_input()
        sample = {**sample, "salt": str(1000 + k)} if "salt" in sample else sample
        witness = spec.constraint_system(spec.parse_input(sample, "sample")).witness()
        proof, public = prove(pk, witness, get_engine(), r1cs)
        batches.append((proof, public[0]))
    write_bundle(
        folder / "b", pk.verifying_key(), batches[0][0], [batches[0][1]],
        Statement(SOLVENCY_BASIC, {"commitment": batches[0][1]}),
    )
    exported = CliRunner().invoke(cli, ["export", "registry", "-o", str(folder / "sol")])
    assert exported.exit_code == 0, exported.output
    verifier_out = CliRunner().invoke(
        cli, ["export", "solidity", str(folder / "b" / "verification_key.json"), "-o", str(folder / "sol")]
    )
    assert verifier_out.exit_code == 0, verifier_out.output

    chain = Chain()
    contracts = chain.compile(
        {name: (folder / "sol" / name).read_text() for name in ("Groth16Verifier.sol", "EpochRegistry.sol")}
    )
    registry_contract = contracts["EpochRegistry.sol:EpochRegistry"]
    verifier_address, _ = chain.deploy(contracts["Groth16Verifier.sol:Groth16Verifier"])
    address, _ = chain.deploy(registry_contract, sender=EXCHANGE)
    leaves = [batch_leaf(TIER, public_hash) for _, public_hash in batches]
    registered = chain.call(
        address, registry_contract, SET_TIER, words(TIER, int(verifier_address, 16)), sender=EXCHANGE
    )
    assert registered.success, registered
    epoch = 1_790_000_000
    posted = chain.call(
        address, registry_contract, POST, words(epoch, 77, word(batches_root(leaves)), 5, 6, len(leaves)),
        sender=EXCHANGE,
    )
    assert posted.success, posted
    yield chain, address, registry_contract, batches, leaves, epoch
    chain.close()


def check_args(epoch, index, tier, path, proof, public_hash) -> str:
    return words(epoch, index, tier, *map(word, path), *proof_words(proof), public_hash)


def test_every_posted_batch_checks(registry):
    chain, address, contract, batches, leaves, epoch = registry
    for index, (proof, public_hash) in enumerate(batches):
        path = batch_path(leaves, index)
        assert chain.call(address, contract, IS_BATCH, words(epoch, index, TIER, public_hash, *map(word, path))).as_bool
        outcome = chain.call(address, contract, CHECK, check_args(epoch, index, TIER, path, proof, public_hash))
        assert outcome.as_bool, outcome


def test_a_wrong_epoch_position_tier_or_input_is_rejected(registry):
    chain, address, contract, batches, leaves, epoch = registry
    proof, public_hash = batches[1]
    path = batch_path(leaves, 1)
    for case in (
        (epoch + 1, 1, TIER, path, proof, public_hash),  # not posted
        (epoch - 1, 1, TIER, path, proof, public_hash),
        (epoch, 0, TIER, path, proof, public_hash),  # another position
        (epoch, 2, TIER, path, proof, public_hash),
        (epoch, 1, TIER + 1, path, proof, public_hash),  # a tier without this key
        (epoch, 1, TIER, path, proof, (public_hash + 1) % CURVE_ORDER),  # not in the list
        (epoch, 1, TIER, path, batches[0][0], public_hash),  # another batch's proof
        (epoch, 1, TIER, [*path[:-1], b"\x01" * 32], proof, public_hash),  # junk past the depth
    ):
        assert not chain.call(address, contract, CHECK, check_args(*case)).as_bool, case[:3]


def test_only_the_exchange_posts_and_epochs_only_move_forward(registry):
    chain, address, contract, batches, leaves, epoch = registry
    root = word(batches_root(leaves))
    assert not chain.call(address, contract, POST, words(epoch + 10, 1, root, 0, 0, 1), sender=STRANGER).success
    assert not chain.call(address, contract, POST, words(epoch, 1, root, 0, 0, 1), sender=EXCHANGE).success
    assert not chain.call(address, contract, POST, words(epoch + 10, 1, root, 0, 0, 0), sender=EXCHANGE).success
    assert not chain.call(address, contract, SET_TIER, words(TIER, 0x1234), sender=EXCHANGE).success  # set once


def test_python_and_solidity_agree_on_depth_and_every_path_walks_to_the_root(registry):
    chain, address, contract, *_ = registry
    for count in (1, 2, 3, 4, 5, 8, 9, 1000):
        assert chain.call(address, contract, DEPTH, words(count)).as_uint == depth(count)
    from hashlib import sha256

    for count in range(1, 10):
        leaves = [batch_leaf(1, k) for k in range(count)]
        for index in range(count):
            path = batch_path(leaves, index)
            assert len(path) == MAX_DEPTH and path[depth(count):] == [ZERO] * (MAX_DEPTH - depth(count))
            node = leaves[index]
            for level in range(depth(count)):
                pair = (node, path[level]) if (index >> level) & 1 == 0 else (path[level], node)
                node = sha256(b"\x01" + pair[0] + pair[1]).digest()
            assert node == batches_root(leaves)


def test_gas_of_a_batch_check(registry):
    """The README's figure: a membership path and one pairing check, for a 3-batch epoch
    (each doubling of the batch count adds one SHA-256 node, a few hundred gas)."""
    chain, address, contract, batches, leaves, epoch = registry
    proof, public_hash = batches[2]
    outcome = chain.call(address, contract, CHECK, check_args(epoch, 2, TIER, batch_path(leaves, 2), proof, public_hash))
    assert outcome.as_bool and outcome.gas < 260_000, outcome.gas
    print(f"checkBatch: {outcome.gas} gas")
