"""The native engine: BN254 arithmetic compiled with numba (``engine.NativeEngine``).

Not imported here, so that ``python -m zkmargin.prover.native.generate`` runs even while
the generated files are missing or stale."""
