"""Ceremonies across zkmargin and snarkjs 0.7.6, in both directions, at powers of tau 2^8.

Phase 1 comes from snarkjs (powersoftau new, contribute, beacon, prepare phase2); phase 2
runs in either tool or both, and each tool verifies what the other made. Skipped without
node and `npm ci` in tests/interop, as test_snarkjs.py is.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.iden3_files import write_r1cs, write_wtns
from zkmargin.cli.main import cli
from zkmargin.prover import get_engine, prove, read_zkey
from zkmargin.prover.groth16.ceremony_rng import ChaCha, beacon_rng, fr_from_rng, g1_from_rng, hash_to_g2
from zkmargin.circuits.files import write_json
from zkmargin.verifier.curve import g1_affine, g2_affine

from oracle import HERE, SNARKJS, require_snarkjs

BEACON = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

pytestmark = pytest.mark.interop

require_snarkjs()


def snarkjs(*args: str, cwd: Path, ok: bool = True) -> tuple[int, str]:
    done = subprocess.run(["node", str(SNARKJS), *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    if ok:
        assert done.returncode == 0, output
    return done.returncode, output


def zkmargin(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["ceremony", *args])
    return result.exit_code, result.output


def tiny_circuit():
    """out = x^3 + 5 x y + 7 (as in tests/test_ceremony.py)."""
    api = ConstraintSystem()
    out = api.public_input("out", 3**3 + 5 * 3 * 4 + 7)
    x, y = api.private_input("x", 3), api.private_input("y", 4)
    x3 = api.mul(api.mul(x, x), x)
    api.assert_equal(x3 + api.mul(x * 5, y) + 7, out)
    return api.compile(), api.witness()


@pytest.fixture(scope="module")
def phase1(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ceremony-interop")
    snarkjs("powersoftau", "new", "bn128", "8", "p0.ptau", cwd=folder)
    snarkjs("powersoftau", "contribute", "p0.ptau", "p1.ptau", "--name=one", "-e=some entropy", cwd=folder)
    snarkjs("powersoftau", "beacon", "p1.ptau", "p2.ptau", BEACON, "10", "-n=final", cwd=folder)
    snarkjs("powersoftau", "prepare", "phase2", "p2.ptau", "final.ptau", cwd=folder)
    r1cs, witness = tiny_circuit()
    write_r1cs(r1cs, folder / "c.r1cs")
    write_wtns(witness, folder / "w.wtns")
    return folder


def _node_eval(script: str) -> dict:
    """Run an ES module snippet with the oracle's node_modules (ffjavascript) resolvable."""
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script], cwd=HERE, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_rng_derivations_match_ffjavascript():
    """hashToG2 and a beacon's key as ffjavascript derives them (ChaCha, fromRng)."""
    transcript = bytes(range(7, 71))
    script = f"""
import {{ buildBn128, ChaCha }} from "ffjavascript";
import crypto from "crypto";
const curve = await buildBn128(true);
const t = Buffer.from("{transcript.hex()}", "hex");
const v = new DataView(t.buffer, t.byteOffset, t.byteLength);
const seed = []; for (let i = 0; i < 8; i++) seed.push(v.getUint32(i * 4));
const g2 = curve.G2.toObject(curve.G2.toAffine(curve.G2.fromRng(new ChaCha(seed))));
let h = Buffer.from("{BEACON}", "hex");
for (let i = 0; i < 1024; i++) h = crypto.createHash("sha256").update(h).digest();
const hv = new DataView(h.buffer, h.byteOffset, h.byteLength);
const s2 = []; for (let i = 0; i < 8; i++) s2.push(hv.getUint32(i * 4));
const rng = new ChaCha(s2);
const k = curve.Fr.toObject(curve.Fr.fromRng(rng));
const g1 = curve.G1.toObject(curve.G1.toAffine(curve.G1.fromRng(rng)));
console.log(JSON.stringify({{g2: g2.slice(0, 2).map(c => c.map(String)), k: k.toString(),
                             g1: g1.slice(0, 2).map(String)}}));
process.exit(0);
"""
    theirs = _node_eval(script)
    (x0, x1), (y0, y1) = g2_affine(hash_to_g2(transcript))
    assert theirs["g2"] == [[str(x0), str(x1)], [str(y0), str(y1)]]
    rng = beacon_rng(bytes.fromhex(BEACON), 10)
    assert theirs["k"] == str(fr_from_rng(rng))
    assert theirs["g1"] == [str(v) for v in g1_affine(g1_from_rng(rng))]
    assert isinstance(ChaCha([0] * 8).next_u32(), int)


