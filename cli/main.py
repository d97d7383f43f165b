"""The zkmargin command line: a click group over one module a command.

Exit codes (cli/errors.py): 0 success (proof valid), 1 proof invalid or portfolio short, 2 bad input.
"""

from __future__ import annotations

import importlib

import click

from .errors import EXIT_OK
from .exit import exit_now

#: Each command's name and where it is defined (cli/commands/<module>.py), loaded when run:
#: a command imports only what it uses (`zkmargin verify` never loads the prover or numba).
COMMANDS = {
    "margin": "margin:margin",
    "setup": "setup:setup",
    "prove": "prove:prove",
    "verify": "verify:verify",
    "inspect": "inspect:inspect",
    "export": "contracts:export",
    "export-r1cs": "export:export_r1cs",
    "export-wtns": "export:export_wtns",
    "ceremony": "ceremony:ceremony",
    "demo": "demo:demo",
    "book": "book:book",
    "keys": "keys:keys",
    "epoch": "epoch:epoch",
    "inclusion": "inclusion:inclusion",
}


def load_command(name: str) -> click.Command:
    module, attribute = COMMANDS[name].split(":")
    return getattr(importlib.import_module(f"{__package__}.commands.{module}"), attribute)


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (click's documented pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def main() -> None:
    """The console script: click's standalone mode always ends in SystemExit."""
    try:
        cli(prog_name="zkmargin")
    except SystemExit as stop:
        exit_now(stop.code)
    exit_now(EXIT_OK)
