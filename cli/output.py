"""How the CLI talks: one-line errors with exit codes, progress on a terminal, --json for machines."""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any, Callable

import click

from zkmargin.circuits.builder import CircuitError
from zkmargin.circuits.r1cs import UnsatisfiedConstraint
from zkmargin.verifier.files import FormatError

EXIT_OK = 0
EXIT_INVALID = 1  # the proof was checked and is not valid
EXIT_BAD_INPUT = 2  # the input could not be used (also click's usage errors)
EXIT_BROKEN_PIPE = 141  # as a shell reports a writer ended by SIGPIPE


class InvalidProof(Exception):
    """Raised to end a command with exit code 1 after reporting."""


def friendly_errors(command: Callable) -> Callable:
    """Turn the errors a user can cause into 'error: ...' and exit code 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (FormatError, CircuitError, UnsatisfiedConstraint) as exc:
            fail(str(exc))
        except BrokenPipeError:  # the reader went away (`zkmargin margin | head`): not an input error
            raise SystemExit(EXIT_BROKEN_PIPE) from None  # main() then exits without flushing into the pipe again
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))

    return wrapper


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


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
    numba's ~1,000 modules and its LLVM objects: 0.14 s of a 0.8 s proof here."""
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
