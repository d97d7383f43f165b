"""The provers the benchmark times, each as a command that proves key.zkey and witness.wtns in a folder.

zkmargin is timed against three peers: snarkjs (the reference, always needed: it also makes
the key and checks every proof), rapidsnark (iden3's C++ prover; an outside binary, found by
option, environment or beside the repository) and groth16py (arkworks, from the ``bench``
extra). A peer that is not here is left out and the report says why; the project never needs
either of the optional two.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .measure import ROOT

SNARKJS_DIR = ROOT / "tests" / "interop" / "node_modules" / "snarkjs"
SNARKJS = SNARKJS_DIR / "cli.js"
RAPIDSNARK_ENV = "ZKMARGIN_RAPIDSNARK"
RAPIDSNARK_DEFAULT = ROOT.parent / "shared" / "anchors" / "rapidsnark" / "prover"
OPTIONAL = ("rapidsnark", "groth16py")
KEY, WITNESS = "key.zkey", "witness.wtns"


@dataclass(frozen=True)
class Prover:
    """How to run one prover: a fresh process per proof, and optionally a warm process proving in turn."""

    name: str
    once: tuple[str, ...]  # KEY WITNESS PROOF [PUBLIC] are appended
    writes_public: bool
    warm: tuple[str, ...] | None  # KEY WITNESS RUNS PROOF are appended; None: no warm mode
    version: str

    def prove_command(self, proof: str, public: str) -> list[str]:
        return [*self.once, KEY, WITNESS, proof, *([public] if self.writes_public else [])]

    def warm_command(self, runs: int, proof: str) -> list[str] | None:
        return [*self.warm, KEY, WITNESS, str(runs), proof] if self.warm else None


class PeerError(Exception):
    """A peer was asked for by name or path and cannot be used."""


def zkmargin() -> Prover:
    python = (sys.executable, "-m")
    return Prover(
        "zkmargin", (*python, "benchmarks.prove_once"), True, (*python, "benchmarks.prove_warm"), "this checkout"
    )


def snarkjs() -> Prover:
    version = json.loads((SNARKJS_DIR / "package.json").read_text())["version"]
    warm = ("node", str(ROOT / "benchmarks" / "snarkjs_warm.cjs"), str(SNARKJS_DIR))
    return Prover("snarkjs", ("node", str(SNARKJS), "groth16", "prove"), True, warm, version)


def rapidsnark(path: Path) -> Prover:
    """rapidsnark's ``prover`` binary: no warm mode (each proof is a run of the binary)."""
    return Prover("rapidsnark", (str(path),), True, None, f"binary {path}")


def groth16py() -> Prover:
    """groth16py through benchmarks.groth16py_prove, which writes snarkjs's proof format."""
    python = (sys.executable, "-m", "benchmarks.groth16py_prove")
    return Prover("groth16py", python, False, (*python, "--warm"), importlib.metadata.version("groth16py"))


def find_rapidsnark(option: str | None) -> tuple[Path | None, str]:
    """The rapidsnark binary to time, or None and why not.

    An explicit path (``--rapidsnark`` or $ZKMARGIN_RAPIDSNARK) that is not an executable
    file is an error; the default place beside the repository may simply be empty.
    """
    for source, value in (("--rapidsnark", option), (RAPIDSNARK_ENV, os.environ.get(RAPIDSNARK_ENV))):
        if value:
            path = Path(value).expanduser().resolve()
            if not (path.is_file() and os.access(path, os.X_OK)):
                raise PeerError(f"{source}: {value} is not an executable file")
            return path, ""
    if RAPIDSNARK_DEFAULT.is_file() and os.access(RAPIDSNARK_DEFAULT, os.X_OK):
        return RAPIDSNARK_DEFAULT, ""
    return None, f"not found (give --rapidsnark PATH or ${RAPIDSNARK_ENV}; looked in {RAPIDSNARK_DEFAULT})"


def groth16py_missing() -> str:
    """Why groth16py cannot be timed here ('' when it can)."""
    spec = importlib.util.find_spec("groth16py")
    if spec is None:
        return "not installed (pip install -e '.[bench]')"
    return ""


def choose(wanted: tuple[str, ...], rapidsnark_option: str | None) -> tuple[list[Prover], dict[str, str]]:
    """zkmargin, snarkjs and those optional peers in ``wanted`` that are here; and why each other one is not."""
    provers, absent = [zkmargin(), snarkjs()], {}
    for name in OPTIONAL:
        if name not in wanted:
            absent[name] = "not asked for (--peers)"
        elif name == "rapidsnark":
            path, why = find_rapidsnark(rapidsnark_option)
            if path is None:
                absent[name] = why
            else:
                provers.append(rapidsnark(path))
        else:
            why = groth16py_missing()
            if why:
                absent[name] = why
            else:
                provers.append(groth16py())
    return provers, absent
