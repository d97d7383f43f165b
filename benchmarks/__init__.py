"""Benchmarks: zkmargin against snarkjs, run with ``python -m benchmarks.prove_vs_snarkjs``."""
