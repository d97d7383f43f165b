"""Groth16 over BN254 as snarkjs does it: the R1CS-to-QAP reduction, development setup,
proving and ``.zkey`` files. A second proof system would be a sibling package using the
same engine."""

from .prove import prove
from .reduction import coefficients_of, domain_size, quotient_evaluations
from .setup import DEVELOPMENT_ONLY, setup
from .zkey import ProvingKey, read_zkey, write_zkey, zkey_bytes

__all__ = [
    "DEVELOPMENT_ONLY",
    "ProvingKey",
    "coefficients_of",
    "domain_size",
    "prove",
    "quotient_evaluations",
    "read_zkey",
    "setup",
    "write_zkey",
    "zkey_bytes",
]
