"""The zkmargin command line: a click group over one module a command.

Exit codes (cli/errors.py): 0 success (proof valid), 1 proof invalid or portfolio short, 2 bad input.
"""

from __future__ import annotations

import click

from .commands.book import book
from .commands.ceremony import ceremony
from .commands.contracts import export
from .commands.demo import demo
from .commands.epoch import epoch
from .commands.export import export_r1cs, export_wtns
from .commands.inclusion import inclusion
from .commands.inspect import inspect
from .commands.keys import keys
from .commands.margin import margin
from .commands.prove import prove
from .commands.setup import setup
from .commands.verify import verify
from .errors import EXIT_OK
from .output import exit_now


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zkmargin")
def cli() -> None:
    """Prove in zero knowledge that a portfolio's collateral covers its stress-scenario margin.

    \b
    zkmargin margin            explain a portfolio's requirement and what netting saves
    zkmargin setup             make a (development) proving and verification key
    zkmargin prove             prove a portfolio solvent, writing a proof bundle
    zkmargin verify BUNDLE     check a bundle: statement, digests, public inputs and the proof
    zkmargin export ...        a Solidity verifier, calldata, the .r1cs or a .wtns for other tools
    zkmargin ceremony ...      keys users can trust: import a powers of tau, run a phase-2 ceremony
    zkmargin book ...          exchange mode: a synthetic book, or check a book
    zkmargin keys new          exchange mode: the Ed25519 key that signs epoch manifests
    zkmargin epoch ...         exchange mode: prove a whole book for an epoch, verify an epoch
    zkmargin inclusion ...     exchange mode: export and verify one account's inclusion

    Every command runs on the bundled inter-protocol sample when given no files.
    Proofs are Groth16 over BN254 in snarkjs's formats. Start with `zkmargin demo`.
    """


for command in (margin, setup, prove, verify, inspect, export, export_r1cs, export_wtns, ceremony, demo, book, keys,
                epoch, inclusion):
    cli.add_command(command)
export.add_command(export_r1cs, "r1cs")
export.add_command(export_wtns, "wtns")


def main() -> None:
    """The console script: click's standalone mode always ends in SystemExit."""
    try:
        cli(prog_name="zkmargin")
    except SystemExit as stop:
        exit_now(stop.code)
    exit_now(EXIT_OK)
