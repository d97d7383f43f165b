"""How the CLI talks: text or --json, progress on a terminal, and a fast exit."""

from __future__ import annotations

import json
import os
import sys

import click

from .errors import EXIT_INVALID, EXIT_OK


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


def exit_now(code: object = 0) -> None:
    """End the process with ``code`` (as ``sys.exit`` reads it) without interpreter teardown.

    Every output file is written, closed and renamed into place before a command returns, so
    after flushing the standard streams nothing is left for CPython's shutdown to do but free
    numba's ~1,000 modules and its LLVM objects, a noticeable share of a small proof (README:
    performance)."""
    if code is None:
        status = EXIT_OK
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = EXIT_INVALID
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(status)
