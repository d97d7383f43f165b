"""Micro-benchmarks of the engine's kernels (MSMs, NTT) in-process, to see where prove time goes."""

from __future__ import annotations

import time

from zkmargin.prover import get_engine


def micro_benchmarks(power: int) -> dict:
    """Engine kernels in-process, after a warm-up call (compilation is cached anyway)."""
    import random

    from zkmargin.prover.native.pool import thread_limit, threads_at_most
    from zkmargin.verifier.curve import CURVE_ORDER as R

    engine = get_engine()
    rng = random.Random(5)
    n = 1 << power
    g1 = engine.prepare_g1(engine.fixed_base_g1([rng.randrange(1, R) for _ in range(n)]))
    g2 = engine.prepare_g2(engine.fixed_base_g2([rng.randrange(1, R) for _ in range(n)]))
    dense = [rng.randrange(R) for _ in range(n)]
    bits = [rng.randrange(2) for _ in range(n)]
    # MSMs take scalars converted once, as the prover does (converting 2^16 Python integers
    # to limbs is another ~0.1 s, paid once per proof, not per MSM).
    dense_scalars, bit_scalars = engine.prepare_scalars(dense), engine.prepare_scalars(bits)

    def timed(fn, *args) -> float:
        """Best of three, after a warm-up call: the machine's timings vary by 20 % run to run."""
        fn(*args)
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            fn(*args)
            best = min(best, time.perf_counter() - start)
        return best

    threads = thread_limit()
    out: dict[str, float] = {}
    with threads_at_most(1):
        out["g1_msm_random_1core_s"] = timed(engine.msm_g1, g1, dense_scalars)
    out[f"g1_msm_random_{threads}cores_s"] = timed(engine.msm_g1, g1, dense_scalars)
    out[f"g1_msm_bits_{threads}cores_s"] = timed(engine.msm_g1, g1, bit_scalars)
    out[f"g2_msm_random_{threads}cores_s"] = timed(engine.msm_g2, g2, dense_scalars)
    # The NTT interface takes and returns Python integers: these include both conversions, and
    # the odd-coset step is timed with its conversion back to integers to match.
    out["ntt_s"] = timed(engine.ntt, dense)
    out["intt_s"] = timed(engine.ntt, dense, True)
    out["odd_coset_s"] = timed(lambda values: engine.integers(engine.odd_coset(values)), dense)
    out["points"] = n
    return out
