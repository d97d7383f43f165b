"""Fuzzing every reader: mutated sample files and arbitrary input may only end in the project's
own errors (FormatError and its subclasses) or, for a bundle, an invalid verdict.

By default each test runs a few rounds from fixed seeds (the same inputs in every run, CI's
included, so a verdict is reproducible, and the module takes seconds); ``pytest --fuzz-seconds
N tests/test_fuzz_readers.py`` explores fresh random inputs for about N seconds a test. Any
other exception, or an example slower than EXAMPLE_SECONDS, fails with the input hypothesis
shrank it to.
"""

from __future__ import annotations

import copy
import json
import shutil
import time
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from zkmargin.circuits.iden3_files import read_r1cs, read_wtns, write_r1cs, write_wtns
from zkmargin.circuits.margin.case import DEFAULT_CAPACITY, load_case
from zkmargin.circuits.margin.inputs import load_market, load_model, sample_path
from zkmargin.circuits.margin.risk_arrays import compute_risk_arrays
from zkmargin.prover.groth16.zkey import read_zkey, write_zkey
from zkmargin.verifier.bundle import load_bundle
from zkmargin.verifier.curve import CURVE_ORDER, FIELD_MODULUS
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import MarginCapacity as Capacity

from conftest import DATA

DEFAULT_ROUNDS = 3
EXAMPLE_SECONDS = 20.0  # a hang or a runaway computation, not a slow machine
TINY_CAPACITY = Capacity(2, 1, 10)
BIG, DEEP = "@@5000-digit literal@@", "@@70000-deep list@@"  # spliced into the JSON text after dumps

#: Values that broke a reader once (issue 11) or sit at a boundary a reader checks.
AWKWARD = [
    "--5",
    "-",
    "",
    " ",
    "+5",
    "1e400",
    "1e-400",
    "1e99999999",
    "9" * 5000,
    "-1",
    "0",
    "1",
    "0x10",
    "NaN",
    "Infinity",
    "1/0",
    "2/3",
    "1e6",
    "1e-30",
    "٣",
    "1_000",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2026-11-21T08:00:00",
    "2026-11-21T08:00:00Z",
    str(CURVE_ORDER),
    str(CURVE_ORDER - 1),
    str(FIELD_MODULUS),
    str(2**256),
    str(2**64),
    BIG,
    DEEP,
    "[" * 100,
    '"\\',
    "call",
    "put",
    "perp",
    "up",
    "groth16",
    "bn128",
]
SCALARS = (
    st.sampled_from(AWKWARD)
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.booleans()
    | st.none()
    | st.text(max_size=12)
    | st.lists(st.sampled_from(["1", 1, "0"]), max_size=4)
    | st.builds(dict)
)

ANY_JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _mutated_value(draw, node):
    """node with one change somewhere inside: a value replaced, a key dropped or added, a list cut."""
    if isinstance(node, (dict, list)) and node and draw(st.integers(0, 3)) > 0:
        key = draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
        node[key] = _mutated_value(draw, node[key])
        return node
    action = draw(st.sampled_from(["replace", "replace", "drop", "add", "grow"]))
    if action == "drop" and node:
        if isinstance(node, dict):
            node.pop(draw(st.sampled_from(list(node))))
        elif isinstance(node, list):
            node.pop(draw(st.integers(0, len(node) - 1)))
        return node
    if action == "add" and isinstance(node, dict):
        node[draw(st.sampled_from(["extra", "salt", "mark", "vol", "expiry", "weight", "type"]))] = draw(SCALARS)
        return node
    if action == "grow" and isinstance(node, list) and node:
        return node * draw(st.sampled_from([2, 3, 1025]))
    return draw(SCALARS)


def mutated_text(draw, obj) -> bytes:
    """A valid file's JSON, changed one to three times, sometimes damaged as text too."""
    obj = copy.deepcopy(obj)
    for _ in range(draw(st.integers(1, 3))):
        obj = _mutated_value(draw, obj)
    text = json.dumps(obj, indent=1).replace(f'"{BIG}"', "9" * 5000).replace(f'"{DEEP}"', "[" * 70000 + "]" * 70000)
    return mutated_bytes(draw, text.encode()) if draw(st.integers(0, 4)) == 0 else text.encode()


