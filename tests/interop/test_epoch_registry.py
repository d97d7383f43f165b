"""EpochRegistry.sol on a real EVM (@ethereumjs/evm, compiled by solc-js): an exchange posts a
real epoch (5 accounts in 3 batch proofs), and anyone checks a batch's membership and proof by
view call (issue 16, exchange mode's registry)."""

from __future__ import annotations

import json
import os
import shutil
from hashlib import sha256
from pathlib import Path

import pytest
from click.testing import CliRunner

from zkmargin import api
from zkmargin.api.epoch import prove_epoch
from zkmargin.cli.main import cli
from zkmargin.prover.groth16.registry import MAX_DEPTH, ZERO, batch_leaf, batch_path, batches_root, depth
from zkmargin.verifier.curve import CURVE_ORDER

from evm import ETHEREUMJS, SOLC, Chain, words

pytestmark = pytest.mark.interop

if not (shutil.which("node") and SOLC.is_file() and ETHEREUMJS.is_dir()):
    reason = "solc-js or @ethereumjs/evm not installed (run: npm ci --prefix tests/interop)"
    if os.environ.get("CI"):
        raise RuntimeError(f"interop tests must run under CI: {reason}")
    pytest.skip(reason, allow_module_level=True)

DATA = Path(__file__).parent.parent / "data"
EXCHANGE, STRANGER = 0xE8C4, 0xB0B
SET_TIER = "setTierVerifier(uint256,address)"
POST = "postEpoch(uint256,uint256,bytes32,bytes32,bytes32,uint64)"
IS_BATCH = f"isBatch(uint256,uint256,uint256,uint256,bytes32[{MAX_DEPTH}])"
CHECK = f"checkBatch(uint256,uint256,uint256,bytes32[{MAX_DEPTH}],uint256[2],uint256[2][2],uint256[2],uint256)"
DEPTH = "depth(uint256)"
BOOK = [
    {"account": name, "positions": [{"instrument": "hyperliquid:ETH-PERP", "quantity": q}],
     "collateral": [{"venue": "deribit", "asset": "USDC", "amount": usdc}]}
    for name, q, usdc in (("ana", "2", "5000"), ("ben", "-1", "900"), ("cy", "3", "100"), ("di", "1", "2500"),
                          ("ed", "-4", "8000"))
]


def calldata(*args: str) -> list[int]:
    result = CliRunner().invoke(cli, ["export", "registry-calldata", *args])
    assert result.exit_code == 0, result.output
    return [int(word, 16) for word in json.loads(result.output)["arguments"]]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """A proven epoch; the registry and its tier's batch verifier deployed, the epoch posted."""
    root = tmp_path_factory.mktemp("registry")
    (root / "book.jsonl").write_text("".join(json.dumps(a) + "\n" for a in BOOK))
    keys = api.new_exchange_keys(root / "exchange")
    epoch_dir = root / "epoch"
    prove_epoch(root / "book.jsonl", epoch_dir, keys.private_key, DATA / "tiny_market.json", "occ10",
                api.MarginCapacity(2, 1, 10), 2, root / "keys")
    tier_key = next((epoch_dir / "keys").glob("*/verification_key.json"))
    for command in (["registry", "-o", str(root / "sol")], ["solidity", str(tier_key), "-o", str(root / "sol")]):
        exported = CliRunner().invoke(cli, ["export", *command])
        assert exported.exit_code == 0, exported.output
    post = calldata(str(epoch_dir), "--exchange-key", str(keys.public_key))
    batches = [calldata(str(epoch_dir), "--exchange-key", str(keys.public_key), "--batch", str(b)) for b in range(3)]

    chain = Chain()
    contracts = chain.compile(
        {name: (root / "sol" / name).read_text() for name in ("Groth16Verifier.sol", "EpochRegistry.sol")}
    )
    contract = contracts["EpochRegistry.sol:EpochRegistry"]
    verifier_address, _ = chain.deploy(contracts["Groth16Verifier.sol:Groth16Verifier"])
    address, _ = chain.deploy(contract, sender=EXCHANGE)
    tier = batches[0][2]
    registered = chain.call(address, contract, SET_TIER, words(tier, int(verifier_address, 16)), sender=EXCHANGE)
    assert registered.success, registered
    assert chain.call(address, contract, POST, words(*post), sender=EXCHANGE).success
    yield chain, address, contract, post, batches
    chain.close()


def test_every_batch_of_the_posted_epoch_checks(registry):
    chain, address, contract, post, batches = registry
    assert post[5] == len(batches) == 3
    for arguments in batches:
        epoch, index, tier, path, public_hash = arguments[0], arguments[1], arguments[2], arguments[3:35], arguments[-1]
        assert chain.call(address, contract, IS_BATCH, words(epoch, index, tier, public_hash, *path)).as_bool
        outcome = chain.call(address, contract, CHECK, words(*arguments))
        assert outcome.as_bool, outcome


def test_a_wrong_epoch_position_tier_proof_input_or_path_is_rejected(registry):
    chain, address, contract, post, batches = registry
    good = batches[1]

    def altered(position: int, value: int) -> list[int]:
        return [*good[:position], value, *good[position + 1:]]

    for case in (
        altered(0, good[0] + 1),  # an epoch not posted
        altered(0, good[0] - 1),
        altered(1, 0),  # another position
        altered(1, 2),
        altered(2, good[2] + 1),  # a tier without this key
        altered(len(good) - 1, (good[-1] + 1) % CURVE_ORDER),  # a public hash not in the list
        [*good[:35], *batches[0][35:43], good[-1]],  # another batch's proof
        altered(34, 1),  # junk past the path's depth
    ):
        assert not chain.call(address, contract, CHECK, words(*case)).as_bool, case[:3]


def test_only_the_exchange_posts_and_epochs_only_move_forward(registry):
    chain, address, contract, post, batches = registry
    later = [post[0] + 10, *post[1:]]
    assert not chain.call(address, contract, POST, words(*later), sender=STRANGER).success
    assert not chain.call(address, contract, POST, words(*post), sender=EXCHANGE).success  # not new
    assert not chain.call(address, contract, POST, words(*later[:5], 0), sender=EXCHANGE).success  # no batches
    assert not chain.call(address, contract, SET_TIER, words(batches[0][2], 0x1234), sender=EXCHANGE).success


def test_python_and_solidity_agree_on_depth_and_every_path_walks_to_the_root(registry):
    chain, address, contract, *_ = registry
    for count in (1, 2, 3, 4, 5, 8, 9, 1000):
        assert chain.call(address, contract, DEPTH, words(count)).as_uint == depth(count)
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
    chain, address, contract, post, batches = registry
    outcome = chain.call(address, contract, CHECK, words(*batches[2]))
    assert outcome.as_bool and outcome.gas < 260_000, outcome.gas
    print(f"checkBatch: {outcome.gas} gas")


def test_registry_calldata_errors_are_one_line(registry, tmp_path):
    result = CliRunner().invoke(cli, ["export", "registry-calldata", str(tmp_path), "--exchange-key",
                                      str(tmp_path / "none.pem")])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and result.output.startswith("error: ")
