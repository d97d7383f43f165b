"""The compiled witness against its oracle, the Python builder.

For random inputs, malicious edge values included, the kernel's witness must equal the
builder's wire for wire, and the kernel's R1CS check must give the same verdict as the
Python one (satisfied, or the same first failing row). Then the plumbing: a hint of unknown
kind refuses to compile, programs round-trip through their cache file and refuse edits,
and a key is checked against a circuit once.
"""

from __future__ import annotations

import random
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkmargin import api as zk
from zkmargin.api import witness as witness_module
from zkmargin.circuits import solvency_basic
from zkmargin.circuits.builder import CircuitError, ConstraintSystem
from zkmargin.circuits.gadgets import (
    CEIL,
    FLOOR,
    assert_signed_in_range,
    divide,
    is_less_or_equal,
    maximum,
    poseidon_sponge,
    select,
    to_bits_strict,
)
from zkmargin.circuits.input_values import margin_input_values
from zkmargin.circuits.margin.calculator import ScaledPortfolio
from zkmargin.circuits.margin.circuit import MarginWitness, build_margin_circuit, margin_statement
from zkmargin.circuits.r1cs import evaluate
from zkmargin.circuits.witness_program import WitnessProgram, limb_integers, program_of
from zkmargin.prover.native.witness import CompiledWitness
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import MarginCapacity, MarginParameters

