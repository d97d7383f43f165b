"""Errors as exit codes, mapped in one place: 0 ok, 1 invalid proof or shortfall, 2 bad input."""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable

import click

from .exit import EXIT_BAD_INPUT, EXIT_BROKEN_PIPE, EXIT_INVALID, EXIT_OK  # noqa: F401  (commands import them here)
MAX_ERROR = 200  # characters of an error line: a hostile file cannot flood the terminal


def exit_codes() -> tuple[tuple[type[BaseException], int], ...]:
    """The library's exceptions a user can cause, and what each means for the exit code.
    Imported when an error is raised, not before: a command that succeeds never loads the
    modules that define the others' exceptions (the margin model, the exchange manifest...)."""
    from zkmargin.api.runners import RunnerError
    from zkmargin.circuits.builder import CircuitError
    from zkmargin.circuits.margin.case import Insolvent
    from zkmargin.circuits.r1cs import UnsatisfiedConstraint
    from zkmargin.verifier.exchange.manifest import EpochInvalid
    from zkmargin.prover.native.kernels import KernelsUnavailable
    from zkmargin.verifier.files import FormatError

    return (
        (Insolvent, EXIT_INVALID),
        (EpochInvalid, EXIT_INVALID),  # a FormatError subclass: listed before it
        (FormatError, EXIT_BAD_INPUT),
        (CircuitError, EXIT_BAD_INPUT),
        (UnsatisfiedConstraint, EXIT_BAD_INPUT),
        (RecursionError, EXIT_BAD_INPUT),
        (RunnerError, EXIT_BAD_INPUT),  # a batch proof that failed on every try: its message names the batch
        (MemoryError, EXIT_BAD_INPUT),
        (KernelsUnavailable, EXIT_BAD_INPUT),  # $ZKMARGIN_KERNELS=aot where the build fails, or no such mode
    )


def friendly_errors(command: Callable) -> Callable:
    """Turn the errors a user can cause into one line 'error: ...' and an exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:  # the reader went away (`zkmargin margin | head`): not an input error
            raise SystemExit(EXIT_BROKEN_PIPE) from None  # main() then exits without flushing into the pipe again
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except Exception as exc:  # RecursionError and MemoryError among them
            code = next((code for kind, code in exit_codes() if isinstance(exc, kind)), None)
            if code is None:
                raise
            fail(str(exc) or type(exc).__name__, code)

    return wrapper


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    line = " ".join(message.split())
    if len(line) > MAX_ERROR:
        line = line[: MAX_ERROR - 3] + "..."
    click.echo(f"error: {line}", err=True)
    sys.exit(code)
