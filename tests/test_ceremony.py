"""Phase-2 ceremony and phase-1 import, without snarkjs (tests/interop/test_ceremony_snarkjs.py
checks the same against snarkjs): a development .ptau at 2^8 and a six-constraint circuit."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from py_ecc import optimized_bn128 as bn

from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.iden3_files import write_r1cs
from zkmargin.cli.main import cli
from zkmargin.prover import get_engine, prove, read_zkey
from zkmargin.prover.groth16.ceremony import beacon, contribute, key_origin, verify
from zkmargin.prover.groth16.ceremony_new import new_key
from zkmargin.prover.groth16.ceremony_rng import ChaCha, _fq2_sqrt, hash_to_g2
from zkmargin.prover.groth16.ceremony_transcript import parse_mpc
from zkmargin.prover.groth16.ceremony_zkey import write_sections
from zkmargin.prover.ptau import write_ptau
from zkmargin.prover.ptau_import import check_lagrange, check_sample, hermez_hashes, match_published, open_ptau
from zkmargin.verifier.groth16 import verify as groth16_verify

BEACON = bytes(range(1, 33))


def tiny_circuit():
    """out = x^3 + 5 x y + 7 with x, y private: six rows, coefficients other than one."""
    api = ConstraintSystem()
    out = api.public_input("out", 3**3 + 5 * 3 * 4 + 7)
    x, y = api.private_input("x", 3), api.private_input("y", 4)
    x2 = api.mul(x, x)
    x3 = api.mul(x2, x)
    xy = api.mul(x * 5, y)
    api.assert_equal(x3 + xy + 7, out)
    return api.compile(), api.witness()


@pytest.fixture(scope="module")
def ceremony(tmp_path_factory):
    """A development ptau, the initial key, two contributions and a beacon."""
    folder = tmp_path_factory.mktemp("ceremony")
    engine = get_engine()
    write_ptau(folder / "dev.ptau", 8, engine)
    r1cs, witness = tiny_circuit()
    write_r1cs(r1cs, folder / "tiny.r1cs")
    with open_ptau(folder / "dev.ptau") as ptau:
        sections, _ = new_key(r1cs, ptau, engine)
    write_sections(folder / "k0.zkey", sections)
    sections, _ = contribute(sections, "k0", engine, b"first", "alice")
    sections, _ = contribute(sections, "k1", engine, b"second", "bob")
    sections, _ = beacon(sections, "k2", engine, BEACON, 10, "final")
    write_sections(folder / "final.zkey", sections)
    return folder, r1cs, witness, sections


def test_chacha_is_the_chacha20_block_function():
    """RFC 7539 A.1 test vector 1 (zero key, nonce and counter): keystream 76 b8 e0 ad ..."""
    rng = ChaCha([0] * 8)
    words = [rng.next_u32() for _ in range(4)]
    assert b"".join(w.to_bytes(4, "little") for w in words).hex() == "76b8e0ada0f13d90405d6ae55386bd28"


def test_fq2_square_roots_and_hash_to_g2_lands_in_the_subgroup():
    for k in range(1, 6):
        a = bn.FQ2([k, 7 * k + 1])
        root = _fq2_sqrt(a * a)
        assert root is not None and root * root == a * a
    point = hash_to_g2(bytes(range(64)))
    assert bn.is_on_curve(point, bn.b2) and bn.is_inf(bn.multiply(point, bn.curve_order))
    assert hash_to_g2(bytes(range(64))) == point and hash_to_g2(bytes(64)) != point


def test_hermez_table_covers_powers_8_to_28():
    table = hermez_hashes()
    assert sorted(table) == list(range(8, 29))
    assert all(len(entry["blake2b_512"]) == 128 for entry in table.values())
    assert match_published(table[12]["blake2b_512"])["file"] == "powersOfTau28_hez_final_12.ptau"
    assert match_published("00" * 64) is None


def test_development_ptau_passes_the_sampled_and_lagrange_checks(ceremony):
    folder = ceremony[0]
    with open_ptau(folder / "dev.ptau") as ptau:
        assert ptau.power == 8 and ptau.prepared
        assert check_sample(ptau, 8).ok
        assert check_lagrange(ptau, 16, get_engine()) is None
        assert check_lagrange(ptau, 512, get_engine(), g1_only=True) is None


def _corrupt_point(path, section: int, index: int, size: int = 64):
    """Replace one point of a .ptau section with twice a point (still on the curve)."""
    with open_ptau(path) as ptau:
        offset, _ = ptau.require(section)
    data = bytearray(path.read_bytes())
    from zkmargin.prover.encoding import EncodedPoints
    from zkmargin.prover.encoding import g1_bytes

    p = EncodedPoints(bytes(data[offset + index * size : offset + (index + 1) * size]), 1)[0]
    doubled = bn.normalize(bn.double((bn.FQ(p[0]), bn.FQ(p[1]), bn.FQ.one())))
    data[offset + index * size : offset + (index + 1) * size] = g1_bytes((int(doubled[0]), int(doubled[1])))
    path.write_bytes(bytes(data))


def test_corrupted_ptau_is_caught(ceremony, tmp_path):
    folder = ceremony[0]
    bad = tmp_path / "bad.ptau"
    bad.write_bytes((folder / "dev.ptau").read_bytes())
    _corrupt_point(bad, 2, 1)  # tau G1 itself: every sampled relation uses it
    with open_ptau(bad) as ptau:
        report = check_sample(ptau, 4)
    assert not report.ok and "tau" in report.failure
    lag = tmp_path / "badlag.ptau"
    lag.write_bytes((folder / "dev.ptau").read_bytes())
    _corrupt_point(lag, 12, 15 + 3)  # one Lagrange point of the size-16 block
    with open_ptau(lag) as ptau:
        assert check_sample(ptau, 8).ok  # the powers are untouched
        assert "Lagrange" in check_lagrange(ptau, 16, get_engine())


def test_ceremony_key_verifies_and_proves(ceremony):
    folder, r1cs, witness, sections = ceremony
    engine = get_engine()
    with open_ptau(folder / "dev.ptau") as ptau:
        report = verify(sections, "final", r1cs, ptau, engine)
    assert report.ok, report.failure
    assert [c.name for c in report.contributions] == ["alice", "bob", "final"]
    assert [c.beacon for c in report.contributions] == [False, False, True]
    pk = read_zkey(folder / "final.zkey")
    proof, public = prove(pk, witness, engine, r1cs)
    assert groth16_verify(pk.verifying_key(), proof, public)
    assert not groth16_verify(pk.verifying_key(), proof, [public[0] + 1])


def test_key_origin(ceremony):
    folder, _, _, sections = ceremony
    origin = key_origin(folder / "final.zkey")
    mpc = parse_mpc(sections[10], "final")
    assert origin["kind"] == "ceremony" and origin["beacon"] is True
    assert origin["contributions"] == [c.hash().hex() for c in mpc.contributions] and len(origin["contributions"]) == 3
    assert key_origin(read_zkey(folder / "final.zkey")) == origin
    assert key_origin(folder / "k0.zkey")["kind"] == "development"


def _tampered(sections, mutate):
    out = dict(sections)
    mutate(out)
    return out


def _replace_contribution_point(out, index: int, offset: int):
    """Swap one G1 point of a recorded contribution for another valid point."""
    from zkmargin.prover.encoding import g1_bytes

    pos = 68
    mpc = parse_mpc(out[10], "k")
    for c in mpc.contributions[:index]:
        pos += len(c.to_bytes())
    raw = bytearray(out[10])
    raw[pos + offset : pos + offset + 64] = g1_bytes((1, 2))
    out[10] = bytes(raw)


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda s: _replace_contribution_point(s, 1, 128), "transcript"),  # second contribution's g1_sx
        (lambda s: _replace_contribution_point(s, 0, 0), "delta"),  # first contribution's delta after
        (lambda s: s.__setitem__(8, s[8][64:128] + s[8][64:]), "L"),  # one L point replaced by another
        (lambda s: s.__setitem__(9, s[9][:-64] + s[9][:64]), "H"),
        (lambda s: s.__setitem__(5, s[5][64:128] + s[5][64:]), "A"),
    ],
)
def test_tampered_ceremony_is_rejected(ceremony, mutate, reason):
    folder, r1cs, _, sections = ceremony
    with open_ptau(folder / "dev.ptau") as ptau:
        report = verify(_tampered(sections, mutate), "bad", r1cs, ptau, get_engine())
    assert not report.ok and reason in report.failure


def test_cli_flow_and_exit_codes(ceremony, tmp_path):
    folder = ceremony[0]
    run = CliRunner().invoke
    ptau, r1cs = str(folder / "dev.ptau"), str(folder / "tiny.r1cs")
    result = run(cli, ["ceremony", "import-ptau", ptau, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["consistent"] and data["published_match"] is None and data["power"] == 8
    assert run(cli, ["ceremony", "import-ptau", r1cs]).exit_code == 2
    k0, k1, k2 = (str(tmp_path / f"k{i}.zkey") for i in range(3))
    assert run(cli, ["ceremony", "new", "--ptau", ptau, "--r1cs", r1cs, "-o", k0]).exit_code == 0
    result = run(cli, ["ceremony", "contribute", k0, k1, "--entropy", "x", "--json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)["contribution_hash"]
    result = run(cli, ["ceremony", "beacon", k1, k2, "--beacon", BEACON.hex(), "--json"])
    assert result.exit_code == 0, result.output
    result = run(cli, ["ceremony", "verify", k2, "--ptau", ptau, "--r1cs", r1cs, "--json"])
    assert result.exit_code == 0, result.output
    assert [c["hash"] for c in json.loads(result.output)["contributions"]][0] == first
    assert run(cli, ["ceremony", "beacon", k1, k2, "--beacon", "xyz"]).exit_code == 2
    # the same key checked against another circuit is an invalid ceremony, not bad input
    other = tmp_path / "other.r1cs"
    api = ConstraintSystem()
    api.assert_equal(api.mul(api.private_input("a", 2), api.private_input("b", 3)), api.public_input("c", 6))
    write_r1cs(api.compile(), other)
    assert run(cli, ["ceremony", "verify", k2, "--ptau", ptau, "--r1cs", str(other)]).exit_code == 1
    result = run(cli, ["ceremony", "export", k2, "-o", str(tmp_path / "vk.json"), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["origin"]["kind"] == "ceremony"
    assert json.loads((tmp_path / "vk.json").read_text())["protocol"] == "groth16"


def test_native_and_reference_engines_build_the_same_initial_key(ceremony):
    folder, r1cs, _, _ = ceremony
    with open_ptau(folder / "dev.ptau") as ptau:
        native, native_hash = new_key(r1cs, ptau, get_engine("native"))
        reference, reference_hash = new_key(r1cs, ptau, get_engine("reference"))
    assert native == reference and native_hash == reference_hash


def test_native_batch_scale_matches_py_ecc():
    from zkmargin.prover.encoding import EncodedPoints
    from zkmargin.prover.native.scale import g1_scale_encoded
    from zkmargin.prover.encoding import g1_bytes
    from zkmargin.verifier.curve import g1_affine

    points = [g1_affine(bn.multiply(bn.G1, k)) for k in (1, 2, 99)] + [None]
    scalar = bn.curve_order - 12345
    out = EncodedPoints(g1_scale_encoded(b"".join(g1_bytes(p) for p in points), scalar), 1)
    expected = [g1_affine(bn.multiply(bn.G1, k * scalar)) for k in (1, 2, 99)] + [None]
    assert list(out) == expected


def test_native_sparse_combinations_match_py_ecc():
    """Terms that cancel, negative and large scalars, an empty output, in G1 and G2."""
    from zkmargin.prover.encoding import EncodedPoints
    from zkmargin.prover.native.scale import combine_encoded
    from zkmargin.prover.encoding import g1_bytes, g2_bytes
    from zkmargin.verifier.curve import g1_affine, g2_affine

    r = bn.curve_order
    terms = [
        [(0, 1), (2, r - 1)],
        [],
        [(3, 12345678901234567890123456789)],
        [(1, 5), (1, r - 5)],
        [(2, r - 7), (0, r // 2 + 3), (0, 1), (3, 2**200 + 1)],
    ]
    for group, generator, zero, encode, affine in (
        (1, bn.G1, bn.Z1, g1_bytes, g1_affine),
        (2, bn.G2, bn.Z2, g2_bytes, g2_affine),
    ):
        bases = [bn.multiply(generator, k) for k in range(1, 5)]
        expected = []
        for wire in terms:
            acc = zero
            for row, s in wire:
                acc = bn.add(acc, bn.multiply(bases[row], s))
            expected.append(affine(acc))
        out = EncodedPoints(combine_encoded(b"".join(encode(affine(p)) for p in bases), group, terms), group)
        assert list(out) == expected


def test_snarkjs_hash_quirk_only_from_domain_2_15():
    from zkmargin.prover.groth16.ceremony_snarkjs_quirk import extra_point, hashes_extra_point
    from zkmargin.prover.encoding import g1_bytes
    from zkmargin.verifier.curve import g1_affine

    assert [hashes_extra_point(1 << k) for k in (2, 8, 14, 15, 16, 20)] == [False, False, False, True, True, True]
    # on real points the emulated wasm arithmetic is plain subtraction
    p, q = g1_affine(bn.multiply(bn.G1, 11)), g1_affine(bn.multiply(bn.G1, 4))
    assert extra_point(g1_bytes(p), q) == g1_affine(bn.multiply(bn.G1, 7))
