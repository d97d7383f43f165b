"""Limits on everything read (issue 11): each input that once crashed, hung or traced back now
gets a one-line error and exit 2 through the installed CLI, in seconds and modest memory; and
the limits themselves, one by one."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import pytest

from zkmargin.circuits import binfile
from zkmargin.circuits.iden3_files import read_r1cs, read_wtns, write_r1cs, write_wtns
from zkmargin.circuits.margin.inputs import Reader
from zkmargin.prover.encoding import g1_bytes
from zkmargin.prover.groth16.zkey import read_zkey, write_zkey, zkey_bytes
from zkmargin.verifier.curve import CURVE_ORDER, FIELD_MODULUS
from zkmargin.verifier.files import MAX_JSON_DEPTH, FormatError, parse_json, read_int, read_json
from zkmargin.verifier.formats import MAX_PUBLIC, VerifyingKey, parse_public_signals

from conftest import DATA, TINY

CRASHERS = DATA / "crashers"
SECONDS = 60  # per command, start-up (numba, py_ecc) included; the fixed ones take about one
PEAK_MIB = 500


# ------------------------------------------------------------------ the CLI
@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mib: float


# The child reports its own peak: VmHWM belongs to the address space exec made, whereas
# wait4's ru_maxrss starts from the forking pytest process's peak (Linux keeps it across exec),
# so a suite that has grown to 900 MiB would charge that to every command it runs.
CHILD = """
import os
def report_peak_then_exit(status, exit=os._exit):
    with open("/proc/self/status") as status_file, open(os.environ["ZKMARGIN_TEST_PEAK"], "w") as out:
        out.write(next(line for line in status_file if line.startswith("VmHWM:")).split()[1])
    exit(status)
