"""Margin proofs as picklable jobs for a Runner (api/runners.py): one portfolio per job.

The job carries the portfolio and market as text, not paths, so a worker on another machine
needs no shared file system for them; only the proving key must sit at the same path there
(a worker checks it is the same key by its SHA-256, once per process). The result carries the
bundle's files back as bytes, for the client to write or check. Runners and their tests, and
benchmarks/dask_runner.py, use this as a real, small unit of zkmargin work.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from zkmargin.circuits.margin.case import DEFAULT_MODEL, load_case
from zkmargin.verifier.bundle import KEY, PROOF, PUBLIC, STATEMENT
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.kinds import THRESHOLD_SCALE, MarginCapacity

from .proving import prove_case
from .witness import file_hash


@dataclass(frozen=True)
class MarginJob:
    zkey: str  # the proving key's path, the same on every worker
    zkey_sha256: str  # what the client read there: a worker with another key at that path refuses
    capacity: MarginCapacity
    portfolio: str  # portfolio JSON text
    market: str  # market JSON text
    model: str = DEFAULT_MODEL
    threshold: int = THRESHOLD_SCALE

    @classmethod
    def of(
        cls,
        zkey: Path,
        capacity: MarginCapacity,
        portfolio: Path,
        market: Path,
        model: str = DEFAULT_MODEL,
        threshold: int = THRESHOLD_SCALE,
    ) -> MarginJob:
        """A job from files on the client."""
        return cls(
            str(zkey), file_hash(zkey), capacity, portfolio.read_text(), market.read_text(), model, threshold
        )


@dataclass(frozen=True)
class MarginJobResult:
    proof: bytes  # the bundle's proof.json
    public: bytes  # public.json: deterministic for a job, unlike the proof
    statement: bytes  # statement.json
    verification_key: bytes  # verification_key.json, for verifying without the zkey


#: Key file hashes this process has computed, by (path, size, mtime): a worker hashes a key once.
_KEY_HASHES: dict[tuple[str, int, int], str] = {}


def _key_hash(path: str) -> str:
    try:
        stat = Path(path).stat()
    except OSError as exc:
        raise FormatError(f"{path}: proving key not readable on this worker ({exc.strerror})") from None
    seen = (path, stat.st_size, stat.st_mtime_ns)
    if seen not in _KEY_HASHES:
        _KEY_HASHES[seen] = file_hash(Path(path))
    return _KEY_HASHES[seen]


def prove_margin_job(job: MarginJob) -> MarginJobResult:
    """Prove one job's portfolio (compiled witness, this process's caches) and return its bundle.

    The inputs are written to a private temporary folder because the case reader, like the
    CLI, reads files; the folder is gone when this returns."""
    if _key_hash(job.zkey) != job.zkey_sha256:
        raise FormatError(f"{job.zkey}: this worker's proving key differs from the client's (SHA-256)")
    with tempfile.TemporaryDirectory(prefix="zkmargin-job-") as tmp:
        folder = Path(tmp)
        (folder / "portfolio.json").write_text(job.portfolio)
        (folder / "market.json").write_text(job.market)
        case = load_case(
            folder / "portfolio.json", folder / "market.json", job.model, job.capacity, threshold=job.threshold
        )
        bundle = folder / "bundle"
        prove_case(case, Path(job.zkey), bundle, opening_path=folder / "opening.json")
        return MarginJobResult(*((bundle / name).read_bytes() for name in (PROOF, PUBLIC, STATEMENT, KEY)))
