"""One batch proof, as a worker runs it: a picklable job in, proof and public JSON bytes out.

A job carries everything a worker on another machine needs (the batch's openings, the
statement values, the blinding salts inside its witness) and names the tier's proving key
by path AND SHA-256, so a worker whose file differs refuses it instead of proving under
the wrong key. Keys, witness programs and kernels are cached per process, keyed by the
key's hash and the program's digest: a long-lived worker loads a tier's key once.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from zkmargin.circuits.builder import ConstraintSystem
from zkmargin.circuits.exchange.batch import BatchShape, BatchWitness, batch_input_values, build_batch_circuit
from zkmargin.circuits.witness_program import WitnessProgram
from zkmargin.prover import ProvingKey, prove, read_zkey
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.formats import public_signals_to_json

from .keys import engine
from .witness import cached_program, check_key_once, checked_witness, file_hash


@dataclass(frozen=True)
class BatchJob:
    index: int
    shape: BatchShape
    witness: BatchWitness
    zkey: str  # the tier's proving key, as the worker sees it
    zkey_sha256: str
    cache: str | None = None  # witness-program cache folder; None: the worker's $ZKMARGIN_CACHE
    engine: str | None = None

    @property
    def name(self) -> str:
        return f"batch {self.index} of tier {self.shape.tier}"


@dataclass(frozen=True)
class BatchResult:
    index: int
    proof_json: bytes
    public_json: bytes
    seconds: float
    witness_seconds: float = 0.0  # compiled witness and its constraint check: the witness <= 10% of proving
    prove_seconds: float = 0.0


def batch_circuit(shape: BatchShape) -> ConstraintSystem:
    api = ConstraintSystem()
    build_batch_circuit(api, shape)
    return api


def batch_program(shape: BatchShape, cache: Path | None = None) -> WitnessProgram:
    return cached_program(f"exchange_batch-{shape.tier}", lambda: batch_circuit(shape), cache)


_KEYS: dict[str, ProvingKey] = {}
_HASHES: dict[tuple[str, int, int], str] = {}


def _key(path: str, expected: str) -> ProvingKey:
    """The proving key at ``path`` if its SHA-256 is ``expected``, loaded once per process."""
    stat = os.stat(path)
    stamp = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)
    if stamp not in _HASHES:
        _HASHES[stamp] = file_hash(Path(path))
    if _HASHES[stamp] != expected:
        raise FormatError(f"{path}: not the tier's proving key (SHA-256 {_HASHES[stamp][:16]}..., "
                          f"the job expects {expected[:16]}...)")
    if expected not in _KEYS:
        if len(_KEYS) >= 4:
            _KEYS.pop(next(iter(_KEYS)))
        _KEYS[expected] = read_zkey(path)
    return _KEYS[expected]


def prove_batch(job: BatchJob) -> BatchResult:
    """The batch's proof; its witness is checked against every constraint before proving."""
    import time

    start = time.perf_counter()
    cache = Path(job.cache) if job.cache else None
    pk = _key(job.zkey, job.zkey_sha256)
    program = batch_program(job.shape, cache)
    check_key_once(pk, job.zkey_sha256, program, cache)
    chosen = engine(job.engine)
    chosen.load()
    lap = time.perf_counter()
    witness = checked_witness(program, batch_input_values(job.shape, job.witness))
    witnessed = time.perf_counter()
    proof, public = prove(pk, witness, chosen)
    if public != [job.witness.batch_hash]:
        raise FormatError(f"batch {job.index}: the proof's public input is not the batch hash")
    return BatchResult(job.index, (json.dumps(proof.to_json(), indent=1) + "\n").encode(),
                       (json.dumps(public_signals_to_json(public)) + "\n").encode(), time.perf_counter() - start,
                       witnessed - lap, time.perf_counter() - witnessed)
