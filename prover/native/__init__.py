"""The native engine: BN254 arithmetic in numba code, compiled ahead of time into one
extension module (``engine.NativeEngine``, kernels.py).

Not imported here, so that ``python -m zkmargin.prover.native.generate`` runs even while
the generated files are missing or stale. Only the OpenMP wait policy is set here, before any
module of this package can start numba's thread pool (setup's kernels: see threads.py)."""

from .threads import quiet_openmp

quiet_openmp()
