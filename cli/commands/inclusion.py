"""zkmargin inclusion: an account's proof of inclusion in an epoch (the exchange exports, the user verifies)."""

from __future__ import annotations

from pathlib import Path

import click

from zkmargin.api.epoch_check import export_inclusion, verify_inclusion

from ..errors import friendly_errors
from ..options import json_option
from ..output import emit
from .epoch import exchange_public_key


@click.group("inclusion")
def inclusion() -> None:
    """One account's inclusion in an epoch: its opening, its tree paths and its batch's proof."""


@inclusion.command("export")
@click.argument("epoch_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("account")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The inclusion file to write (private: hand it to the account's owner only).")
@json_option
@friendly_errors
def export(epoch_dir, account, out_path, as_json) -> None:
    """Write ACCOUNT's inclusion file (run by the exchange, for that user)."""
    found = export_inclusion(epoch_dir, account, out_path)
    emit(as_json, {"inclusion": str(out_path), "account": account, "leaf_index": found.leaf_index,
                   "batch_index": found.batch_index},
         [f"wrote {out_path} for {account!r} (leaf {found.leaf_index}, batch {found.batch_index}): "
          "private, it reveals the account's positions"])


@inclusion.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--manifest", "manifest_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The epoch's signed manifest.json.")
@exchange_public_key
@json_option
@friendly_errors
def verify(file, manifest_path, exchange_key, as_json) -> None:
    """Check, offline, that the account in FILE is in the signed epoch with the margin shown.

    Recomputes the leaf from the opening and the margin under the epoch's parameters, walks
    both tree paths, checks the batch proof, its public hash and the manifest's signature, and
    that the totals shown are the circuit's, opening the last batch's commitment (that every
    batch's sums chain up to them is `zkmargin epoch verify`'s check)."""
    v = verify_inclusion(file, manifest_path, exchange_key)
    m, s = v.margin, v.summary
    status = "covered" if m.solvent else f"SHORT by {float(m.real(-m.excess)):,.2f}"
    requirement, available = float(m.real(m.requirement)), float(m.real(m.available))
    emit(as_json, {
        "valid": True, "account": v.account, "epoch": v.manifest.epoch, "requirement": f"{requirement:.2f}",
        "available": f"{available:.2f}", "covered": m.solvent, "book": s,
    }, [
        f"VALID: account {v.account!r}, requirement {requirement:,.2f}, available "
        f"{available:,.2f} ({status} at {s['threshold']:g}x), is inside the book of epoch "
        f"{v.manifest.epoch} signed by this key, whose manifest states {s['accounts']:,} accounts, "
        f"{s['under_margined_accounts']} under-margined (shortfall {s['total_shortfall']}); "
        "`zkmargin epoch verify` checks those totals against every batch proof",
    ])