def mutated_bytes(draw, blob: bytes) -> bytes:
    """Byte-level damage: flips, overwritten header words, cuts and splices."""
    blob = bytearray(blob)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "word", "cut", "insert"]))
        at = draw(st.integers(0, max(len(blob) - 1, 0)))
        if action == "flip" and blob:
            blob[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "word":  # counts and sizes live in aligned u32/u64 words, mostly near the start
            at = draw(st.integers(0, min(len(blob), 2048) // 4)) * 4
            word = draw(st.sampled_from([0, 1, 2, 0xFFFFFFFF, 0x7FFFFFFF, 1 << 20, len(blob)]))
            blob[at : at + 4] = word.to_bytes(4, "little")
        elif action == "cut":
            del blob[at : at + draw(st.integers(1, 200))]
        else:
            blob[at:at] = draw(st.binary(max_size=64))
    return bytes(blob)


def fuzz(seconds: float | None, strategy, check) -> None:
    """Run check on drawn inputs in short hypothesis rounds: by default DEFAULT_ROUNDS rounds
    from fixed seeds, so every plain run (CI's too) tries the same inputs and its verdict is
    reproducible; with --fuzz-seconds, fresh random rounds until the budget is spent."""

    def one_round(seed_value: int | None):
        @settings(
            max_examples=8,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def round_(example):
            started = time.monotonic()
            try:
                check(example)
            except FormatError:
                pass
            assert time.monotonic() - started < EXAMPLE_SECONDS, "an input took too long"

        return round_ if seed_value is None else seed(seed_value)(round_)

    if seconds is None:
        for k in range(DEFAULT_ROUNDS):
            one_round(k)()
        return
    end = time.monotonic() + seconds
    one_round(None)()
    while time.monotonic() < end:
        one_round(None)()


def json_files(bases: list):
    """Mutations of the base objects, arbitrary JSON and arbitrary bytes."""
    mutated = st.composite(lambda draw: mutated_text(draw, draw(st.sampled_from(bases))))()
    return mutated | ANY_JSON.map(lambda obj: json.dumps(obj).encode()) | st.binary(max_size=300)


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _json(path) -> object:
    return json.loads(Path(path).read_text())


def _risk_arrays_file() -> dict:
    market, model = load_market(DATA / "tiny_market.json"), load_model("occ10")
    arrays = compute_risk_arrays(market, model)
    return {
        "scenarios": list(arrays.scenarios),
        "instruments": {
            r.instrument_id: {
                "value": str(r.unit_value),
                "loss": [str(x) for x in r.unit_loss],
                "short_option_min": str(r.short_option_min),
                "contingency": str(r.contingency),
            }
            for r in arrays.instruments
        },
    }


# ---------------------------------------------------------------- the readers
def test_bundle_files_through_load_bundle_and_check(tiny_margin_bundle, workdir, fuzz_seconds):
    source = tiny_margin_bundle / "bundle"
    names = ["proof.json", "public.json", "verification_key.json", "statement.json"]
    bases = {name: _json(source / name) for name in names}
    folder = workdir / "bundle"
    shutil.copytree(source, folder)

    def check(example):
        name, blob = example
        for other in names:
            shutil.copyfile(source / other, folder / other)
        (folder / name).write_bytes(blob)
        load_bundle(folder).check()

    strategy = st.sampled_from(names).flatmap(lambda name: st.tuples(st.just(name), json_files([bases[name]])))
    fuzz(fuzz_seconds, strategy, check)


@pytest.mark.parametrize("which", ["market", "portfolio", "model", "risk arrays"])
def test_margin_inputs_through_load_case(which, workdir, fuzz_seconds):
    """Each margin input mutated while the others stay valid, through everything `zkmargin
    margin` computes (risk arrays, fixed point, requirement, greeks)."""
    model_path = resources.files("zkmargin.circuits.margin").joinpath("presets", "occ10.json")
    cases = [  # (portfolio, market, model, capacity)
        (DATA / "tiny_portfolio.json", DATA / "tiny_market.json", "occ10", TINY_CAPACITY),
        (sample_path("portfolio.json"), sample_path("market.json"), "crypto-pm", DEFAULT_CAPACITY),
    ]
    target = workdir / f"{which.replace(' ', '-')}.json"
    bases = {
        "market": [_json(c[1]) for c in cases],
        "portfolio": [_json(c[0]) for c in cases],
        "model": [json.loads(model_path.read_text())],
        "risk arrays": [_risk_arrays_file()],
    }[which]

    def check(example):
        index, blob = example
        target.write_bytes(blob)
        portfolio, market, model, capacity = cases[index]
        if which == "market":
            market = target
        elif which == "portfolio":
            portfolio = target
        elif which == "model":
            model = str(target)
        load_case(portfolio, market, model, capacity, risk_arrays_path=target if which == "risk arrays" else None)

    strategy = st.integers(0, len(bases) - 1).flatmap(lambda i: st.tuples(st.just(i), json_files([bases[i]])))
    fuzz(fuzz_seconds, strategy, check)


@pytest.fixture(scope="module")
def binary_samples(workdir, solvency_key) -> dict[str, bytes]:
    spec, r1cs, pk = solvency_key
    api = spec.constraint_system(spec.parse_input(spec.sample_input(), "sample"))
    write_r1cs(api.compile(), workdir / "c.r1cs")
    write_wtns(api.witness(), workdir / "c.wtns")
    write_zkey(pk, workdir / "k.zkey")
    return {
        kind: (workdir / name).read_bytes()
        for kind, name in (("r1cs", "c.r1cs"), ("wtns", "c.wtns"), ("zkey", "k.zkey"))
    }


@pytest.mark.parametrize("kind, reader", [("r1cs", read_r1cs), ("wtns", read_wtns), ("zkey", read_zkey)])
def test_binary_readers(kind, reader, binary_samples, workdir, fuzz_seconds):
    target = workdir / f"fuzz.{kind}"
    valid = binary_samples[kind]

    def check(blob):
        target.write_bytes(blob)
        reader(target)

    strategy = st.composite(lambda draw: mutated_bytes(draw, valid))() | st.binary(max_size=200).map(
        lambda b: kind.encode() + b
    )
    fuzz(fuzz_seconds, strategy, check)


def test_the_mutations_reach_the_checks():
    """Most mutated markets must be refused, or the tests above would prove little."""
    from zkmargin.circuits.margin.inputs import parse_market
    from zkmargin.verifier.files import parse_json

    refused = []

    @settings(max_examples=60, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def count(data):
        try:
            parse_market(parse_json(mutated_text(data.draw, _json(DATA / "tiny_market.json")), "m.json"), "m.json")
        except FormatError:
            refused.append(1)

    count()
    assert len(refused) > 20
