"""groth16py (arkworks) as a peer: prove from the same snarkjs .zkey and .wtns, write snarkjs's proof.json.

    python -m benchmarks.groth16py_prove KEY.zkey WITNESS.wtns PROOF.json     # one proof, fresh process
    python -m benchmarks.groth16py_prove --warm KEY.zkey WITNESS.wtns RUNS PROOF.json   # one process, RUNS proofs

The fresh form is timed as a whole process, like the other provers: start-up, importing the
key, proving and writing the proof. It writes no public.json: the benchmark verifies every
proof against the public signals it takes from the witness itself. The warm form imports the
key once and proves RUNS times after one uncounted proof, reading the witness afresh each
time; it prints JSON with the seconds of each counted proof and writes the last proof, after
the timing, for snarkjs to check.
"""

from __future__ import annotations

import json
import sys
import time

import groth16py


def snarkjs_proof(blob: bytes) -> dict:
    """groth16py's 256-byte Ethereum encoding as snarkjs's proof.json.

    The blob is A.x, A.y, B.x, B.y, C.x, C.y as 32-byte big-endian words, with each G2
    coordinate written imaginary part first (as Ethereum's pairing precompile wants); snarkjs
    writes G2 coordinates real part first and affine points with a trailing 1.
    """
    if len(blob) != 256:
        raise ValueError(f"expected a 256-byte proof, got {len(blob)} bytes")
    w = [str(int.from_bytes(blob[i : i + 32], "big")) for i in range(0, 256, 32)]
    return {
        "pi_a": [w[0], w[1], "1"],
        "pi_b": [[w[3], w[2]], [w[5], w[4]], ["1", "0"]],
        "pi_c": [w[6], w[7], "1"],
        "protocol": "groth16",
        "curve": "bn128",
    }


def prove_once(zkey: str, wtns: str, proof_path: str) -> None:
    pk, _ = groth16py.import_zkey(zkey)
    proof = snarkjs_proof(groth16py.prove_wtns(pk, wtns))
    with open(proof_path, "w") as out:
        json.dump(proof, out)


def prove_warm(zkey: str, wtns: str, runs: int, proof_path: str) -> None:
    pk, _ = groth16py.import_zkey(zkey)
    seconds = []
    for run in range(runs + 1):  # run 0 warms up and is not counted
        start = time.perf_counter()
        text = json.dumps(snarkjs_proof(groth16py.prove_wtns(pk, wtns)))
        if run:
            seconds.append(time.perf_counter() - start)
    with open(proof_path, "w") as out:
        out.write(text)
    print(json.dumps({"version": groth16py.__version__, "seconds": seconds}))


USAGE = (
    "usage: python -m benchmarks.groth16py_prove KEY.zkey WITNESS.wtns PROOF.json\n"
    "       python -m benchmarks.groth16py_prove --warm KEY.zkey WITNESS.wtns RUNS PROOF.json"
)

if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) == 3 and not args[0].startswith("-"):
        prove_once(*args)
    elif len(args) == 5 and args[0] == "--warm" and args[3].isdigit():
        prove_warm(args[1], args[2], int(args[3]), args[4])
    else:
        print(USAGE, file=sys.stderr)
        sys.exit(2)
