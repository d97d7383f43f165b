"""Named phases with timings, reported to whoever is listening (a terminal, a profile)."""

from __future__ import annotations

import contextlib
import time
from typing import Callable, Iterator

Reporter = Callable[[str, float | None], None]  # (phase, seconds taken or None when starting)


class Phases:
    def __init__(self, reporter: Reporter | None = None):
        self.reporter = reporter
        self.timings: dict[str, float] = {}

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        if self.reporter:
            self.reporter(name, None)
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.timings[name] = self.timings.get(name, 0.0) + elapsed
            if self.reporter:
                self.reporter(name, elapsed)
