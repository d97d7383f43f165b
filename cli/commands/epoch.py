"""zkmargin epoch: prove an exchange's whole book for one epoch, and verify an epoch folder."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path

import click

from zkmargin import api
from zkmargin.api.runners import InProcessRunner, StartedOnFirstJob
from zkmargin.circuits.exchange.batch import DEFAULT_BATCH_SIZE

from ..errors import friendly_errors
from ..options import capacity_options, engine_option, json_option
from ..output import emit

exchange_public_key = click.option(
    "--exchange-key", "exchange_key", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="The exchange's Ed25519 PUBLIC key (.pub), as you pinned it.")


@click.group("epoch")
def epoch() -> None:
    """Exchange mode: every account of a book margin-checked in batch proofs, one signed manifest."""


def _runner(scheduler: str | None, workers: int | None):
    """Where batches are proven: a Dask cluster (local, one worker per usable core, or the
    one at --scheduler), or this process when there is one core to use or --workers 0. Not
    started yet: a DaskRunner starts its cluster when entered."""
    from zkmargin.prover.native.threads import usable_cores

    if scheduler is None and (workers == 0 or (workers or usable_cores()) == 1):
        return nullcontext(InProcessRunner())
    from zkmargin.api.dask_runner import DaskRunner

    return DaskRunner(scheduler, workers)


def _say(as_json: bool):
    if as_json or not sys.stderr.isatty():
        return None
    return lambda line: click.echo(f"  {line}", err=True)


@epoch.command("prove")
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--market", type=click.Path(dir_okay=False, path_type=Path),
              help="Market snapshot JSON [default: the bundled sample market].")
@click.option("--model", default=api.DEFAULT_MODEL, show_default=True,
              help=f"Risk model: a preset ({', '.join(api.PRESETS)}) or a model file.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The epoch folder (public, except its private/ subfolder: openings and the blinding secret).")
@click.option("--batch-size", type=click.Choice(["1", "2", "4", "8", "16", "32", "64", "128"]),
              default=str(DEFAULT_BATCH_SIZE), show_default=True, help="Accounts per batch proof (B).")
@capacity_options
@click.option("--threshold", default="1", show_default=True, help="Margin ratio each account is checked at.")
@click.option("--key-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("keys"),
              show_default=True, help="Where the tier's proving key is (a DEVELOPMENT key is made there if none).")
@click.option("--exchange-key", "exchange_key", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The exchange's Ed25519 PRIVATE key (from `zkmargin keys new`) that signs the manifest.")
@click.option("--workers", type=click.IntRange(0, 1024), default=None,
              help="Local Dask worker processes [default: one per core this process may use; "
                   "0 or a single core: prove in this process, without Dask].")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="Prove on an existing Dask cluster (`dask scheduler` and `dask worker`s) instead of a local one.")
@engine_option
@json_option
@friendly_errors
def prove(book, market, model, out_dir, batch_size, capacity, threshold, key_dir,
          exchange_key, workers, scheduler, engine_name, as_json) -> None:
    """Prove every account of BOOK (JSON Lines) for the market's epoch, B accounts per proof.

    Each batch proves, per account, its commitment (the leaf), its margin terms and a
    shortfall >= its deficit, and adds the batch's sums to the blinded running totals. A rerun
    skips batches whose proofs already verify."""
    capacity = api.MarginCapacity(*capacity)
    where = _runner(scheduler, workers)  # refuses --workers with --scheduler now, before any work
    from zkmargin.api.epoch import prove_epoch  # the prover and its kernels load only when proving

    with StartedOnFirstJob(lambda: where) as runner:
        record = prove_epoch(book, out_dir, exchange_key, market, model, capacity, int(batch_size), key_dir,
                             api.parse_threshold(threshold), runner=runner, progress=_say(as_json),
                             engine_name=engine_name)
    seconds = sum(record.timings.values())
    m = record.manifest
    emit(as_json, {
        "epoch_dir": str(out_dir), "epoch": m.epoch, "accounts": record.accounts, "batches": len(m.batches),
        "tier": record.tier, "constraints": record.constraints, "proven": record.proven, "skipped": record.skipped,
        "tree_root": str(m.tree_root), "seconds": round(seconds, 3),
        "timings": {k: round(v, 3) for k, v in record.timings.items()},
    }, [
        f"proved {record.accounts:,} accounts in {len(m.batches):,} batches of tier {record.tier} "
        f"({record.constraints:,} constraints each) in {seconds:.1f} s"
        + (f"; {record.skipped} batches kept from an earlier run" if record.skipped else ""),
        f"epoch folder {out_dir}/: publish all of it except {out_dir}/private/",
        f"check it with: zkmargin epoch verify {out_dir} --exchange-key PUBLIC_KEY",
    ])


def summary_lines(s: dict) -> list[str]:
    def table(title: str, values: dict) -> list[str]:
        return [f"  {title}: " + (", ".join(f"{k} {v}" for k, v in values.items()) or "none")]

    return [
        f"{s['accounts']:,} accounts in {s['batches']:,} batch proofs (tiers {', '.join(s['tiers'])}), epoch "
        f"{s['epoch']}, each account margin-checked at {s['threshold']:g}x",
        f"  under-margined accounts: {s['under_margined_accounts']}, total shortfall {s['total_shortfall']}",
        f"  sum of requirements {s['requirement']}, sum of available {s['available']}",
        *table("collateral owed to users (match against reserves)", s["collateral"]),
        *table("open long", s["open_long"]), *table("open short", s["open_short"]),
        *table("stress profile (book-wide loss per scenario)", s["stress_loss"]),
    ]


@epoch.command("verify")
@click.argument("epoch_dir", type=click.Path(file_okay=False, path_type=Path))
@exchange_public_key
@json_option
@friendly_errors
def verify(epoch_dir, exchange_key, as_json) -> None:
    """Check an epoch folder in one pass: the manifest signature, every batch proof (batch
    verification; a failure names the batch), the public hashes, the totals chain, identifier
    order, the account tree and the opened totals. Exit 0 valid, 1 invalid, 2 unreadable."""
    from zkmargin.api.epoch_check import verify_epoch

    summary = verify_epoch(epoch_dir, exchange_key)
    lines = ["VALID: every batch proof and the chain check out", *summary_lines(summary)]
    emit(as_json, {"valid": True, **summary}, lines)
