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

from __future__ import annotations

import importlib
from typing import Any

# Where each name lives. A name is imported on first use (PEP 562), so that a command pays
# only for what it calls: `zkmargin verify` never imports the prover, numba or the ceremony
# code, which used to cost it most of its second of start-up (see README, "Performance").
_HOMES = {
    "zkmargin.circuits.margin.case": (
        "DEFAULT_CAPACITY", "DEFAULT_MODEL", "Insolvent", "MarginCase", "load_case", "parse_threshold"),
    "zkmargin.circuits.margin.inputs": ("PRESETS",),
    "zkmargin.circuits.margin.opening": ("Opening",),
    "zkmargin.verifier.bundle": ("Bundle", "Verdict", "key_fingerprint", "load_bundle"),
    "zkmargin.verifier.files": ("FormatError",),
    "zkmargin.verifier.kinds": ("MarginCapacity",),
    ".exchange": (
        "ExchangeKeys", "new_exchange_keys", "public_key_fingerprint", "read_book", "sample_book", "sign_manifest"),
    ".epoch": ("EpochRecord", "prove_epoch"),
    ".epoch_check": ("export_inclusion", "verify_epoch", "verify_inclusion"),
    ".runners": ("InProcessRunner", "Runner", "RunnerError"),
    ".checking": ("check_opening", "check_parameters", "read_opening", "verify_bundle"),
    ".key_origin": ("KeyOrigin", "read_key_origin"),
    ".keys": ("KeySet", "circuit_stats", "default_key_path", "engine", "margin_circuit", "setup_keys"),
    ".proving": ("ProofRecord", "export_witness", "prove_case"),
    ".witness": ("cached_program", "check_key_once", "checked_witness", "margin_program", "margin_witness"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME_OF)


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
