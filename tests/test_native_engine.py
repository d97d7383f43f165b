"""The native (numba) engine against the reference engine, which is plain py_ecc."""

import os
import random
import re

import numpy as np
import pytest
from py_ecc import optimized_bn128 as bn

from zkmargin.prover import get_engine
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import FIELD_MODULUS as Q
from zkmargin.verifier.curve import g1_affine

pytest.importorskip("numba")
from numba import njit  # noqa: E402
from zkmargin.prover.native.field import from_array, to_array  # noqa: E402

rng = random.Random(11)
native = get_engine("native")
reference = get_engine("reference")

EDGE_SCALARS = [0, 1, 2, R - 1, R - 2, (1 << 253) + 1, (1 << 64) - 1, 1 << 64]


def test_native_is_the_default_engine():
    assert get_engine().name == "native"


@pytest.mark.parametrize("modulus", [Q, R])
def test_field_edges_near_the_modulus(modulus):
    from zkmargin.prover.native import field

    mul, add, sub = (
        (field.fq_mul, field.fq_add, field.fq_sub) if modulus == Q else (field.fr_mul, field.fr_add, field.fr_sub)
    )

    @njit
    def operations(a, b):  # the field operations are intrinsics: callable from compiled code only
        return mul(a, b), add(a, b), sub(a, b)

    values = [0, 1, 2, modulus - 1, modulus - 2, (1 << 255) % modulus, 1 << 128] + [
        rng.randrange(modulus) for _ in range(6)
    ]
    limbs = [tuple(row) for row in to_array(values, modulus, montgomery=True)]
    for x, a in zip(values, limbs):
        for y, b in zip(values, limbs):
            got = from_array(np.array(operations(a, b), dtype=np.uint64), modulus, montgomery=True)
            assert got == [x * y % modulus, (x + y) % modulus, (x - y) % modulus]


def _msm_of(group):
    """prepare and msm of the native engine, then of the reference, for "g1" or "g2"."""
    return tuple(getattr(engine, f"{verb}_{group}") for engine in (native, reference) for verb in ("prepare", "msm"))


def _random_points(fixed_base, count):
    return fixed_base([rng.randrange(1, R) for _ in range(count)])


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_msm_matches_reference_on_edge_cases(group):
    fixed_base = getattr(reference, f"fixed_base_{group}")
    points = _random_points(fixed_base, 12)
    points += [points[0], points[1], None, points[2]]  # duplicates and the identity
    scalars = EDGE_SCALARS + [rng.randrange(R) for _ in range(len(points) - len(EDGE_SCALARS))]
    nat_prepare, nat_msm, ref_prepare, ref_msm = _msm_of(group)
    assert nat_msm(nat_prepare(points), scalars) == ref_msm(ref_prepare(points), scalars)
    assert nat_msm(nat_prepare(points), [0] * len(points)) is None
    p = points[3]
    assert nat_msm(nat_prepare([p, p]), [5, R - 5]) is None  # cancels to the identity
    assert nat_msm(nat_prepare([p, p]), [7, 7]) == ref_msm(ref_prepare([p]), [14])  # bucket doubling


@pytest.mark.parametrize("count", [1, 300, 3000])
def test_msm_random_and_bit_scalars(count):
    points = _random_points(native.fixed_base_g1, count)
    for scalars in ([rng.randrange(R) for _ in range(count)], [rng.randrange(2) for _ in range(count)]):
        assert native.msm_g1(native.prepare_g1(points), scalars) == reference.msm_g1(
            reference.prepare_g1(points), scalars
        )


def _negated(point):
    if point is None:
        return None
    x, y = point
    return (x, Q - y) if isinstance(y, int) else (x, tuple((Q - c) % Q for c in y))


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_msm_scalars_of_one_are_summed_outside_the_buckets(group):
    """Points with scalar one are summed as batch-affine runs: equal points double, a point
    and its negation cancel, and the sum joins Pippenger's result over the rest."""
    points = list(_random_points(getattr(native, f"fixed_base_{group}"), 20))
    p, q = points[0], points[1]
    points += [p, p, q, _negated(q), None]
    nat_prepare, nat_msm, ref_prepare, ref_msm = _msm_of(group)
    ones = [1] * len(points)
    mixed = [1] * 12 + [rng.randrange(R) for _ in range(len(points) - 15)] + [2, R - 1, 1 << 70]
    for scalars in (ones, mixed):
        assert nat_msm(nat_prepare(points), scalars) == ref_msm(ref_prepare(points), scalars)
    assert nat_msm(nat_prepare([q, _negated(q)]), [1, 1]) is None
    assert nat_msm(nat_prepare([p]), [1]) == p
    assert nat_msm(nat_prepare([p, p, p]), [1, 1, R - 2]) is None  # the ones' sum cancels Pippenger's result
    assert nat_msm(nat_prepare([p, p, p]), [1, 1, 2]) == ref_msm(ref_prepare([p]), [4])  # ... or doubles it


