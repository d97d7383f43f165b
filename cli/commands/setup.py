"""zkmargin setup: development keys for one capacity."""

from __future__ import annotations

from pathlib import Path

import click

from zkmargin import api
from zkmargin.prover import DEVELOPMENT_ONLY

from ..errors import friendly_errors
from ..options import capacity_options, engine_option, json_option
from ..output import emit, progress_reporter


@click.command("setup")
@capacity_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("keys"),
    show_default=True,
    help="Folder for the proving and verification keys.",
)
@engine_option
@json_option
@friendly_errors
def setup(capacity, out_dir: Path, engine_name, as_json: bool) -> None:
    """Make a proving key (.zkey) and verification key for one circuit capacity.

    Development only: one party generates and sees the trapdoor, so it could forge proofs
    for this key. Use it for development and testing, not to convince anyone else.
    """
    capacity = api.MarginCapacity(*capacity)
    keys = api.setup_keys(capacity, out_dir, engine_name, progress_reporter(as_json, "setup"))
    emit(
        as_json,
        {
            "capacity": capacity.sizes(),
            "zkey": str(keys.zkey),
            "verification_key": str(keys.verification_key),
            "key_fingerprint": keys.fingerprint,
            "constraints": keys.constraints,
            "development_only": True,
            "seconds": round(keys.seconds, 3),
        },
        [
            f"warning: {DEVELOPMENT_ONLY}",
            f"circuit portfolio-margin {capacity.label()} "
            f"(positions x collateral x scenarios x groups, then axes in use): {keys.constraints} constraints",
            f"proving key       {keys.zkey}",
            f"verification key  {keys.verification_key}  (fingerprint {keys.fingerprint})",
        ],
    )
