"""The native engine: BN254 arithmetic compiled with numba (``engine.NativeEngine``).

Not imported here, so that ``python -m zkmargin.prover.native.generate`` runs even while
the generated files are missing or stale. Only the OpenMP wait policy is set here, before any
module of this package can start numba's thread pool (see threads.py)."""

from .threads import quiet_openmp

quiet_openmp()