from helpers import assert_margin_compiled_equals_builder

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EDGES = [0, 1, 2, R - 1, R - 2, R // 2, 2**20 - 1, 2**20, 2**40, 2**64 - 1, 2**64, 2**128, 2**253, 2**253 - 1]
field_value = st.one_of(st.sampled_from(EDGES), st.integers(0, 2**45), st.integers(0, R - 1))


def agree(build, values: dict[str, int]) -> bool:
    """Assert the compiled witness equals the builder's and both checks agree; return satisfied."""
    oracle = ConstraintSystem()
    build(oracle, values)
    r1cs, expected = oracle.compile(), oracle.witness()
    program = built_program(build)
    kernel = CompiledWitness(program)
    got = kernel.run(program.input_values(values))
    assert limb_integers(got) == expected
    first = r1cs.first_unsatisfied(expected)
    assert kernel.first_unsatisfied(got) == first
    return first is None


_PROGRAMS: dict = {}


def built_program(build) -> WitnessProgram:
    if build not in _PROGRAMS:
        structure = ConstraintSystem()
        build(structure, None)
        _PROGRAMS[build] = program_of(structure)
    return _PROGRAMS[build]


# ---------------------------------------------------------------- every gadget
GADGET_INPUTS = ["x", "y", "z", "c", "s"]


def gadgets(api: ConstraintSystem, values: dict[str, int] | None) -> None:
    """Each hint kind, fed from free inputs so that edge values reach the hints unfiltered."""
    x, y, z, c, s = (api.private_input(n, values[n] if values else None) for n in GADGET_INPUTS)
    out = api.public_input("out", values["out"] if values else None)
    best = maximum(api, [x, y, z], 20)  # bits, select on proven comparison bits
    floor_q = divide(api, x * 3 + y, 7, 40, FLOOR)  # divmod with a constant in the numerator
    ceil_q = divide(api, z, 1_000_003, 40, CEIL)
    chosen = select(api, c, x, y)  # a condition straight from an input: any field element
    bits = to_bits_strict(api, s)  # 254 bits and the alias check (products)
    sign = assert_signed_in_range(api, s - 2**30, 40)
    less = is_less_or_equal(api, x, y, 20)
    digest = poseidon_sponge(api, [x, s, chosen])  # the products of Poseidon's S-boxes
    (top,) = api.hint(  # a signed maximum over raw field elements: values above r/2 read as negative
        lambda *v: max(u - R if u > R // 2 else u for u in v) % R,
        x,
        y,
        z - c,
        s,
        name="signed_max",
        kind="maximum",
    )
    api.assert_equal(
        out, best + floor_q + ceil_q + bits[0] + sign + less + api.mul(digest, 0) + api.mul(x, y) + api.mul(top, x)
    )


def shortfall_hint(api: ConstraintSystem, values: dict[str, int] | None) -> None:
    """The 'shortfall' kind on free inputs: any k (0, above the count, any field element) and
    tail and other values anywhere in the field, ties included."""
    from zkmargin.circuits.margin.circuit import _shortfall

    x, y, z, c, s = (api.private_input(n, values[n] if values else None) for n in GADGET_INPUTS)
    out = api.public_input("out", values["out"] if values else None)
    tau, best = api.hint(_shortfall, c, 3, x, y, x - z, s, z, count=2, name="shortfall", kind="shortfall")
    api.assert_equal(out, api.mul(tau, best) + tau + api.mul(x + y + z, c + s))  # every input in a constraint


@given(x=field_value, y=field_value, z=field_value, s=field_value, out=field_value,
       c=st.one_of(st.integers(0, 5), field_value))
@SETTINGS
def test_shortfall_kind_compiled_equals_builder(x, y, z, c, s, out):
    agree(shortfall_hint, dict(x=x, y=y, z=z, c=c, s=s, out=out))


def test_shortfall_kind_on_edge_values():
    """Seeded edge combinations (values near r/2 and r, huge k): excess sums that pass r are
    where a kernel reducing modulo r and a Python hint using exact integers would part."""
    rng = random.Random(13)
    edges = EDGES + [R // 2 + 1, R // 3, 2 * R // 3]
    for _ in range(150):
        values = {n: rng.choice([rng.choice(edges), rng.randrange(R), rng.randrange(1 << 45)]) for n in GADGET_INPUTS}
        values["c"] = rng.choice([0, 1, 2, 3, 4, rng.randrange(R)])
        agree(shortfall_hint, {**values, "out": rng.randrange(R)})


@given(x=field_value, y=field_value, z=field_value, c=field_value, s=field_value, out=field_value)
@SETTINGS
def test_gadgets_compiled_equals_builder(x, y, z, c, s, out):
    agree(gadgets, dict(x=x, y=y, z=z, c=c, s=s, out=out))


def test_gadgets_honest_inputs_satisfy():
    values = dict(x=5, y=1000, z=77, c=1, s=2**31, out=0)
    probe = ConstraintSystem()
    gadgets(probe, values)
    r1cs, witness = probe.compile(), probe.witness()
    # the last row is (out - expression) * 1 = 0; with out = 0 its A side is -expression
    values["out"] = -evaluate(r1cs.constraints[-1].a, witness) % R
    assert agree(gadgets, values)


# ---------------------------------------------------------------- solvency-basic
def solvency(api: ConstraintSystem, values: dict[str, int] | None) -> None:
    inputs = None if values is None else {k: v for k, v in values.items() if k != "commitment"}
    solvency_basic.build(api, inputs)


@given(collateral=field_value, requirement=field_value, salt=field_value)
@SETTINGS
def test_solvency_basic_compiled_equals_builder(collateral, requirement, salt):
    values = dict(collateral=collateral, requirement=requirement, salt=salt)
    values["commitment"] = solvency_basic.commitment_of(values)
    agree(solvency, values)


def test_solvency_basic_sample_satisfies():
    values = solvency_basic.parse_input(solvency_basic.sample_input(), "sample")
    assert agree(solvency, {**values, "commitment": solvency_basic.commitment_of(values)})


# ---------------------------------------------------------------- the margin circuit
CAP = MarginCapacity(positions=2, collateral=1, scenarios=4)


@lru_cache(maxsize=None)
def margin_parameters(seed: int) -> MarginParameters:
    rng = random.Random(seed)
    big = 10**12
    return MarginParameters(
        scale=10**6,
        margin_level="initial",
        groups=("ETH",),
        instruments=("a:CALL", "b:PERP"),
        scenarios=("up", "down", "up vol", "down vol"),
        collateral_assets=("USDC",),
        unit_value=(rng.randrange(0, big), rng.randrange(0, big)),
        unit_loss=tuple(tuple(rng.randrange(-big, big) for _ in range(4)) for _ in range(2)),
        short_option_min=(rng.randrange(big // 100), 0),
        contingency=(0, rng.randrange(big // 100)),
        collateral_value=(rng.randrange(big),),
        collateral_loss=(tuple(rng.randrange(-big, big) for _ in range(4)),),
    )


@lru_cache(maxsize=1)
def margin_program() -> WitnessProgram:
    structure = ConstraintSystem()
    build_margin_circuit(structure, CAP)
    return program_of(structure)


def margin_witness(quantities, amount, seed: int, threshold: int) -> MarginWitness:
    portfolio = ScaledPortfolio(account=7, quantities=tuple(quantities), amounts=(amount,), salt=seed + 99)
    return MarginWitness(margin_statement(margin_parameters(seed), portfolio, 1_795_248_000, threshold), portfolio)


@given(
    quantities=st.lists(
        st.one_of(st.integers(-(10**9), 10**9), st.sampled_from([-(2**63), 2**63 - 1, 2**64])), min_size=2, max_size=2
    ),
    amount=st.one_of(st.integers(0, 10**9), st.sampled_from([0, 2**64 - 1, 2**64])),
    seed=st.integers(0, 20),
    threshold=st.sampled_from([10_000, 15_000]),
)
@SETTINGS
def test_margin_compiled_equals_builder(quantities, amount, seed, threshold):
    """Random books, out-of-range quantities and amounts included (those must fail, alike)."""
    assert_margin_compiled_equals_builder(CAP, margin_witness(quantities, amount, seed, threshold), margin_program())


def test_margin_input_names_are_the_circuits():
    values = margin_input_values(CAP, margin_witness([1, -1], 5, 0, 10_000))
    program = margin_program()
    assert set(values) == set(program.input_names)
    with pytest.raises(FormatError, match="no value for circuit input 'salt'"):
        program.input_values({k: v for k, v in values.items() if k != "salt"})
    with pytest.raises(FormatError, match="no circuit input named 'bonus'"):
        program.input_values({**values, "bonus": 1})


# ---------------------------------------------------------------- plumbing
def test_hint_without_a_kind_is_not_compilable():
    api = ConstraintSystem()
    x = api.private_input("x")
    (y,) = api.hint(lambda v: v + 1, x, name="successor")
    api.assert_equal(y, x + 1)
    api.compile()  # a fine circuit for the builder
    with pytest.raises(CircuitError, match="successor.*no compiled kind"):
        program_of(api)


def test_program_round_trips_and_refuses_edits(tmp_path):
    program = built_program(gadgets)
    path = tmp_path / "p.npz"
    program.save(path)
    loaded = WitnessProgram.load(path)
    assert loaded.digest == program.digest and loaded == program
    assert loaded.r1cs().constraints == program.r1cs().constraints
    edited = WitnessProgram(**{**loaded.__dict__, "params": loaded.params + 1, "digest": program.digest})
    edited.save(path)  # records the old digest beside new contents
    with pytest.raises(FormatError, match="does not match its digest"):
        WitnessProgram.load(path)


def test_program_cache_loads_instead_of_building(tmp_path):
    calls = []

    def build():
        calls.append(1)
        api = ConstraintSystem()
        gadgets(api, None)
        return api

    first = zk.cached_program("gadgets", build, tmp_path)
    second = zk.cached_program("gadgets", build, tmp_path)
    assert len(calls) == 1 and first.digest == second.digest
    (file,) = (tmp_path / "programs").iterdir()
    file.write_bytes(b"not a program")
    witness_module._PROGRAMS.clear()  # as a new worker process finds it
    assert zk.cached_program("gadgets", build, tmp_path).digest == first.digest and len(calls) == 2


def test_key_is_checked_once_per_key_and_program(tmp_path, solvency_key):
    _, _, pk = solvency_key
    structure = ConstraintSystem()
    solvency(structure, None)
    program = program_of(structure)
    zk.check_key_once(pk, "key-hash", program, tmp_path)
    other = built_program(gadgets)
    with pytest.raises(FormatError):
        zk.check_key_once(pk, "key-hash", other, tmp_path)
    # remembered: a key that would now fail is not re-checked for the same pair
    zk.check_key_once(None, "key-hash", program, tmp_path)  # type: ignore[arg-type]


def test_an_unwritable_cache_only_costs_time(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    structure = ConstraintSystem()
    solvency(structure, None)
    program = zk.cached_program("solvency", lambda: structure, blocked)
    assert program.digest == program_of(structure).digest
    values = solvency_basic.parse_input(solvency_basic.sample_input(), "sample")
    witness = zk.checked_witness(program, {**values, "commitment": solvency_basic.commitment_of(values)})
    assert witness.shape == (program.n_wires, 4)


@pytest.mark.parametrize("compiled", [True, False])
def test_prove_case_either_witness_verifies(tiny_margin_bundle, tmp_path, compiled):
    from conftest import DATA

    capacity = zk.MarginCapacity(2, 1, 10)
    case = zk.load_case(DATA / "tiny_portfolio.json", DATA / "tiny_market.json", "occ10", capacity)
    record = zk.prove_case(case, tiny_margin_bundle / "tiny.zkey", tmp_path / "bundle", compiled=compiled)
    verdict = zk.verify_bundle(record.bundle)
    assert verdict.valid, verdict.reason
    assert ("witness (compiled, checked)" in record.timings) is compiled
