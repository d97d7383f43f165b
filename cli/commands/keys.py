"""zkmargin keys new: the exchange's Ed25519 key pair for signing epoch manifests."""

from __future__ import annotations

from pathlib import Path

import click

from zkmargin import api

from ..errors import friendly_errors
from ..options import json_option
from ..output import emit


@click.group("keys")
def keys() -> None:
    """Signing keys for exchange mode (the manifest of each epoch is signed with Ed25519)."""


@keys.command("new")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for exchange_ed25519.key (private, mode 0600) and exchange_ed25519.pub.",
)
@click.option("--force", is_flag=True, help="Replace an existing key pair (users who pinned the old key must re-pin).")
@json_option
@friendly_errors
def new(out_dir: Path, force: bool, as_json: bool) -> None:
    """Write a new Ed25519 key pair. Publish the .pub file and its fingerprint where users can pin them;
    keep the .key file offline."""
    pair = api.new_exchange_keys(out_dir, overwrite=force)
    emit(
        as_json,
        {"private_key": str(pair.private_key), "public_key": str(pair.public_key), "fingerprint": pair.fingerprint},
        [
            f"wrote {pair.private_key} (private, mode 0600: keep it secret and offline)",
            f"wrote {pair.public_key} (public: publish it)",
            f"fingerprint (SHA-256 of the raw public key): {pair.fingerprint}",
            "users pin this key: a manifest verifies only under the key they pinned",
        ],
    )
