"""The account tree: native file, circuit gadgets and the verifier's path walk agree; bad witnesses fail."""

from __future__ import annotations

import random

import pytest

from zkmargin.circuits.exchange.tree import PADDING_LEAF, TreeFile, build_levels, subtree_root, write_tree
from zkmargin.circuits.gadgets.merkle import assert_merkle_path, subtree_root as subtree_gadget
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.exchange.manifest import top_root, walk_path
from zkmargin.verifier.files import FormatError

from helpers import holds, replace_hint, run_circuit

_RNG = random.Random(7)
LEAVES = [_RNG.randrange(R) for _ in range(11)]  # 3 batches of 4, the last padded


@pytest.fixture(scope="module")
def tree_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("tree") / "tree.bin"
    write_tree(path, LEAVES, 2)
    return path


def test_every_path_walks_to_the_root_and_batch_roots_feed_the_top_tree(tree_file):
    _, levels = build_levels(LEAVES, 2)
    with TreeFile(tree_file) as tree:
        assert (tree.shape.batches, tree.shape.top_depth, tree.shape.accounts) == (3, 2, 11)
        root = tree.root()
        assert root == levels[-1][0]
        batch_roots = [tree.batch_root(b) for b in range(3)]
        assert top_root(batch_roots) == root
        assert batch_roots[2] == subtree_root([*LEAVES[8:], PADDING_LEAF])
        for i, leaf in enumerate(LEAVES):
            path = tree.path(i)
            assert path.leaf == leaf and len(path.batch_path) == 2 and len(path.top_path) == 2
            assert walk_path(leaf, i, path.siblings) == root
            assert walk_path(leaf, i % 4, path.batch_path) == batch_roots[i // 4]
            assert walk_path(leaf ^ 1, i, path.siblings) != root  # an altered leaf
            assert walk_path(leaf, i ^ 1, path.siblings) != root  # a moved leaf
        with pytest.raises(FormatError):
            tree.path(11)  # padding is not an account


def test_corrupt_tree_files_are_refused(tree_file, tmp_path):
    data = tree_file.read_bytes()
    for bad in (b"X" + data[1:], data[:-1], data[:20]):
        (tmp_path / "bad.bin").write_bytes(bad)
        with pytest.raises(FormatError):
            TreeFile(tmp_path / "bad.bin")
    (tmp_path / "big.bin").write_bytes(data[:32] + b"\xff" * 32 + data[64:])
    with TreeFile(tmp_path / "big.bin") as tree, pytest.raises(FormatError):
        tree.node(0, 0)


def test_circuit_subtree_root_matches_native():
    leaves = LEAVES[:8]

    def build(api):
        wires = [api.private_input(f"leaf{i}", v) for i, v in enumerate(leaves)]
        root = api.public_input("root", subtree_root(leaves))
        api.assert_equal(subtree_gadget(api, wires), root)

    api, r1cs, witness, _ = run_circuit(build)
    assert r1cs.first_unsatisfied(witness) is None
    assert api.n_constraints == 7 * 240 + 1  # the hashes, then root == public input


def _path_circuit(index: int, root: int, leaf: int, siblings, bits=None):
    bits = bits if bits is not None else [index >> level & 1 for level in range(len(siblings))]

    def build(api):
        leaf_wire = api.private_input("leaf", leaf)
        bit_wires = [api.private_input(f"bit{i}", b) for i, b in enumerate(bits)]
        sibling_wires = [api.private_input(f"sib{i}", s) for i, s in enumerate(siblings)]
        assert_merkle_path(api, leaf_wire, bit_wires, sibling_wires, api.public_input("root", root))

    return build


def test_circuit_path_check_accepts_the_true_path_and_rejects_forgeries(tree_file):
    with TreeFile(tree_file) as tree:
        root, path = tree.root(), tree.path(6)
    siblings = list(path.siblings)
    assert holds(_path_circuit(6, root, path.leaf, siblings))
    assert not holds(_path_circuit(6, root, path.leaf + 1, siblings))  # altered leaf
    assert not holds(_path_circuit(7, root, path.leaf, siblings))  # wrong position
    assert not holds(_path_circuit(6, root, path.leaf, siblings[:-1] + [siblings[-1] + 1]))
    # A non-boolean "bit" 1/2 would let left = right = (n + m) / 2; the boolean check refuses it.
    half = pow(2, -1, R)
    assert not holds(_path_circuit(6, root, path.leaf, siblings, bits=[0, 1, half, 0]))


def test_malicious_products_in_the_path_fail(tree_file):
    with TreeFile(tree_file) as tree:
        root, path = tree.root(), tree.path(5)
    tamper = replace_hint("merkle_path/product", lambda values: [(v + 1) % R for v in values])
    build = _path_circuit(5, root, path.leaf, list(path.siblings))
    assert not holds(build, tamper)
    assert tamper.seen  # the forged ordering products were really injected
