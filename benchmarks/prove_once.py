"""zkmargin's counterpart of ``snarkjs groth16 prove KEY WTNS PROOF PUBLIC``, for timing.

Run as its own process, like snarkjs, so wall time and peak memory include start-up,
reading the key and witness, and writing the proof. Prints each phase's wall and CPU seconds
and its peak and remaining resident memory as JSON (phase_profile.py).
"""

from __future__ import annotations

import json
import sys
import time

from zkmargin.circuits.iden3_files import read_wtns_limbs
from zkmargin.cli.exit import exit_now
from zkmargin.prover import get_engine, prove, read_zkey
from zkmargin.circuits.files import write_json
from zkmargin.verifier import public_signals_to_json

from .phase_profile import ProfiledPhases


def main(argv: list[str]) -> None:
    zkey, wtns, proof_path, public_path = argv
    start = time.perf_counter()
    phases = ProfiledPhases()
    with phases.phase("import engine"):
        engine = get_engine()
    with phases.phase("load compiled kernels"):
        engine.load()
    with phases.phase("read key"):
        pk = read_zkey(zkey)
    with phases.phase("read witness"):
        witness = read_wtns_limbs(wtns)
    proof, public = prove(pk, witness, engine, phases=phases)
    with phases.phase("write proof"):
        write_json(proof_path, proof.to_json())
        write_json(public_path, public_signals_to_json(public))
    summary = {"engine": engine.name, "in_process": time.perf_counter() - start, "phases": phases.timings}
    print(json.dumps(summary | phases.to_json()))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print("usage: python -m benchmarks.prove_once KEY.zkey WITNESS.wtns PROOF.json PUBLIC.json", file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1:])
    exit_now()  # as the console script ends