os._exit = report_peak_then_exit  # the CLI ends through os._exit (cli/exit.py: exit_now)
from zkmargin.cli.main import main
main()
"""


def zkmargin(*args, cwd: Path) -> Run:
    """The console script's entry point in a fresh process of this interpreter (a `zkmargin` on
    PATH may belong to another install), killed after SECONDS; its own peak RSS."""
    command = [sys.executable, "-c", CHILD, *map(str, args)]
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        peak_file = Path(scratch) / "peak-kib"
        started = time.monotonic()
        process = subprocess.Popen(
            command, stdout=out, stderr=err, cwd=cwd, env={**os.environ, "ZKMARGIN_TEST_PEAK": str(peak_file)}
        )
        timer = threading.Timer(SECONDS, process.kill)
        timer.start()
        try:
            process.wait()
        finally:
            timer.cancel()
        out.seek(0)
        err.seek(0)
        peak_mib = int(peak_file.read_text()) / 1024 if peak_file.exists() else float("inf")
        return Run(process.returncode, out.read().decode(), err.read().decode(), time.monotonic() - started, peak_mib)


def assert_one_line_error(run: Run, *fragments: str, code: int = 2) -> None:
    assert run.code == code, (run.code, run.stderr[-2000:])
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in run.stderr, run.stderr[-2000:]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert run.seconds < SECONDS and run.peak_mib < PEAK_MIB, (run.seconds, run.peak_mib)


def crashers(prefix: str) -> list[Path]:
    return sorted(CRASHERS.glob(f"{prefix}-*.json"))


@pytest.fixture(scope="module")
def bundle(tiny_margin_bundle) -> Path:
    return tiny_margin_bundle / "bundle"


@pytest.mark.parametrize("path", crashers("market"), ids=lambda p: p.stem)
def test_market_crashers_in_margin(path, tmp_path):
    assert_one_line_error(
        zkmargin("margin", DATA / "tiny_portfolio.json", *TINY[2:], "--market", path, cwd=tmp_path), path.name
    )


@pytest.mark.parametrize("path", crashers("market"), ids=lambda p: p.stem)
def test_market_crashers_in_verify(path, bundle, tmp_path):
    assert_one_line_error(zkmargin("verify", bundle, "--market", path, "--model", "occ10", cwd=tmp_path), path.name)


@pytest.mark.parametrize("path", crashers("portfolio"), ids=lambda p: p.stem)
def test_portfolio_crashers_in_margin(path, tmp_path):
    assert_one_line_error(zkmargin("margin", path, *TINY, cwd=tmp_path), path.name)


@pytest.mark.parametrize("path", crashers("model"), ids=lambda p: p.stem)
def test_model_crashers_in_margin(path, tmp_path):
    """Found by the fuzz test: the error message for a move above +1000% itself raised TypeError."""
    args = [*TINY[:2], "--model", path, *TINY[4:]]
    assert_one_line_error(
        zkmargin("margin", DATA / "tiny_portfolio.json", *args, cwd=tmp_path), path.name, "above 1000%"
    )


@pytest.mark.parametrize("path", crashers("bundle"), ids=lambda p: p.stem)
def test_bundle_crashers_in_verify(path, bundle, tmp_path):
    """bundle-NAME-what.json replaces NAME in a copy of a valid bundle."""
    name = path.name.removeprefix("bundle-").split(".json-")[0] + ".json"
    shutil.copytree(bundle, tmp_path / "b")
    shutil.copyfile(path, tmp_path / "b" / name)
    assert_one_line_error(zkmargin("verify", tmp_path / "b", cwd=tmp_path), name)


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [50_000, 70_000])
@pytest.mark.parametrize("name", ["proof.json", "statement.json", "verification_key.json"])
def test_deep_json_in_a_bundle(name, levels, bundle, tmp_path):
    """Nested 70,000 deep it segfaulted every reader (py_ecc lifts the recursion limit); 50,000
    deep it parsed, and the error line quoted the whole 100 KB list."""
    shutil.copytree(bundle, tmp_path / "b")
    (tmp_path / "b" / name).write_text(_deep(levels))
    run = zkmargin("verify", tmp_path / "b", cwd=tmp_path)
    assert_one_line_error(run, name, "nested more than")
    assert len(run.stderr) < 200


def test_deep_json_as_market_and_portfolio(tmp_path):
    (tmp_path / "m.json").write_text(_deep(70_000))
    assert_one_line_error(
        zkmargin("margin", DATA / "tiny_portfolio.json", *TINY[2:], "--market", tmp_path / "m.json", cwd=tmp_path),
        "nested",
    )
    assert_one_line_error(zkmargin("margin", tmp_path / "m.json", *TINY, cwd=tmp_path), "nested")


def test_vk_with_more_public_inputs_than_any_circuit(bundle, tmp_path):
    shutil.copytree(bundle, tmp_path / "b")
    vk = json.loads((bundle / "verification_key.json").read_text())
    vk["IC"] = vk["IC"] * 300
    vk["nPublic"] = len(vk["IC"]) - 1
    (tmp_path / "b" / "verification_key.json").write_text(json.dumps(vk))
    assert_one_line_error(zkmargin("verify", tmp_path / "b", cwd=tmp_path), "nPublic", "1024")


@pytest.fixture(scope="module")
def tiny_key(tiny_margin_bundle):
    return read_zkey(tiny_margin_bundle / "tiny.zkey")


def test_prove_with_a_zkey_whose_alpha_is_off_the_curve(tiny_key, tmp_path):
    x, y = tiny_key.alpha_1
    (tmp_path / "bad.zkey").write_bytes(zkey_bytes(replace(tiny_key, alpha_1=(x, (y + 1) % FIELD_MODULUS))))
    run = zkmargin(
        "prove",
        DATA / "tiny_portfolio.json",
        *TINY,
        "--zkey",
        tmp_path / "bad.zkey",
        "--out",
        tmp_path / "out",
        cwd=tmp_path,
    )
    assert_one_line_error(run, "bad.zkey alpha_1 is not on the BN254 curve")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------- read_int
@pytest.mark.parametrize(
    "value", ["--5", "-", "", "+5", " 5", "5 ", "٣", "0x10", "1e3", "9" * 5000, 5.0, True, None, [5]]
)
def test_read_int_refuses(value):
    with pytest.raises(FormatError, match="^x: expected a whole number"):
        read_int(value, "x", lo=-10, hi=10**6)


def test_read_int_reads_and_bounds():
    assert read_int("-5", "x", lo=-10, hi=10) == -5
    assert read_int(7, "x", lo=0, hi=10) == 7
    assert read_int("007", "x", lo=0, hi=10) == 7
    assert read_int("9" * 100, "x", lo=0, hi=10**100) == 10**100 - 1
    with pytest.raises(FormatError, match="from 0 to 9"):
        read_int("10", "x", lo=0, hi=10)
    with pytest.raises(FormatError):
        read_int("1" + "0" * 100, "x", lo=0, hi=1 << 400)  # 101 digits: refused on length alone


# -------------------------------------------------------------- JSON text
def test_depth_limit_is_exact_and_skips_strings():
    value, depth = parse_json(_deep(MAX_JSON_DEPTH).encode(), "f"), 0
    while value is not None:
        value, depth = (value[0] if value else None), depth + 1
    assert depth == MAX_JSON_DEPTH
    with pytest.raises(FormatError, match=f"f: JSON nested more than {MAX_JSON_DEPTH} levels deep"):
        parse_json(_deep(MAX_JSON_DEPTH + 1).encode(), "f")
    brackets = "[" * 1000
    assert parse_json(json.dumps([brackets, '\\"[', {"k]": "}}}"}]).encode(), "f") == [brackets, '\\"[', {"k]": "}}}"}]
    # Closing brackets in strings must not hide real nesting either.
    with pytest.raises(FormatError, match="nested"):
        parse_json(("[" * 40 + '"' + "]" * 40 + '",' + "[" * 40 + "0").encode(), "f")
    # An unterminated string ends the scan (the parser stops there too), in linear time.
    started = time.monotonic()
    with pytest.raises(FormatError, match="malformed"):
        parse_json(b'["' + b'\\"' * 200_000, "f")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    "data, message",
    [
        (b"9" * 5000, "a number of 5000 characters"),
        (b"[" + b"1" * 101 + b"]", "a number of 101 characters"),
        (b"0." + b"1" * 200, "a number of 202 characters"),
        (b"1e400", "out of range"),
        (b"[-1e999]", "out of range"),
        (b"NaN", "NaN is not a number JSON allows"),
        (b'{"a": Infinity}', "Infinity"),
        (b'"caf\xe9"', "not UTF-8"),
    ],
)
def test_json_numbers_and_text_are_bounded(data, message):
    with pytest.raises(FormatError, match=message):
        parse_json(data, "f")


def test_file_size_limits(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(["x" * 2000]))
    assert read_json(path, limit=4096) == ["x" * 2000]
    with pytest.raises(FormatError, match="big.json: larger than 1,024 bytes"):
        read_json(path, limit=1024)
    with pytest.raises(FormatError, match="larger than"):
        read_json("/dev/zero", "zero", limit=1 << 20)  # refused after reading 1 MiB, not forever


def test_public_signal_and_ic_counts_are_capped(bundle):
    with pytest.raises(FormatError, match=f"at most {MAX_PUBLIC}"):
        parse_public_signals(["1"] * (MAX_PUBLIC + 1))
    vk = json.loads((bundle / "verification_key.json").read_text())
    vk["nPublic"] = str(10**6)
    with pytest.raises(FormatError, match="nPublic"):
        VerifyingKey.from_json(vk)


# ----------------------------------------------------------- margin inputs
@pytest.mark.parametrize(
    "value, kwargs, message",
    [
        ("1e99999999", {}, "out of range"),
        ("1e-400", {}, "out of range"),
        ("1" * 65, {}, "not a number"),
        ("1/0", {}, "not a number"),
        ("1_000", {}, "not a number"),
        ("2e15", {}, "outside"),
        ("1e-30", {"lo": Fraction(1, 10**9), "hi": Fraction(10**9)}, "outside 1e-09 .. 1e+09"),
        ("1e6", {"lo": Fraction(-1), "hi": Fraction(1)}, "outside -1 .. 1"),
    ],
)
def test_numbers_are_bounded_before_arithmetic(value, kwargs, message):
    started = time.monotonic()
    with pytest.raises(FormatError, match=re.escape(message)):
        Reader("m.json").number(value, "f", **kwargs)
    assert time.monotonic() - started < 0.1


def test_numbers_still_read_exactly():
    r = Reader("m.json")
    assert [r.number(v, "f") for v in ("2/3", "-0.15", ".5", "5.", "1e3", "+7", 12)] == [
        Fraction(2, 3),
        Fraction(-3, 20),
        Fraction(1, 2),
        Fraction(5),
        Fraction(1000),
        Fraction(7),
        Fraction(12),
    ]


@pytest.mark.parametrize(
    "text", ["1969-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]
)
def test_times_outside_the_window(text):
    with pytest.raises(FormatError, match="outside the years 1970 to 2199"):
        Reader("m.json").time(text, "timestamp")


# ---------------------------------------------------------- binary readers
@pytest.fixture(scope="module")
def samples(tmp_path_factory, solvency_key):
    spec, _, pk = solvency_key
    folder = tmp_path_factory.mktemp("binary")
    api = spec.constraint_system(spec.parse_input(spec.sample_input(), "sample"))
    write_r1cs(api.compile(), folder / "c.r1cs")
    write_wtns(api.witness(), folder / "c.wtns")
    write_zkey(pk, folder / "k.zkey")
    return folder, pk


def _rewrite(path: Path, target: Path, offset: int, data: bytes) -> Path:
    blob = bytearray(path.read_bytes())
    blob[offset : offset + len(data)] = data
    target.write_bytes(bytes(blob))
    return target


def test_r1cs_counts_are_checked_against_the_data(samples, tmp_path):
    folder, _ = samples
    # Section 1 starts at byte 24 (12-byte file header, 12-byte section header); nConstraints
    # is its last u32, after n8, r, and five counts.
    at = 24 + 4 + 32 + 16 + 8
    with pytest.raises(FormatError, match="cannot fit"):
        read_r1cs(_rewrite(folder / "c.r1cs", tmp_path / "x.r1cs", at, (2**32 - 1).to_bytes(4, "little")))
    with pytest.raises(FormatError, match="inputs than its"):
        read_r1cs(_rewrite(folder / "c.r1cs", tmp_path / "y.r1cs", 24 + 36 + 8, (2**31).to_bytes(4, "little")))
    _, sections = binfile.decode((folder / "c.r1cs").read_bytes(), b"r1cs", "c.r1cs")
    (tmp_path / "z.r1cs").write_bytes(binfile.encode(b"r1cs", 1, [(1, sections[1][:44]), (2, sections[2])]))
    with pytest.raises(FormatError, match="header is truncated"):
        read_r1cs(tmp_path / "z.r1cs")


def test_wtns_values_must_be_field_elements(samples, tmp_path):
    folder, _ = samples
    blob = (folder / "c.wtns").read_bytes()
    last = len(blob) - 32
    with pytest.raises(FormatError, match="not below r"):
        read_wtns(_rewrite(folder / "c.wtns", tmp_path / "x.wtns", last, CURVE_ORDER.to_bytes(32, "little")))


def _key_with(pk, **changes) -> bytes:
    return zkey_bytes(replace(pk, **changes))


def _off_curve(point):
    """The point with y moved by one: off the curve (G1 or G2), coordinates still below q."""
    x, y = point
    return (x, (y + 1) % FIELD_MODULUS) if isinstance(y, int) else (x, ((y[0] + 1) % FIELD_MODULUS, y[1]))


@pytest.mark.parametrize(
    "section, message",
    [
        ("alpha_1", "alpha_1 is not on the BN254 curve"),
        ("delta_2", "delta_2 is not on the BN254 curve twist"),
        ("a", " A: point {} is not on the BN254 curve"),
        ("b2", " B2: point {} is not on the BN254 curve twist"),
        ("h", " H: point {} is not on the BN254 curve"),
    ],
)
def test_zkey_points_must_be_on_the_curve(section, message, samples, tmp_path):
    _, pk = samples
    value = getattr(pk, section)
    if section in ("alpha_1", "delta_2"):
        bad = _off_curve(value)
    else:
        bad = list(value)
        index = next(i for i, p in enumerate(bad) if p is not None)
        bad[index] = _off_curve(bad[index])
        message = message.format(index)
    (tmp_path / "k.zkey").write_bytes(_key_with(pk, **{section: bad}))
    with pytest.raises(FormatError, match=message):
        read_zkey(tmp_path / "k.zkey")


def test_zkey_coordinates_must_be_below_q(samples, tmp_path):
    """x + q would be the same point after reduction: the reader refuses it unreduced."""
    folder, pk = samples
    blob = (folder / "k.zkey").read_bytes()
    first = next(p for p in pk.c if p is not None)
    at = blob.index(g1_bytes(first))
    unreduced = (int.from_bytes(blob[at : at + 32], "little") + FIELD_MODULUS).to_bytes(32, "little")
    with pytest.raises(FormatError, match=" C: point .* not below q"):
        read_zkey(_rewrite(folder / "k.zkey", tmp_path / "k.zkey", at, unreduced))


def test_python_point_check_agrees_with_the_compiled_one(samples, tmp_path, monkeypatch):
    """Without numba the reader falls back to Python integers: same verdicts, same indices."""
    _, pk = samples
    points = list(pk.h)
    points[2] = (points[2][0], (points[2][1] + 1) % FIELD_MODULUS)
    (tmp_path / "k.zkey").write_bytes(_key_with(pk, h=points))
    with pytest.raises(FormatError, match="H: point 2 ") as compiled:
        read_zkey(tmp_path / "k.zkey")
    monkeypatch.setitem(sys.modules, "zkmargin.prover.native.kernels", None)  # import now raises ImportError
    with pytest.raises(FormatError, match="H: point 2 ") as python:
        read_zkey(tmp_path / "k.zkey")
    assert str(python.value) == str(compiled.value)
    write_zkey(pk, tmp_path / "good.zkey")
    assert read_zkey(tmp_path / "good.zkey") == pk


def test_binary_size_cap(tmp_path):
    (tmp_path / "c.wtns").write_bytes(b"wtns" + bytes(5000))
    with pytest.raises(FormatError, match="larger than 4,096 bytes, the limit for .wtns files"):
        binfile.read(tmp_path / "c.wtns", b"wtns", limit=4096)


def test_lists_and_objects_are_capped_at_the_largest_capacity():
    """A 4 MiB model could otherwise list 60,000 scenarios, each pricing every option."""
    r = Reader("model.json")
    assert len(r.list(["s"] * 1024, "scenarios")) == 1024
    with pytest.raises(FormatError, match="model.json: scenarios: more than 1024 entries"):
        r.list(["s"] * 1025, "scenarios")
    with pytest.raises(FormatError, match="more than 1024 entries"):
        r.obj({str(i): i for i in range(1025)}, "underlyings")


@pytest.mark.parametrize("compiled", [True, False])
def test_zkey_g2_points_must_be_in_the_subgroup(compiled, samples, tmp_path, monkeypatch):
    """On the twist but of another order: the compiled [r]P check and py_ecc's agree."""
    from test_verifier import twist_point_outside_subgroup

    _, pk = samples
    x, y, _ = twist_point_outside_subgroup()
    point = ((int(x[0]), int(x[1])), (int(y[0]), int(y[1])))
    (tmp_path / "k.zkey").write_bytes(_key_with(pk, gamma_2=point))
    if not compiled:
        monkeypatch.setitem(sys.modules, "zkmargin.prover.native.kernels", None)
    with pytest.raises(FormatError, match="gamma_2 is not in the prime-order subgroup of G2"):
        read_zkey(tmp_path / "k.zkey")
