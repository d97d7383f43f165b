"""What the rest of the machine is doing just before a timing, so a loaded run is flagged, not hidden.

Two measures are recorded before every timed proof. The 1-minute load average is the
familiar one, but it is slow and counts the benchmark's own proofs of the last minute, so it
cannot tell other people's work from ours. The busy fraction of each CPU, sampled from
/proc/stat over a short window while the benchmark itself sleeps, can: whatever runs in that
window is someone else's. A run is flagged as loaded when the cores it is allowed to use were
busier than a threshold in that window.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

DEFAULT_BUSY_THRESHOLD = 0.15  # fraction of the window the run's cores spent on other work


@dataclass(frozen=True)
class Load:
    """The machine's load just before one timing."""

    loadavg_1min: float
    busy: tuple[float, ...]  # per CPU, fraction of the sample window not idle
    cores: tuple[int, ...]  # the CPUs the timed run may use
    window_s: float

    @property
    def busy_on_cores(self) -> float:
        """Mean busy fraction of the cores the run may use: the share of them it would have to share."""
        return sum(self.busy[c] for c in self.cores) / len(self.cores) if self.cores else 0.0

    def loaded(self, threshold: float) -> bool:
        return self.busy_on_cores > threshold

    def to_json(self, threshold: float) -> dict:
        return {
            "loadavg_1min": self.loadavg_1min,
            "busy_per_cpu": [round(b, 3) for b in self.busy],
            "cores": list(self.cores),
            "busy_on_cores": round(self.busy_on_cores, 3),
            "window_s": self.window_s,
            "loaded": self.loaded(threshold),
        }


def _cpu_jiffies() -> dict[int, tuple[int, int]]:
    """CPU index -> (busy, total) clock ticks since boot, from /proc/stat."""
    out = {}
    with open("/proc/stat") as stat:
        for line in stat:
            name, *fields = line.split()
            if not name.startswith("cpu") or name == "cpu":
                continue
            # user nice system idle iowait irq softirq steal (guest time is already inside user)
            ticks = [int(f) for f in fields[:8]]
            idle = ticks[3] + ticks[4]
            out[int(name[3:])] = (sum(ticks) - idle, sum(ticks))
    return out


def loadavg_1min() -> float:
    with open("/proc/loadavg") as loadavg:
        return float(loadavg.read().split()[0])


def sample(cores: tuple[int, ...], window_s: float) -> Load:
    """Sleep ``window_s`` seconds (> 0) and report how busy each CPU was meanwhile."""
    before = _cpu_jiffies()
    time.sleep(window_s)
    after = _cpu_jiffies()
    busy = []
    for cpu in range(max(after) + 1):
        (b0, t0), (b1, t1) = before.get(cpu, (0, 0)), after.get(cpu, (0, 0))
        busy.append((b1 - b0) / (t1 - t0) if t1 > t0 else 0.0)
    return Load(loadavg_1min(), tuple(busy), cores, window_s)


def usable_cores() -> tuple[int, ...]:
    """The CPUs this process may run on (all-core mode uses every one of them)."""
    return tuple(sorted(os.sched_getaffinity(0)))
