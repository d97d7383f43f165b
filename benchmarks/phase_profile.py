"""Per-phase CPU seconds and memory of one proof, from inside the proving process.

Wall time alone misleads on a shared machine (other people's work stretches it); CPU time
(user + system, this process's threads together) does not. For memory, each phase starts by
resetting the kernel's high-water mark of this process (``echo 5 > /proc/self/clear_refs``,
Linux 4.0+), so the peak read when it ends is that phase's own, not the process's so far.
"""

from __future__ import annotations

import contextlib
import time
from typing import Iterator

from zkmargin.prover import Phases


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


class ProfiledPhases(Phases):
    """Phases that also record each one's CPU seconds, its peak resident MiB and the resident
    MiB left when it ends (what it did not free)."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: dict[str, float] = {}
        self.peak_mib: dict[str, float] = {}
        self.rss_after_mib: dict[str, float] = {}

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        own_peak = _reset_peak()
        start = time.process_time()
        with super().phase(name):
            yield
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - start
        peak = _status_mib("VmHWM") if own_peak else float("nan")
        self.peak_mib[name] = max(self.peak_mib.get(name, 0.0), peak)
        self.rss_after_mib[name] = _status_mib("VmRSS")

    def to_json(self) -> dict:
        return {"phase_cpu_s": self.cpu, "phase_peak_mib": self.peak_mib, "phase_rss_after_mib": self.rss_after_mib}
