"""The native engine: BN254 arithmetic compiled with numba, registered as engine "native"."""

from .engine import NativeEngine

__all__ = ["NativeEngine"]