@pytest.mark.parametrize("group", ["g1", "g2"])
@pytest.mark.parametrize("shape", ["bits", "zeros", "mixed", "ones"])
def test_msm_of_bit_witnesses_matches_reference(group, shape):
    """Witnesses of a range-check-heavy circuit: all bits, all zeros, all ones, and bits mixed
    with full-width values, small values and r - 1 (a -1), as the compiled array the prover
    passes and as a list, over bases with points at infinity (kept positions shift)."""
    count = 64
    points = list(_random_points(getattr(native, f"fixed_base_{group}"), count))
    points[5] = points[40] = None
    scalars = {
        "bits": [rng.randrange(2) for _ in range(count)],
        "zeros": [0] * count,
        "ones": [1] * count,
        "mixed": [rng.choice([0, 1, 1, 2, R - 1, rng.randrange(R)]) for _ in range(count)],
    }[shape]
    nat_prepare, nat_msm, ref_prepare, ref_msm = _msm_of(group)
    expected = ref_msm(ref_prepare(points), scalars)
    bases = nat_prepare(points)
    assert nat_msm(bases, scalars) == expected
    assert nat_msm(bases, native.prepare_scalars(scalars)) == expected
    assert nat_msm(bases, native.prepare_scalars(scalars[:50])) == ref_msm(ref_prepare(points[:50]), scalars[:50])
    if shape == "zeros":
        assert expected is None


def test_partition_sorts_ones_and_others_in_one_pass():
    from zkmargin.prover.native.kernels import kernels

    partition = kernels().partition

    values = [0, 1, 2, 1, R - 1, 0, 1 << 64, 1 + (1 << 64), 1]
    keep = np.array([0, 1, 2, 3, 4, 6, 7, 8, 12], dtype=np.int64)  # 5 at infinity; 12 beyond the scalars
    ones, others = partition(native.prepare_scalars(values), keep)
    assert ones.tolist() == [1, 3, 7]  # positions in keep: values[1], values[3], values[8]
    assert others.tolist() == [2, 4, 5, 6]  # 2, r - 1, 2^64, 2^64 + 1


def test_msm_g2_random_and_small_negative_scalars():
    points = _random_points(native.fixed_base_g2, 40)
    for scalars in ([rng.randrange(R) for _ in range(40)], [R - rng.randrange(1 << 20) for _ in range(40)]):
        assert native.msm_g2(native.prepare_g2(points), scalars) == reference.msm_g2(
            reference.prepare_g2(points), scalars
        )


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_msm_scalars_that_fill_the_top_window(group):
    """The signed-digit carry out of the top window needs a spare bit: scalars near 2^128
    (after GLV on G1) and near r exercise it."""
    points = _random_points(getattr(native, f"fixed_base_{group}"), 8)
    scalars = [(1 << 128) - 1, 1 << 127, (1 << 128) + 1, R - 1, R - (1 << 127), (1 << 254) % R, (1 << 200) - 1, 3]
    nat_prepare, nat_msm, ref_prepare, ref_msm = _msm_of(group)
    assert nat_msm(nat_prepare(points), scalars) == ref_msm(ref_prepare(points), scalars)


def test_glv_split_is_a_short_decomposition():
    from zkmargin.prover.native import glv
    from zkmargin.prover.native.pippenger import glv_split

    assert (glv.A1 + glv.B1 * glv.LAMBDA) % R == 0 and (glv.A2 + glv.B2 * glv.LAMBDA) % R == 0
    assert bn.eq(bn.multiply(bn.G1, glv.LAMBDA), (bn.G1[0] * glv.BETA, bn.G1[1], bn.G1[2]))  # phi = [lambda]
    scalars = EDGE_SCALARS[1:] + [rng.randrange(R) for _ in range(200)]
    points = to_array([1, 2] * len(scalars), Q, montgomery=True).reshape(len(scalars), 2, 4)
    rows = np.arange(len(scalars), dtype=np.int64)
    out_points, out_scalars = glv_split(points, to_array(scalars, R, montgomery=False), rows, rows)
    k = from_array(out_scalars, R, montgomery=False)
    y = from_array(out_points[:, 1], Q, montgomery=True)
    for i, scalar in enumerate(scalars):
        k1 = k[i] if y[i] == 2 else -k[i]  # a negated y carries the sign
        k2 = k[len(scalars) + i] if y[len(scalars) + i] == 2 else -k[len(scalars) + i]
        assert (k1 + k2 * glv.LAMBDA - scalar) % R == 0
        assert abs(k1) < 1 << 128 and abs(k2) < 1 << 128


