"""Binary formats round-trip and refuse what they cannot read."""

import pytest

from zkmargin.circuits import solvency_basic
from zkmargin.circuits.iden3_files import read_r1cs, read_wtns, write_r1cs, write_wtns
from zkmargin.prover import read_zkey, write_zkey
from zkmargin.verifier.files import FormatError


def test_r1cs_and_wtns_round_trip(tmp_path):
    spec = solvency_basic
    api = spec.constraint_system(spec.parse_input(spec.sample_input(), "sample"))
    r1cs, witness = api.compile(), api.witness()
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    write_wtns(witness, tmp_path / "c.wtns")
    back = read_r1cs(tmp_path / "c.r1cs")
    assert (back.n_wires, back.n_public, back.n_private_inputs) == (r1cs.n_wires, r1cs.n_public, r1cs.n_private_inputs)
    assert [(c.a, c.b, c.c) for c in back.constraints] == [(c.a, c.b, c.c) for c in r1cs.constraints]
    assert read_wtns(tmp_path / "c.wtns") == witness
    assert back.first_unsatisfied(witness) is None


def test_zkey_round_trip(tmp_path, solvency_key):
    _, _, pk = solvency_key
    write_zkey(pk, tmp_path / "k.zkey")
    assert read_zkey(tmp_path / "k.zkey") == pk


@pytest.mark.parametrize("reader, magic", [(read_r1cs, b"r1cs"), (read_wtns, b"wtns"), (read_zkey, b"zkey")])
def test_bad_files_give_format_errors(tmp_path, reader, magic):
    wrong = tmp_path / "wrong"
    wrong.write_bytes(b"nope" + bytes(8))
    with pytest.raises(FormatError, match="magic"):
        reader(wrong)
    truncated = tmp_path / "truncated"
    truncated.write_bytes(
        magic
        + (1).to_bytes(4, "little")
        + (1).to_bytes(4, "little")
        + (1).to_bytes(4, "little")
        + (99).to_bytes(8, "little")
    )
    with pytest.raises(FormatError):
        reader(truncated)
    with pytest.raises(FormatError):
        reader(tmp_path / "missing")
