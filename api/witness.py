"""Compiled witness generation for callers: programs cached on disk, kernels and key checks per process.

A circuit's witness program (circuits/witness_program.py) depends only on the circuit code
and its capacity, so it is cached on disk under a key hashing the circuit's label and the
source of every module that can shape it (zkmargin.circuits and zkmargin.verifier): editing
a gadget is a cache miss, never a stale program. The file itself is checked against the
digest it records. A worker process loads the program and the compiled kernel once
(``compiled``), and checks a proving key against the program's R1CS once per
(key file hash, program digest) pair (``check_key_once``), remembered in memory and, for
later processes, by an empty marker file in the same cache folder.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

import zkmargin.circuits as circuits_package
import zkmargin.verifier as verifier_package
from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.files import atomic_write
from zkmargin.circuits.input_values import margin_input_values
from zkmargin.circuits.margin.case import MarginCase
from zkmargin.circuits.r1cs import UnsatisfiedConstraint
from zkmargin.circuits.witness_program import WitnessProgram, program_of
from zkmargin.prover.cache import cache_folder
from zkmargin.prover.groth16.zkey import ProvingKey
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import MarginCapacity

from .keys import margin_circuit

if TYPE_CHECKING:  # imported where first used: it loads the compiled kernels, which verifying never needs
    from zkmargin.prover.native.witness import CompiledWitness

@lru_cache(maxsize=1)
def source_digest() -> str:
    """SHA-256 over the files (source and data) of the packages a circuit is built from."""
    h = hashlib.sha256()
    for package in (circuits_package, verifier_package):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


_PROGRAMS: dict[Path, WitnessProgram] = {}


def _best_effort(write: Callable[[], None]) -> None:
    """A cache write that may fail (read-only home, full disk): the cache only saves time,
    so proving goes on without it rather than failing."""
    try:
        write()
    except OSError:
        pass


def cached_program(label: str, build: Callable[[], ConstraintSystem], folder: Path | None = None) -> WitnessProgram:
    """The witness program of the circuit ``build()`` makes: from this process's memory, else
    from the disk cache, else built and saved."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", label)
    key = hashlib.sha256(f"{label}\n{source_digest()}".encode()).hexdigest()[:24]
    path = cache_folder(folder) / "programs" / f"{safe}-{key}.npz"
    program = _PROGRAMS.get(path)
    if program is not None and path.is_file():
        return program
    try:
        program = WitnessProgram.load(path) if path.is_file() else None
    except FormatError:
        program = None  # corrupt or from an older format: rebuild and replace it
    if program is None:
        program = program_of(build())
        _best_effort(lambda: program.save(path))
    if len(_PROGRAMS) >= 8:
        _PROGRAMS.pop(next(iter(_PROGRAMS)))
    _PROGRAMS[path] = program
    return program


_KERNELS: dict[str, CompiledWitness] = {}


def compiled(program: WitnessProgram) -> CompiledWitness:
    """The loaded kernel for a program, once per process and program digest."""
    kernel = _KERNELS.get(program.digest)
    if kernel is None:
        from zkmargin.prover.native.witness import CompiledWitness

        if len(_KERNELS) >= 8:
            _KERNELS.pop(next(iter(_KERNELS)))
        kernel = _KERNELS[program.digest] = CompiledWitness(program)
    return kernel


_CHECKED: set[tuple[str, str]] = set()


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_key_once(pk: ProvingKey, key_hash: str, program: WitnessProgram, folder: Path | None = None) -> None:
    """ProvingKey.check_matches against the program's R1CS, skipped when this key file (by
    hash) was already found to match this program (by digest)."""
    pair = (key_hash, program.digest)
    marker = cache_folder(folder) / "checked" / hashlib.sha256(f"{key_hash}:{program.digest}".encode()).hexdigest()
    if pair in _CHECKED or marker.is_file():
        _CHECKED.add(pair)
        return
    pk.check_matches(program.r1cs())
    _CHECKED.add(pair)
    _best_effort(lambda: atomic_write(marker, b""))


def checked_witness(program: WitnessProgram, values: dict[str, int]) -> np.ndarray:
    """The compiled witness for input values by name, checked against every constraint."""
    kernel = compiled(program)
    witness = kernel.run(program.input_values(values))
    row = kernel.first_unsatisfied(witness)
    if row is not None:
        raise UnsatisfiedConstraint(row, program.labels[row] if row < program.n_constraints else "")
    return witness


def margin_program(capacity: MarginCapacity, folder: Path | None = None) -> WitnessProgram:
    return cached_program(f"portfolio_margin-{capacity.label()}", lambda: margin_circuit(capacity), folder)


def margin_witness(case: MarginCase, capacity: MarginCapacity, folder: Path | None = None) -> np.ndarray:
    """The margin circuit's witness for ``case``, compiled: the (n_wires, 4) limb array ``prove`` takes."""
    return checked_witness(margin_program(capacity, folder), margin_input_values(capacity, case.witness()))
