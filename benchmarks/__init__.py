"""Benchmarks: zkmargin against snarkjs, rapidsnark and groth16py, run with ``python -m benchmarks.prove_vs_peers``."""
