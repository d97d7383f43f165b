"""Proving an exchange's book for one epoch: the client side of `zkmargin epoch prove`.

The client reads the book (streamed, every line validated), scales each account under the
epoch's parameters, sorts by identifier, cuts batches of B, computes every batch's witness
and the blinded totals chain, and hands the batch jobs to a Runner (api/runners.py). It
writes each result as it arrives, then the tree, the parameters, the key and the signed
manifest (layout: verifier/exchange/epoch.py). Every file is written all-or-nothing.

Resuming: the blinding salts (and the salt of any account the book gives none) are derived
from a secret kept in <out>/private/, so a rerun rebuilds the same witnesses and skips every
batch whose proof already on disk verifies for its recomputed public hash.
"""

from __future__ import annotations

import hashlib
import json
import resource
import secrets
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from zkmargin.circuits.exchange.batch import (
    DEFAULT_BATCH_SIZE,
    BatchShape,
    BatchWitness,
    make_witness,
    preimage,
    totals_after,
)
from zkmargin.circuits.exchange.batch import leaves as batch_leaves
from zkmargin.circuits.exchange.book import Book
from zkmargin.circuits.exchange.tree import TreeFile, write_tree
from zkmargin.circuits.files import atomic_write, atomic_writer, write_json
from zkmargin.circuits.margin.calculator import ScaledPortfolio, scale_portfolio
from zkmargin.circuits.margin.case import DEFAULT_CAPACITY, DEFAULT_MODEL
from zkmargin.circuits.margin.inputs import load_market, load_model, sample_path
from zkmargin.circuits.margin.opening import Opening
from zkmargin.circuits.margin.risk_arrays import at_level, compute_risk_arrays, to_public_parameters
from zkmargin.prover import read_zkey, setup, write_zkey
from zkmargin.verifier.curve import CURVE_ORDER
from zkmargin.verifier.exchange.batch_verify import batch_verify
from zkmargin.verifier.exchange.epoch import KEY, MANIFEST, PARAMETERS, TREE, batch_folder, key_path, read_proof
from zkmargin.verifier.exchange.inclusion import parameters_json
from zkmargin.verifier.exchange.manifest import (
    Batch,
    Manifest,
    account_id,
    tier_fingerprint,
    total_names,
    totals_commitment,
)
from zkmargin.verifier.files import FormatError, parse_json
from zkmargin.verifier.formats import VerifyingKey, parse_public_signals
from zkmargin.verifier.kinds import THRESHOLD_SCALE, MarginCapacity, MarginParameters

from .epoch_batch import BatchJob, BatchResult, batch_program, prove_batch
from .exchange import load_signing_key, sign_manifest
from .keys import engine
from .runners import InProcessRunner, Runner
from .witness import cache_folder, file_hash

PRIVATE, SECRET, OPENINGS = "private", "secret", "openings.jsonl"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class EpochRecord:
    folder: Path
    manifest: Manifest
    tier: str
    accounts: int
    proven: int  # batches proven in this run
    skipped: int  # batches whose proofs already verified
    constraints: int
    timings: dict[str, float] = field(default_factory=dict)
    # CPU seconds per timing lap: this process's threads plus any child processes it has reaped
    # (local Dask workers' CPU lands only when the cluster closes, after this record: measure it outside)
    cpu: dict[str, float] = field(default_factory=dict)
    # summed over the batches proven in this run, as each prover measured them (wall seconds)
    batch_seconds: dict[str, float] = field(default_factory=dict)


def _cpu_now() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _field_of(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha512(b"\0".join(parts)).digest(), "big") % CURVE_ORDER


def _secret(out: Path) -> bytes:
    path = out / PRIVATE / SECRET
    if not path.is_file():
        atomic_write(path, secrets.token_hex(32).encode(), private=True)
    return path.read_bytes().strip()


def epoch_parameters(market: Path | None, model: str, capacity: MarginCapacity) -> tuple[MarginParameters, int, int]:
    """The epoch's public parameters, its epoch (the snapshot's time) and the market file's hash."""
    market_path = market or sample_path("market.json")
    snapshot, risk_model = load_market(market_path), load_model(model)
    parameters = to_public_parameters(at_level(compute_risk_arrays(snapshot, risk_model), risk_model, "initial"),
                                      capacity)
    market_hash = int.from_bytes(hashlib.sha256(market_path.read_bytes()).digest(), "big") >> 3
    return parameters, snapshot.epoch, market_hash


