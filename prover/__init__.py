"""Groth16 setup and proving over BN254, with a pluggable arithmetic engine."""

from .engine import Engine, get_engine
from .progress import Phases
from .prove import prove
from .setup import DEVELOPMENT_ONLY, setup
from .zkey import ProvingKey, read_zkey, write_zkey

__all__ = ["DEVELOPMENT_ONLY", "Engine", "Phases", "ProvingKey", "get_engine", "prove", "read_zkey", "setup", "write_zkey"]
