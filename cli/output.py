"""How the CLI talks: text or --json, and progress on a terminal (the fast exit: exit.py)."""

from __future__ import annotations

import json
import sys

import click


def emit(as_json: bool, data: dict, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=1))
    else:
        for line in lines:
            click.echo(line)


def progress_reporter(as_json: bool, task: str):
    """Phase lines on stderr when it is a terminal; silent for pipes and --json."""
    if as_json or not sys.stderr.isatty():
        return None

    def report(phase: str, seconds: float | None) -> None:
        if seconds is None:
            click.echo(f"  {task}: {phase} ...", err=True, nl=False)
        else:
            click.echo(f" {seconds:.1f} s", err=True)

    return report
