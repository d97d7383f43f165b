"""The exit codes, and ending the process fast. Needs nothing but the standard library, so a
process that only proves (benchmarks/prove_once.py) can end as the console script does
without importing click."""

from __future__ import annotations

import os
import sys

EXIT_OK = 0
EXIT_INVALID = 1  # the proof was checked and is not valid, or the portfolio falls short
EXIT_BAD_INPUT = 2  # the input could not be used (also click's usage errors)
EXIT_BROKEN_PIPE = 141  # as a shell reports a writer ended by SIGPIPE


def exit_now(code: object = 0) -> None:
    """End the process with ``code`` (as ``sys.exit`` reads it) without interpreter teardown.

    Every output file is written, closed and renamed into place before a command returns, so
    after flushing the standard streams nothing is left for CPython's shutdown to do but free
    the modules and objects of a large program, a noticeable share of a small proof (README:
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
