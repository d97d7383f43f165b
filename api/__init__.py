"""zkmargin as a library: everything the command line does, as calls.

    from pathlib import Path
    from zkmargin import api

    case = api.load_case()                                   # the bundled sample; or paths
    keys = api.setup_keys(api.DEFAULT_CAPACITY, Path("keys"))  # development key (see README: trust)
    record = api.prove_case(case, keys.zkey, Path("bundle"))   # refuses an insolvent portfolio
    verdict = api.verify_bundle(Path("bundle"))
    assert verdict.valid, verdict.reason
    mine = api.check_opening(verdict.statement, api.read_opening(record.opening))

Errors: ``FormatError`` for unusable input, ``Insolvent`` for a portfolio that falls short;
a proof that fails is a ``Verdict`` with ``valid`` False, not an exception.
"""

from zkmargin.circuits.margin.case import (
    DEFAULT_CAPACITY,
    DEFAULT_MODEL,
    Insolvent,
    MarginCase,
    load_case,
    parse_threshold,
)
from zkmargin.circuits.margin.inputs import PRESETS
from zkmargin.circuits.margin.opening import Opening
from zkmargin.verifier.bundle import Bundle, Verdict, key_fingerprint, load_bundle
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import MarginCapacity

from .exchange import ExchangeKeys, new_exchange_keys, public_key_fingerprint, read_book, sample_book, sign_manifest
from .epoch import EpochRecord, prove_epoch
from .epoch_check import export_inclusion, verify_epoch, verify_inclusion
from .runners import InProcessRunner, Runner, RunnerError
from .checking import check_opening, check_parameters, read_opening, verify_bundle
from .key_origin import KeyOrigin, read_key_origin
from .keys import KeySet, circuit_stats, default_key_path, engine, margin_circuit, setup_keys
from .proving import ProofRecord, export_witness, prove_case
from .witness import cached_program, check_key_once, checked_witness, margin_program, margin_witness

__all__ = [
    "EpochRecord",
    "InProcessRunner",
    "Runner",
    "RunnerError",
    "export_inclusion",
    "prove_epoch",
    "verify_epoch",
    "verify_inclusion",
    "ExchangeKeys",
    "new_exchange_keys",
    "public_key_fingerprint",
    "read_book",
    "sample_book",
    "sign_manifest",
    "DEFAULT_CAPACITY",
    "DEFAULT_MODEL",
    "PRESETS",
    "Bundle",
    "FormatError",
    "Insolvent",
    "KeyOrigin",
    "KeySet",
    "MarginCapacity",
    "MarginCase",
    "Opening",
    "ProofRecord",
    "Verdict",
    "cached_program",
    "check_key_once",
    "check_opening",
    "checked_witness",
    "check_parameters",
    "circuit_stats",
    "default_key_path",
    "engine",
    "export_witness",
    "key_fingerprint",
    "load_bundle",
    "load_case",
    "margin_circuit",
    "margin_program",
    "margin_witness",
    "parse_threshold",
    "prove_case",
    "read_key_origin",
    "read_opening",
    "setup_keys",
    "verify_bundle",
]
