"""Run one child process and measure it: wall seconds and peak resident memory, optionally on chosen cores."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    click.echo(message, err=True)


def _high_water_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pinned(command: list[str], cores: tuple[int, ...] | None) -> list[str]:
    """``command`` run through ``taskset -c`` on ``cores`` (None: wherever the scheduler likes).

    taskset execs the command in its own process, so the pid watched for memory is the prover's.
    """
    if cores is None:
        return command
    return ["taskset", "-c", ",".join(map(str, cores)), *command]


def run_measured(command: list[str], cwd: Path, cores: tuple[int, ...] | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak resident MiB, output) of a child process.

    Peak memory is the child's own VmHWM, sampled every 5 ms until it exits: wait4's
    ru_maxrss would also count this (large) parent, whose high-water mark a forked
    child inherits across exec.
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    command = pinned(command, cores)
    with tempfile.TemporaryFile("w+") as captured:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=captured, stderr=subprocess.STDOUT, text=True)
        peak = 0.0
        while child.poll() is None:
            peak = max(peak, _high_water_mib(child.pid))
            time.sleep(0.005)
        wall = time.perf_counter() - start
        captured.seek(0)
        output = captured.read()
    if child.returncode != 0:
        raise click.ClickException(f"{' '.join(command[:6])} failed:\n{output[-2000:]}")
    return wall, peak, output
