"""The benchmark's old name, kept so ``python -m benchmarks.prove_vs_snarkjs`` still runs: see prove_vs_peers."""

from .prove_vs_peers import run

if __name__ == "__main__":
    run()