def test_import_ptau_reads_snarkjs_files(phase1):
    code, out = zkmargin("import-ptau", str(phase1 / "final.ptau"), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["power"] == 8 and data["prepared"] and data["consistent"]
    assert (
        data["blake2b_512"]
        == subprocess.run(["b2sum", str(phase1 / "final.ptau")], capture_output=True, text=True).stdout.split()[0]
    )
    code, out = zkmargin("import-ptau", str(phase1 / "p2.ptau"), "--json")
    assert code == 0 and not json.loads(out)["prepared"]


def test_new_is_byte_identical_to_snarkjs(phase1):
    snarkjs("zkey", "new", "c.r1cs", "final.ptau", "snark_0.zkey", cwd=phase1)
    code, out = zkmargin(
        "new", "--ptau", str(phase1 / "final.ptau"), "--r1cs", str(phase1 / "c.r1cs"), "-o", str(phase1 / "ours_0.zkey")
    )
    assert code == 0, out
    assert (phase1 / "ours_0.zkey").read_bytes() == (phase1 / "snark_0.zkey").read_bytes()


def _hashes(snarkjs_output: str) -> list[str]:
    """Contribution hashes as snarkjs zkey verify prints them (four lines of hex groups each),
    last contribution first."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", snarkjs_output)
    blocks = re.findall(r"contribution #\d+[^\n]*:\n((?:\s+(?:[0-9a-f]{8} ?){4}\n){4})", text)
    return ["".join(block.split()) for block in blocks]


def test_snarkjs_accepts_a_zkmargin_ceremony(phase1):
    ptau, r1cs = str(phase1 / "final.ptau"), str(phase1 / "c.r1cs")
    assert zkmargin("new", "--ptau", ptau, "--r1cs", r1cs, "-o", str(phase1 / "z0.zkey"))[0] == 0
    ours = []
    for step, args in enumerate([["contribute", "--entropy", "a", "--name", "alice"], ["contribute", "--name", "bob"]]):
        code, out = zkmargin(
            args[0], str(phase1 / f"z{step}.zkey"), str(phase1 / f"z{step + 1}.zkey"), *args[1:], "--json"
        )
        assert code == 0, out
        ours.append(json.loads(out)["contribution_hash"])
    code, out = zkmargin("beacon", str(phase1 / "z2.zkey"), str(phase1 / "z3.zkey"), "--beacon", BEACON, "--json")
    assert code == 0, out
    ours.append(json.loads(out)["contribution_hash"])
    _, out = snarkjs("zkey", "verify", "c.r1cs", "final.ptau", "z3.zkey", cwd=phase1)
    assert "ZKey Ok!" in out
    assert _hashes(out) == ours[::-1]
    # and a proof made with the ceremony key verifies in snarkjs
    r1cs_obj, witness = tiny_circuit()
    pk = read_zkey(phase1 / "z3.zkey")
    proof, public = prove(pk, witness, get_engine(), r1cs_obj)
    write_json(phase1 / "proof.json", proof.to_json())
    write_json(phase1 / "public.json", [str(v) for v in public])
    snarkjs("zkey", "export", "verificationkey", "z3.zkey", "vk_snarkjs.json", cwd=phase1)
    assert zkmargin("export", str(phase1 / "z3.zkey"), "-o", str(phase1 / "vk.json"))[0] == 0
    _, out = snarkjs("groth16", "verify", "vk.json", "public.json", "proof.json", cwd=phase1)
    assert "OK" in out
    theirs, mine = (json.loads((phase1 / name).read_text()) for name in ("vk_snarkjs.json", "vk.json"))
    for field in ("vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC"):
        assert theirs[field] == mine[field], field


def test_zkmargin_accepts_a_snarkjs_ceremony(phase1):
    snarkjs("zkey", "new", "c.r1cs", "final.ptau", "s0.zkey", cwd=phase1)
    snarkjs("zkey", "contribute", "s0.zkey", "s1.zkey", "--name=one", "-e=first", cwd=phase1)
    snarkjs("zkey", "contribute", "s1.zkey", "s2.zkey", "--name=two", "-e=second", cwd=phase1)
    snarkjs("zkey", "beacon", "s2.zkey", "s3.zkey", BEACON, "10", "-n=final", cwd=phase1)
    _, theirs = snarkjs("zkey", "verify", "c.r1cs", "final.ptau", "s3.zkey", cwd=phase1)
    code, out = zkmargin(
        "verify",
        str(phase1 / "s3.zkey"),
        "--ptau",
        str(phase1 / "final.ptau"),
        "--r1cs",
        str(phase1 / "c.r1cs"),
        "--json",
    )
    assert code == 0, out
    report = json.loads(out)
    assert [c["name"] for c in report["contributions"]] == ["one", "two", "final"]
    assert [c["hash"] for c in report["contributions"]][::-1] == _hashes(theirs)


def test_mixed_ceremony_is_accepted_by_both(phase1):
    ptau, r1cs = str(phase1 / "final.ptau"), str(phase1 / "c.r1cs")
    snarkjs("zkey", "new", "c.r1cs", "final.ptau", "m0.zkey", cwd=phase1)
    snarkjs("zkey", "contribute", "m0.zkey", "m1.zkey", "--name=snarkjs", "-e=x", cwd=phase1)
    assert zkmargin("contribute", str(phase1 / "m1.zkey"), str(phase1 / "m2.zkey"), "--name", "zkmargin")[0] == 0
    snarkjs("zkey", "beacon", "m2.zkey", "m3.zkey", BEACON, "10", "-n=final", cwd=phase1)
    assert (
        zkmargin("contribute", str(phase1 / "m3.zkey"), str(phase1 / "m4.zkey"))[0] == 0
    )  # a contribution after a beacon is still valid
    for key in ("m3.zkey", "m4.zkey"):
        assert "ZKey Ok!" in snarkjs("zkey", "verify", "c.r1cs", "final.ptau", key, cwd=phase1)[1]
        code, out = zkmargin("verify", str(phase1 / key), "--ptau", ptau, "--r1cs", r1cs)
        assert code == 0, out


def _tamper_delta_after(source: Path, target: Path) -> None:
    """Replace the last contribution's recorded delta with the generator: a forged step."""
    from zkmargin.prover.groth16.ceremony_transcript import parse_mpc
    from zkmargin.prover.groth16.ceremony_zkey import read_sections, write_sections
    from zkmargin.prover.encoding import g1_bytes

    sections = read_sections(source)
    mpc = parse_mpc(sections[10], "k")
    pos = 68 + sum(len(c.to_bytes()) for c in mpc.contributions[:-1])
    raw = bytearray(sections[10])
    raw[pos : pos + 64] = g1_bytes((1, 2))
    sections[10] = bytes(raw)
    write_sections(target, sections)


def _tamper_l(source: Path, target: Path) -> None:
    """One L point replaced by another valid one: a key that no longer matches its contributions."""
    from zkmargin.prover.groth16.ceremony_zkey import read_sections, write_sections

    sections = read_sections(source)
    sections[8] = sections[8][64:128] + sections[8][64:]
    write_sections(target, sections)


@pytest.mark.parametrize("tamper", [_tamper_delta_after, _tamper_l])
def test_tampered_ceremony_is_rejected_by_both(phase1, tamper):
    source = phase1 / "t_source.zkey"
    if not source.exists():
        snarkjs("zkey", "new", "c.r1cs", "final.ptau", "t0.zkey", cwd=phase1)
        assert zkmargin("contribute", str(phase1 / "t0.zkey"), str(phase1 / "t1.zkey"))[0] == 0
        snarkjs("zkey", "contribute", "t1.zkey", "t_source.zkey", "-e=y", cwd=phase1)
    bad = phase1 / f"bad_{tamper.__name__}.zkey"
    tamper(source, bad)
    code, out = snarkjs("zkey", "verify", "c.r1cs", "final.ptau", bad.name, cwd=phase1, ok=False)
    assert code != 0 and "ZKey Ok!" not in out
    code, out = zkmargin("verify", str(bad), "--ptau", str(phase1 / "final.ptau"), "--r1cs", str(phase1 / "c.r1cs"))
    assert code == 1 and "INVALID" in out


def test_bytes_past_section_2_hash_as_in_wasmcurves(phase1):
    """snarkjs's circuit hash for domains >= 2^15 includes one 'point' read past section 2;
    our emulation of its arithmetic on those bytes matches ffjavascript's G1.sub."""
    from zkmargin.prover.groth16.ceremony_snarkjs_quirk import extra_point
    from zkmargin.prover.groth16.ceremony_transcript import g1_uncompressed
    from zkmargin.prover.ptau_import import open_ptau

    path = phase1 / "final.ptau"
    with open_ptau(path) as ptau:
        offset, size = ptau.require(2)
        n = 1 << ptau.power
        ours = g1_uncompressed(extra_point(bytes(ptau.raw(offset + size, 64)), ptau.point(2, n - 1, 1))).hex()
    script = f"""
import {{ buildBn128 }} from "ffjavascript";
import fs from "fs";
const curve = await buildBn128(true);
const fd = fs.openSync("{path}", "r");
const past = Buffer.alloc(64); fs.readSync(fd, past, 0, 64, {offset + size});
const last = Buffer.alloc(64); fs.readSync(fd, last, 0, 64, {offset + (n - 1) * 64});
const u = await curve.G1.batchLEMtoU(curve.G1.toAffine(curve.G1.sub(new Uint8Array(past), new Uint8Array(last))));
console.log(JSON.stringify({{u: Buffer.from(u).toString("hex")}}));
process.exit(0);
"""
    assert _node_eval(script)["u"] == ours
