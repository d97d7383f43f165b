"""The signed epoch manifest, the inclusion file and their attacks, on a small hand-built epoch.

Public hashes here are computed natively, so every check the verifier can make without a
proof is exercised quickly; tests/test_exchange_epoch.py proves a real epoch and checks
inclusion files against real batch proofs.
"""

from __future__ import annotations

import json
import random
import stat
from dataclasses import replace

import pytest
from py_ecc import optimized_bn128 as bn

from zkmargin import api
from zkmargin.circuits.exchange.tree import TreeFile, write_tree
from zkmargin.verifier.exchange.manifest import (
    Batch,
    Manifest,
    account_id,
    parse_manifest,
    read_signed_manifest,
    totals_commitment,
)
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.poseidon import poseidon_sponge

B_DEPTH = 1  # B = 2 accounts per batch
NAMES = sorted((f"acct-{i}" for i in range(5)), key=account_id)  # 3 batches, the last padded
TOTAL_NAMES = ("collateral:USDC", "requirement", "loss:scenario-1", "accounts")
LEAVES = [poseidon_sponge([account_id(n), 7]) for n in NAMES]  # stand-ins for the account commitments
SUMS = [[100, 40, -5, 2], [250, 90, 12, 2], [30, 31, 0, 1]]  # per batch


def _epoch(tmp_path):
    write_tree(tmp_path / "tree.bin", LEAVES, B_DEPTH)
    rng = random.Random(3)
    with TreeFile(tmp_path / "tree.bin") as tree:
        roots, root = [tree.batch_root(b) for b in range(3)], tree.root()
    totals, salt, before, batches = [0] * 4, 0, totals_commitment([0] * 4, 0), []
    for b in range(3):
        totals = [t + s for t, s in zip(totals, SUMS[b])]
        salt = rng.randrange(1 << 250)
        after = totals_commitment(totals, salt)
        ids = [account_id(n) for n in NAMES[2 * b : 2 * b + 2]]
        batches.append(Batch("small", ids[0], ids[-1], len(ids), roots[b], before, after, 0, "ab" * 32))
        before = after
    manifest = Manifest(42, 5, 6, 10_000, {"small": "cd" * 32}, tuple(batches), root, TOTAL_NAMES, tuple(totals), salt)
    return _rehash(manifest)


def _rehash(manifest: Manifest) -> Manifest:
    batches = tuple(
        replace(b, public_hash=poseidon_sponge(b.preimage(manifest, i))) for i, b in enumerate(manifest.batches)
    )
    return replace(manifest, batches=batches)


@pytest.fixture(scope="module")
def epoch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("epoch")
    keys = api.new_exchange_keys(folder / "keys")
    manifest = _epoch(folder)
    signed = api.sign_manifest(manifest, keys.private_key)
    return folder, keys, manifest, signed


def test_keys_are_written_private_and_not_replaced(epoch):
    folder, keys, _, _ = epoch
    assert stat.S_IMODE(keys.private_key.stat().st_mode) == 0o600
    assert len(keys.fingerprint) == 64
    with pytest.raises(FormatError, match="already exists"):
        api.new_exchange_keys(folder / "keys")


def test_a_signed_manifest_round_trips_and_its_chain_holds(epoch):
    _, keys, manifest, signed = epoch
    text = json.loads(json.dumps(signed))
    read = read_signed_manifest(text, keys.public_key.read_bytes())
    assert read == manifest
    read.check_chain()


def test_an_edited_manifest_or_another_key_is_refused(epoch, tmp_path):
    _, keys, _, signed = epoch
    edited = json.loads(json.dumps(signed))
    edited["manifest"]["totals"][0] = "1000"
    with pytest.raises(FormatError, match="signature does not verify"):
        read_signed_manifest(edited, keys.public_key.read_bytes())
    other = api.new_exchange_keys(tmp_path / "other")
    with pytest.raises(FormatError, match="signature does not verify"):
        read_signed_manifest(signed, other.public_key.read_bytes())
    with pytest.raises(FormatError, match="PEM"):
        read_signed_manifest(signed, b"not a key")


def test_manifest_reading_is_strict(epoch):
    _, _, manifest, _ = epoch
    good = manifest.to_json()
    for path, value in (("extra", 1), ("format", "v0"), ("epoch", -1), ("tree_root", str(bn.curve_order))):
        bad = json.loads(json.dumps(good))
        bad[path] = value
        with pytest.raises(FormatError):
            parse_manifest(bad)
    bad = json.loads(json.dumps(good))
    bad["batches"][0]["first_id"] = str(1 << 248)  # wider than identifiers are
    with pytest.raises(FormatError):
        parse_manifest(bad)


@pytest.mark.parametrize(
    "attack, message",
    [
        (lambda m: replace(m, totals=(m.totals[0] + 1, *m.totals[1:])), "opened totals"),
        (lambda m: replace(m, batches=(replace(m.batches[0], totals_after=5), *m.batches[1:])), "totals_before"),
        (lambda m: replace(m, batches=(m.batches[1], m.batches[0], m.batches[2])), "totals_before|rise"),
        (lambda m: replace(m, batches=m.batches[:1] + (replace(m.batches[1], first_id=m.batches[0].last_id),)
                           + m.batches[2:]), "rise strictly"),
        (lambda m: replace(m, tree_root=m.tree_root + 1), "tree_root"),
        (lambda m: replace(m, batches=m.batches[:2]), "opened totals"),  # a batch (its accounts) left out
    ],
)
def test_chain_attacks_are_refused(epoch, attack, message):
    _, _, manifest, _ = epoch
    with pytest.raises(FormatError, match=message):
        _rehash(attack(manifest)).check_chain()


def test_a_public_hash_from_another_epoch_or_slot_is_refused(epoch):
    _, _, manifest, _ = epoch
    moved = replace(manifest, epoch=43)  # the hashes were made for epoch 42
    with pytest.raises(FormatError, match="public_hash"):
        moved.check_chain()


def test_a_wrong_account_count_or_an_unsafe_tier_name_is_refused(epoch):
    _, _, manifest, _ = epoch
    fewer = replace(manifest, batches=(replace(manifest.batches[0], accounts=1), *manifest.batches[1:]))
    with pytest.raises(FormatError, match="account count"):
        _rehash(fewer).check_chain()
    bad = json.loads(json.dumps(manifest.to_json()))
    bad["tiers"] = {"../x": "cd" * 32}
    with pytest.raises(FormatError, match="tier"):
        parse_manifest(bad)