def read_accounts(book: Path, market: Path | None, model: str, parameters: MarginParameters,
                  secret: bytes) -> list[tuple[int, str, ScaledPortfolio]]:
    """(identifier, name, scaled account) for every line, sorted by identifier."""
    snapshot, scale = load_market(market or sample_path("market.json")), load_model(model).scale
    out = []
    for entry in Book(book, snapshot):
        p = entry.portfolio
        if p.salt is None:
            p = replace(p, salt=_field_of(secret, b"account salt", p.account.encode()))
        try:
            fixed = scale_portfolio(p, snapshot, parameters, scale)
        except FormatError as exc:
            raise FormatError(f"{book} line {entry.line}: {exc}") from None
        out.append((account_id(p.account), p.account, fixed))
    if not out:
        raise FormatError(f"{book}: the book has no accounts")
    out.sort(key=lambda t: t[0])
    for (a, name_a, _), (b, name_b, _) in zip(out, out[1:]):
        if a == b:
            raise FormatError(f"{book}: accounts {name_a!r} and {name_b!r} share an identifier (rename one)")
    return out


def tier_key(shape: BatchShape, key_dir: Path, cache: Path | None, engine_name: str | None,
             progress: Progress) -> tuple[Path, str, VerifyingKey, int]:
    """The tier's proving key exchange-batch-<tier>.zkey (a development key made here when none
    exists; put a ceremony's key there instead), its SHA-256, verifying key and constraint count.
    The verifying key is cached beside it under the key's hash, so a replaced key is never
    paired with an old verifying key."""
    zkey = key_dir / f"exchange-batch-{shape.tier}.zkey"
    program = batch_program(shape, cache)
    made = None
    if not zkey.is_file():
        progress(f"setup: a DEVELOPMENT key for tier {shape.tier} ({program.n_constraints:,} constraints)")
        made = setup(program.r1cs(), engine(engine_name))
        write_zkey(made, zkey)
    sha = file_hash(zkey)
    vk_file = key_dir / f"exchange-batch-{shape.tier}.{sha[:16]}.vk.json"
    if not vk_file.is_file():
        write_json(vk_file, (made or read_zkey(zkey)).verifying_key().to_json())
    vk = VerifyingKey.from_json(parse_json(vk_file.read_bytes(), str(vk_file)), str(vk_file))
    return zkey, sha, vk, program.n_constraints


def _already_proven(out: Path, vk: VerifyingKey, witnesses: list[BatchWitness]) -> set[int]:
    """Batches whose proof.json and public.json on disk verify for the recomputed public hash."""
    found = []
    for b, w in enumerate(witnesses):
        folder = batch_folder(out, b)
        try:
            _, proof = read_proof(folder / "proof.json")
            public = parse_public_signals(parse_json((folder / "public.json").read_bytes(), "public.json"))
        except (FormatError, OSError):
            continue
        if public == (w.batch_hash,):
            found.append((b, proof, public))
    bad = set(batch_verify([(vk, proof, public) for _, proof, public in found])) if found else set()
    return {b for k, (b, _, _) in enumerate(found) if k not in bad}


