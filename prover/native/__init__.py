"""The native engine: BN254 arithmetic compiled with numba, registered as engine "native"."""

from .startup import import_numba_registries

import_numba_registries()  # before any kernel loads: see startup.py

from .engine import NativeEngine  # noqa: E402

__all__ = ["NativeEngine"]
