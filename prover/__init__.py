"""Proving over BN254 with a pluggable arithmetic engine; Groth16 lives in ``groth16``."""

from .engine import Engine
from .groth16 import DEVELOPMENT_ONLY, ProvingKey, prove, read_zkey, setup, write_zkey
from .progress import Phases
from .registry import get_engine

__all__ = [
    "DEVELOPMENT_ONLY",
    "Engine",
    "Phases",
    "ProvingKey",
    "get_engine",
    "prove",
    "read_zkey",
    "setup",
    "write_zkey",
]