def prove_epoch(
    book: Path, out: Path, exchange_key: Path, market: Path | None = None, model: str = DEFAULT_MODEL,
    capacity: MarginCapacity = DEFAULT_CAPACITY, batch_size: int = DEFAULT_BATCH_SIZE, key_dir: Path = Path("keys"),
    threshold: int = THRESHOLD_SCALE, runner: Runner | None = None, progress: Progress | None = None,
    cache: Path | None = None, engine_name: str | None = None,
) -> EpochRecord:
    say = progress or (lambda _: None)
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    clock, cpu_clock = time.perf_counter(), _cpu_now()

    def lap(name: str) -> None:
        nonlocal clock, cpu_clock
        timings[name], cpu[name] = time.perf_counter() - clock, _cpu_now() - cpu_clock
        clock, cpu_clock = time.perf_counter(), _cpu_now()

    load_signing_key(exchange_key)  # a wrong key path fails now, not after every proof
    shape = BatchShape(capacity, batch_size)
    parameters, epoch, market_hash = epoch_parameters(market, model, capacity)
    secret = _secret(out)
    say(f"reading the book {book}")
    accounts = read_accounts(book, market, model, parameters, secret)
    lap("read book")
    say(f"{len(accounts):,} accounts, batches of {batch_size}: {-(-len(accounts) // batch_size):,} batch proofs")
    zkey, zkey_sha, vk, constraints = tier_key(shape, key_dir, cache, engine_name, say)
    lap("key")

    say("witnesses and the blinded totals chain")
    names = total_names(capacity)
    totals, salt, witnesses, summaries = [0] * len(names), 0, [], []
    for b, start in enumerate(range(0, len(accounts), batch_size)):
        chunk = [fixed for _, _, fixed in accounts[start : start + batch_size]]
        salt_after = _field_of(secret, b"totals salt", str(b).encode())
        w = make_witness(parameters, epoch, threshold, market_hash, shape, b, chunk, totals, salt, salt_after)
        witnesses.append(w)
        # the batch's leaves and manifest fields now, while its commitments are in the cache
        # make_witness just filled: recomputed later they cost a Python sponge per account each
        # time (~5 ms), twice over (tree and manifest) once a book outgrows the cache
        summaries.append((tuple(batch_leaves(w)), preimage(w)))
        totals = totals_after(w)
        salt = salt_after
    lap("witnesses and totals chain")
    say("checking proofs already on disk")
    done = _already_proven(out, vk, witnesses)
    if done:
        say(f"resuming: {len(done)} batch proofs already verify and are kept")
    lap("resume check")
    jobs = [BatchJob(b, shape, w, str(zkey.resolve()), zkey_sha, str(cache_folder(cache)), engine_name)
            for b, w in enumerate(witnesses) if b not in done]
    started, finished = time.perf_counter(), [0]
    batch_seconds = {"witness": 0.0, "prove": 0.0}

    def on_result(_: int, result: BatchResult) -> None:
        folder = batch_folder(out, result.index)
        atomic_write(folder / "public.json", result.public_json)
        atomic_write(folder / "proof.json", result.proof_json)
        finished[0] += 1
        batch_seconds["witness"] += result.witness_seconds
        batch_seconds["prove"] += result.prove_seconds
        left = (time.perf_counter() - started) / finished[0] * (len(jobs) - finished[0])
        say(f"batch {result.index + 1}/{len(witnesses)} proven in {result.seconds:.1f} s "
            f"({finished[0]}/{len(jobs)} this run, about {left:.0f} s left)")

    if jobs:
        (runner or InProcessRunner()).run(prove_batch, jobs, on_result)
    lap("prove batches")
    say("tree, parameters, key and the signed manifest")
    manifest = _write_epoch(out, exchange_key, shape, parameters, market_hash, threshold, vk, witnesses, summaries,
                            accounts, totals, lap)
    lap("manifest")
    return EpochRecord(out, manifest, shape.tier, len(accounts), len(jobs), len(done), constraints, timings, cpu,
                       batch_seconds)


def _write_epoch(out: Path, exchange_key: Path, shape: BatchShape, parameters: MarginParameters, market_hash: int,
                 threshold: int, vk: VerifyingKey, witnesses: list[BatchWitness],
                 summaries: list[tuple[tuple[int, ...], dict[str, int]]],
                 accounts: list[tuple[int, str, ScaledPortfolio]], totals: list[int],
                 lap: Callable[[str], None] = lambda _: None) -> Manifest:
    leaves = [leaf for batch, _ in summaries for leaf in batch][: len(accounts)]
    write_tree(out / TREE, leaves, shape.size.bit_length() - 1)
    with TreeFile(out / TREE) as tree:
        root = tree.root()
    lap("tree")
    # leaf order: line i opens leaf i (inclusion export reads it); private, it holds every position.
    # Written line by line: joined first, the file would sit in memory whole (~0.5 KB an account).
    with atomic_writer(out / PRIVATE / OPENINGS, private=True) as openings:
        for _, name, fixed in accounts:
            openings.write(json.dumps(Opening.of(name, fixed, parameters).to_json(), separators=(",", ":")).encode()
                           + b"\n")
    write_json(out / PARAMETERS, parameters_json(parameters))
    write_json(key_path(out, shape.tier), vk.to_json())
    batches = []
    for b, (w, (_, values)) in enumerate(zip(witnesses, summaries, strict=True)):
        proof_sha = hashlib.sha256((batch_folder(out, b) / "proof.json").read_bytes()).hexdigest()
        batches.append(Batch(shape.tier, values["first_id"], values["last_id"], values["accounts"],
                             values["subtree_root"], w.commitment_before, w.commitment_after, w.batch_hash, proof_sha))
    last = witnesses[-1]
    if totals_commitment(totals, last.salt_after) != last.commitment_after:
        raise AssertionError("the totals chain does not end at the last batch's commitment")
    manifest = Manifest(last.epoch, market_hash, parameters.digest(last.epoch), threshold,
                        {shape.tier: tier_fingerprint(vk)}, tuple(batches), root, total_names(shape.capacity),
                        tuple(totals), last.salt_after)
    manifest.check_chain()
    write_json(out / MANIFEST, sign_manifest(manifest, exchange_key))
    return manifest


__all__ = ["DEFAULT_BATCH_SIZE", "EpochRecord", "KEY", "prove_epoch"]
