"""Groth16 batch verification against one-by-one verification, for 4, 16 and 64 proofs.

Proofs are of the small solvency-basic circuit (one public input), each for different
amounts. Usage: python benchmarks/batch_verify.py [--sizes 4,16,64]
Prints one line per size: seconds one by one, seconds as a batch, and the ratio.
"""

from __future__ import annotations

import argparse
import random
import time

from zkmargin.circuits import solvency_basic as spec
from zkmargin.prover import get_engine, prove, setup
from zkmargin.verifier import verify
from zkmargin.verifier.exchange.batch_verify import batch_verify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4,16,64")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    r1cs, engine, rng = spec.r1cs(), get_engine(), random.Random(1)
    pk = setup(r1cs, engine)
    items = []
    for _ in range(max(sizes)):
        inputs = {"collateral": rng.randrange(1000, 2000), "requirement": rng.randrange(1000)}
        inputs["salt"] = rng.randrange(1 << 200)
        proof, public = prove(pk, spec.constraint_system(inputs).witness(), engine, r1cs)
        items.append((pk.verifying_key(), proof, public))
    key = items[0][0]
    items = [(key, proof, public) for _, proof, public in items]
    for n in sizes:
        start = time.perf_counter()
        assert all(verify(*item) for item in items[:n])
        single = time.perf_counter() - start
        start = time.perf_counter()
        assert batch_verify(items[:n]) == []
        batch = time.perf_counter() - start
        ratio = single / batch
        print(f"{n:3d} proofs: one by one {single:7.2f} s, batch {batch:7.2f} s, {ratio:4.1f}x faster", flush=True)


if __name__ == "__main__":
    main()