def test_signed_digits_recombine():
    from zkmargin.prover.native.kernels import kernels

    signed_digits = kernels().signed_digits

    scalars = [0, 1, R - 1, (1 << 128) - 1] + [rng.randrange(R) for _ in range(50)]
    for c in (2, 5, 13, 16):
        windows = -(-255 // c)
        digits = signed_digits(to_array(scalars, R, montgomery=False), c, windows)
        assert np.abs(digits).max() <= 1 << (c - 1)
        for i, scalar in enumerate(scalars):
            assert sum(int(digits[w, i]) << (c * w) for w in range(windows)) == scalar


def test_key_coordinates_must_be_reduced():
    from zkmargin.prover.encoding import EncodedPoints

    good = to_array([1, 2], Q, montgomery=True).tobytes()
    assert native.msm_g1(native.prepare_g1(EncodedPoints(good, 1)), [1]) == (1, 2)
    for bad in (Q, Q + 1, (1 << 256) - 1):
        raw = bad.to_bytes(32, "little") + good[32:]
        with pytest.raises(ValueError, match="not reduced"):
            native.prepare_g1(EncodedPoints(raw, 1))


def test_load_readies_every_kernel():
    native.load()  # must not raise; afterwards the first proof phase is arithmetic only


def test_fixed_base_matches_reference():
    scalars = EDGE_SCALARS + [255, 256, 65535] + [rng.randrange(R) for _ in range(40)]
    assert list(native.fixed_base_g1(scalars)) == reference.fixed_base_g1(scalars)
    assert list(native.fixed_base_g2(scalars[:16])) == reference.fixed_base_g2(scalars[:16])
    assert native.fixed_base_g1([1])[0] == g1_affine(bn.G1)


@pytest.mark.parametrize("size", [1, 2, 8, 1024])
def test_ntt_round_trip_and_reference(size):
    values = [rng.randrange(R) for _ in range(size)]
    evaluations = native.ntt(values)
    assert evaluations == reference.ntt(values)
    assert native.ntt(evaluations, inverse=True) == values
    assert native.integers(native.odd_coset(values)) == reference.odd_coset(values)
    edge = [R - 1] * size
    assert native.ntt(edge) == reference.ntt(edge)


def test_ntt_refuses_sizes_that_are_not_powers_of_two():
    with pytest.raises(ValueError):
        native.ntt([1, 2, 3])


def test_quotient_matches_reference_from_a_list_and_from_a_key_file(tmp_path, solvency_key):
    from zkmargin.prover import read_zkey, write_zkey
    from zkmargin.prover.groth16 import quotient_evaluations

    spec, r1cs, pk = solvency_key
    witness = spec.constraint_system(spec.parse_input(spec.sample_input(), "sample")).witness()
    expected = quotient_evaluations(reference, pk.coefficients, witness, pk.domain_size)
    from_list = quotient_evaluations(native, list(pk.coefficients), witness, pk.domain_size)
    assert native.integers(from_list) == expected
    write_zkey(pk, tmp_path / "k.zkey")
    loaded = read_zkey(tmp_path / "k.zkey")
    from_file = quotient_evaluations(native, loaded.coefficients, witness, pk.domain_size)
    assert native.integers(from_file) == expected
    # The prover hands over the witness already converted by prepare_scalars.
    from_scalars = quotient_evaluations(native, loaded.coefficients, native.prepare_scalars(witness), pk.domain_size)
    assert native.integers(from_scalars) == expected
    # ... and the MSM takes those limbs as scalars directly.
    bases = native.prepare_g1(loaded.h)
    assert native.msm_g1(bases, from_file) == reference.msm_g1(reference.prepare_g1(list(loaded.h)), expected)
    for engine in (native, reference):
        with pytest.raises(ValueError, match="outside"):
            quotient_evaluations(engine, list(pk.coefficients) + [(0, pk.domain_size, 0, 1)], witness, pk.domain_size)


def _fq2_inverse(c0, c1):
    if (c0, c1) == (0, 0):
        return (0, 0)
    inverse = bn.FQ2([c0, c1]).inv()
    return tuple(int(c) for c in inverse.coeffs)


@pytest.mark.parametrize("group", [1, 2])
def test_shared_batch_inversion_inverts_nonzeros_and_keeps_zeros(group):
    """The one Montgomery-trick kernel (G2's copy generated from G1's): zeros stay zero and
    cost nothing, entries past ``count`` are left alone, and no entries is a no-op."""
    from zkmargin.prover.native import batch_affine_g1, batch_affine_g2

    invert = batch_affine_g1.fq_batch_invert if group == 1 else batch_affine_g2.fq2_batch_invert
    shape = (-1, 4) if group == 1 else (-1, 2, 4)
    width = group  # Fq coordinates per element
    elements = [(0,) * width, (1,) + (0,) * (width - 1), (Q - 1,) * width, (0,) * width]
    elements += [tuple(rng.randrange(Q) for _ in range(width)) for _ in range(6)] + [(0,) * width]

    def limbs(values):
        return to_array([c for e in values for c in e], Q, montgomery=True).reshape(shape)

    def decoded(array):
        flat = from_array(array.reshape(-1, 4), Q, montgomery=True)
        return [tuple(flat[i : i + width]) for i in range(0, len(flat), width)]

    def inverse(e):
        return (pow(e[0], -1, Q) if e[0] else 0,) if group == 1 else _fq2_inverse(*e)

    for count in (0, 1, 4, len(elements) - 3, len(elements)):
        array = limbs(elements)
        invert(array, count, np.empty_like(array))
        assert decoded(array) == [inverse(e) for e in elements[:count]] + elements[count:]
    zeros = limbs([(0,) * width] * 3)
    invert(zeros, 3, np.empty_like(zeros))
    assert not zeros.any()


def test_generated_g2_kernels_are_up_to_date():
    """G2's files are G1's templates with Fq names renamed: regenerating changes nothing."""
    from zkmargin.prover.native import generate

    for template, target in generate.TEMPLATES.items():
        assert (generate.HERE / target).read_text() == generate.g2_source(template), (
            f"{target} is stale: run python -m zkmargin.prover.native.generate"
        )


def test_generator_renames_every_g1_name():
    from zkmargin.prover.native import generate

    for template in generate.TEMPLATES:
        generated = generate.g2_source(template)
        body = generated.split("\n", 1)[1]  # past the header naming the template
        assert not re.search(r"(?<![A-Za-z0-9])(g1|G1|fq_)|Q_ONE|from \.field", body), template


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_streamed_windows_match_reference(group):
    """Windows of STREAM_BUCKETS buckets or more stream their points into affine buckets in
    batches (pippenger_g1.g1_window): forced here with c = 12 on a few points. Equal points
    with equal digits double inside a batch, a point and its negation cancel (the bucket
    empties and is refilled), and one digit shared by many points overflows the waiting list
    into the buckets' Jacobian parts."""
    from zkmargin.prover.native import engine as native_engine
    from zkmargin.prover.native.kernels import kernels
    from zkmargin.prover.native.pippenger import pippenger
    from zkmargin.prover.native.pippenger_g1 import STREAM_BUCKETS

    c = 12
    assert 1 << (c - 1) >= STREAM_BUCKETS
    signed_digits = kernels().signed_digits
    to_affine = {"g1": native_engine._g1_from_jacobian, "g2": native_engine._g2_from_jacobian}[group]
    nat_prepare, _, ref_prepare, ref_msm = _msm_of(group)
    distinct = list(_random_points(getattr(native, f"fixed_base_{group}"), 40))
    p, q = distinct[0], distinct[1]
    s, t = rng.randrange(R), rng.randrange(R)
    cases = [
        (distinct + [p, q, _negated(q), p], [rng.randrange(R) for _ in distinct] + [s, t, t, s]),
        (distinct * 40, [5] * (40 * len(distinct))),  # one bucket: the waiting list overflows
        (distinct * 3, [rng.choice([3, R - 3, 1 << 100, rng.randrange(R)]) for _ in range(3 * len(distinct))]),
    ]
    for points, scalars in cases:
        array = nat_prepare(points).array
        values = native.prepare_scalars(scalars)
        digits = signed_digits(values, c, -(-255 // c))
        ones = array[:0]
        got = to_affine(pippenger(group, np.ascontiguousarray(array), digits, c, ones, 0))
        combined: dict = {}
        for point, scalar in zip(points, scalars):
            combined[point] = (combined.get(point, 0) + scalar) % R
        assert got == ref_msm(ref_prepare(list(combined)), list(combined.values()))


@pytest.mark.parametrize("modulus", [Q, R])
def test_assembly_and_portable_products_agree(modulus):
    """Products are x86 assembly (mulx, adcx, adox) where the CPU has BMI2 and ADX, else
    portable LLVM IR: both against Python integers, near the modulus and at random."""
    from zkmargin.prover.native import field

    variants = {"portable": field._field_intrinsics(modulus, field._montgomery_product_ir)[0]}
    if field.USE_ADX:
        variants["adx"] = field._field_intrinsics(modulus, field._adx_product_ir)[0]
    values = [0, 1, 2, modulus - 1, modulus - 2, (1 << 255) % modulus] + [rng.randrange(modulus) for _ in range(30)]
    limbs = [tuple(row) for row in to_array(values, modulus, montgomery=True)]
    for name, mul in variants.items():
        product = njit(lambda a, b: mul(a, b))  # noqa: B023 (compiled at once, in this iteration)
        for x, a in zip(values, limbs):
            for y, b in zip(values[::5], limbs[::5]):
                got = from_array(np.array(product(a, b), dtype=np.uint64), modulus, montgomery=True)
                assert got == [x * y % modulus], name


def test_fq2_products_agree_near_the_modulus():
    """Fq2's product (lazy reduction in assembly where USE_ADX, else Karatsuba over Fq
    products) against Python integers, with components near q, where the unreduced
    cross term and the q^2 offset are largest."""
    from zkmargin.prover.native import fq2

    values = [0, 1, 2, Q - 1, Q - 2, (1 << 255) % Q] + [rng.randrange(Q) for _ in range(6)]
    pairs = [(x, y) for x in values for y in values[::2]]
    for name in ("_fq2_mul_karatsuba", "_fq2_mul_lazy") if fq2.USE_ADX else ("_fq2_mul_karatsuba",):
        mul = getattr(fq2, name)
        for a0, a1 in pairs[::3]:
            for b0, b1 in pairs[::5]:
                a = tuple(tuple(row) for row in to_array([a0, a1], Q, montgomery=True))
                b = tuple(tuple(row) for row in to_array([b0, b1], Q, montgomery=True))
                got = from_array(np.array(mul(a, b), dtype=np.uint64), Q, montgomery=True)
                assert got == [(a0 * b0 - a1 * b1) % Q, (a0 * b1 + a1 * b0) % Q], name
    assert fq2.fq2_mul is (fq2._fq2_mul_lazy if fq2.USE_ADX else fq2._fq2_mul_karatsuba)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_work_split_across_threads_gives_the_same_results(monkeypatch):
    """The engine splits elementwise kernels, the sparse products, the GLV split, the NTT's
    stages, the scalar-one sums and a key's point checks into tasks once they are large
    enough; forced here on small inputs, every result must be the one-thread one."""
    from zkmargin.prover import key_checks
    from zkmargin.prover.encoding import EncodedPoints, points_bytes
    from zkmargin.prover.native import engine as native_engine
    from zkmargin.prover.native import pippenger, transform

    shares = [(native_engine, "ELEMENTS_PER_TASK"), (pippenger, "SPLITS_PER_TASK"), (pippenger, "ONES_PER_TASK"),
              (key_checks, "POINTS_PER_TASK"), (transform, "ELEMENTS_PER_PART")]
    for module, name in shares:
        monkeypatch.setattr(module, name, 1)
    values = [rng.randrange(R) for _ in range(64)]
    assert native.integers(native.odd_coset(values)) == reference.integers(reference.odd_coset(values))
    entries = [(m, rng.randrange(16), rng.randrange(8), rng.randrange(R)) for m in (0, 1) for _ in range(40)]
    scalars = [rng.randrange(R) for _ in range(8)]
    got, want = native.sparse_products(entries, scalars, 16, 2), reference.sparse_products(entries, scalars, 16, 2)
    assert [native.integers(v) for v in got] == [reference.integers(v) for v in want]
    h_got = native.integers(native.hadamard_minus(got[0], got[1], native.hadamard(got[0], got[1])))
    assert h_got == [0] * 16
    points = _random_points(native.fixed_base_g1, 50)
    for scalars in ([rng.randrange(R) for _ in range(50)], [1] * 30 + [rng.randrange(R) for _ in range(20)]):
        want = reference.msm_g1(reference.prepare_g1(points), scalars)
        assert native.msm_g1(native.prepare_g1(points), scalars) == want
    bad = list(points)
    for index in (37, 5):
        bad[index] = (bad[index][0], (bad[index][1] + 1) % Q)
        assert key_checks._first_invalid(EncodedPoints(points_bytes(bad, 1), 1)) == index
