"""zkmargin's trust base: everything needed to check a proof, and nothing else of ours.

It imports only py_ecc, the standard library and (for signatures) cryptography, so an auditor can read it in one
sitting. Formats and hashes that prover and verifier must agree on live here and the
rest of zkmargin imports them.
"""

from .curve import CURVE_ORDER, FIELD_MODULUS, InvalidPoint
from .files import FormatError, read_json
from .formats import Proof, VerifyingKey, parse_public_signals, public_signals_to_json
from .groth16 import verify
from .poseidon import poseidon

__all__ = ["CURVE_ORDER", "FIELD_MODULUS", "FormatError", "InvalidPoint", "Proof", "VerifyingKey"]
__all__ += ["parse_public_signals", "poseidon", "public_signals_to_json", "read_json", "verify"]
