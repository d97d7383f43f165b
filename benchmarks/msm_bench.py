"""One-thread CPU-time benchmark of the native MSMs (G1, G2; dense, mostly 0/1, small and
repeated scalars), best of N.

    taskset -c 0 python -m benchmarks.msm_bench --powers 16,18 --runs 5

Bases are random multiples of the generators (made once with the engine's fixed-base code
and cached under $ZKMARGIN_CACHE/msm-bench); scalars are seeded. CPU seconds
(time.process_time) of one engine.msm_g1/msm_g2 call, the same call the prover makes.
"""

from __future__ import annotations

import argparse
import os
import random
import time

from zkmargin.prover.cache import cache_folder
from zkmargin.prover.encoding import EncodedPoints
from zkmargin.prover.native.engine import NativeEngine
from zkmargin.verifier.curve import CURVE_ORDER as R


def _bases(engine: NativeEngine, group: int, n: int) -> EncodedPoints:
    folder = cache_folder() / "msm-bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"g{group}-{n}.bin"
    if not path.exists():
        rng = random.Random(group * 1000 + n)
        scalars = [rng.randrange(1, R) for _ in range(n)]
        points = engine.fixed_base_g1(scalars) if group == 1 else engine.fixed_base_g2(scalars)
        path.write_bytes(points.data)
    return EncodedPoints(path.read_bytes(), group)


def best(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--powers", default="16")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default="g1-dense,g1-bits,g2-dense,g2-bits")
    args = parser.parse_args()
    engine = NativeEngine()
    print(f"load {os.getloadavg()[0]:.2f}", flush=True)
    for power in (int(p) for p in args.powers.split(",")):
        n = 1 << power
        rng = random.Random(power)
        dense = engine.prepare_scalars([rng.randrange(R) for _ in range(n)])
        # A range-check witness: mostly 0/1, about 1 in 64 wider values.
        bits = engine.prepare_scalars(
            [rng.randrange(R) if rng.random() < 1 / 64 else rng.randrange(2) for _ in range(n)]
        )
        # Skewed digits: small amounts (few buckets, one window), and one repeated value.
        small = engine.prepare_scalars([rng.randrange(2, 1 << 12) for _ in range(n)])
        same = engine.prepare_scalars([7] * n)
        kinds = {"dense": dense, "bits": bits, "small": small, "same": same}
        for case in args.cases.split(","):
            group, kind = case.split("-")
            prepare = engine.prepare_g1 if group == "g1" else engine.prepare_g2
            bases = prepare(_bases(engine, int(group[1]), n))
            msm = engine.msm_g1 if group == "g1" else engine.msm_g2
            scalars = kinds[kind]
            t = best(lambda: msm(bases, scalars), args.runs)
            print(f"2^{power} {case}: {t:.4f} s  (load {os.getloadavg()[0]:.2f})", flush=True)


if __name__ == "__main__":
    main()
