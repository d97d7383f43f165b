"""zkmargin's side of the warm comparison (see snarkjs_warm.cjs for snarkjs's).

    python -m benchmarks.prove_warm KEY.zkey WITNESS.wtns RUNS PROOF.json

One process reads the key once, then proves the witness RUNS times, as an exchange proving
every account of an epoch would: start-up and loading the engine are paid once, not per
proof. Each proof reads the witness file afresh and serialises the proof. The first proof
warms up and is not counted. Prints JSON: the seconds of each counted proof. The last proof
is written to PROOF.json, after the timing, so that snarkjs can check it too.
"""

from __future__ import annotations

import json
import sys
import time

from zkmargin.circuits.iden3_files import read_wtns_limbs
from zkmargin.cli.exit import exit_now
from zkmargin.prover import get_engine, prove, read_zkey
from zkmargin.circuits.files import write_json


def main(argv: list[str]) -> None:
    zkey, wtns, runs, proof_path = argv[0], argv[1], int(argv[2]), argv[3]
    engine = get_engine()
    engine.load()
    pk = read_zkey(zkey)
    seconds = []
    for run in range(runs + 1):
        start = time.perf_counter()
        proof, _ = prove(pk, read_wtns_limbs(wtns), engine)
        json.dumps(proof.to_json())
        if run:
            seconds.append(time.perf_counter() - start)
    write_json(proof_path, proof.to_json())
    print(json.dumps({"engine": engine.name, "seconds": seconds}))


if __name__ == "__main__":
    if len(sys.argv) != 5 or not sys.argv[3].isdigit():
        print("usage: python -m benchmarks.prove_warm KEY.zkey WITNESS.wtns RUNS PROOF.json", file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1:])
    exit_now()
