"""The compiled kernels a proof calls, found or built once per machine and source.

``kernels()`` returns every kernel of exports.py, each checking its arguments first:
- ``aot`` (the default where it builds): the extension module aot.py compiles, kept in
  ``$ZKMARGIN_CACHE/kernels/<key>/`` (else ``~/.cache/zkmargin``). A fresh process loads it
  in a millisecond and never imports numba. The key hashes everything the machine code
  depends on: this package's source, the numba, llvmlite and NumPy versions, the Python ABI,
  the CPU's features (the code is built for the CPU it runs on) and $ZKMARGIN_FIELD_ASM. A
  missing module is built in a child process, under a lock, and renamed into place when
  complete, so processes proving side by side build it once and never load half a file;
- ``jit``: numba's just-in-time dispatchers, the same functions, compiled on first use and
  cached by numba. Used where the build fails (no C compiler, or a numba without pycc), and
  chosen with ``ZKMARGIN_KERNELS=jit``.

numba-free: the engine imports this in every proof.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator

import numpy as np

from ..cache import cache_folder
from .exports import FIELD_ASM_ENV, KERNELS, MODULE_NAME, Kernel

HERE = Path(__file__).resolve().parent
MODE_ENV = "ZKMARGIN_KERNELS"
MODES = ("auto", "aot", "jit")


class KernelsUnavailable(RuntimeError):
    """The kernels cannot load as asked: the ahead-of-time build failed (the message names its
    error), or $ZKMARGIN_KERNELS names no mode."""


@dataclass(frozen=True)
class Kernels:
    """Checked kernels by name (``kernels().g1_window(...)``), and how they were compiled."""

    mode: str
    functions: dict[str, Callable]

    def __getattr__(self, name: str) -> Callable:
        try:
            return self.functions[name]
        except KeyError:
            raise AttributeError(name) from None


def _checked(name: str, kernel: Kernel, function: Callable) -> Callable:
    def call(*args):
        kernel.check(name, args)
        return function(*args)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = getattr(function, "__doc__", None)
    return call


def _version_file(package: str) -> bytes:
    """A package's version file, found without importing the package (numba takes 0.15 s)."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return b"absent"
    version = Path(spec.origin).with_name("_version.py")
    return version.read_bytes() if version.exists() else spec.origin.encode()


def _cpu_features() -> bytes:
    try:
        with open("/proc/cpuinfo", "rb") as info:
            return next((line for line in info if line.startswith(b"flags")), b"")
    except OSError:  # not Linux: the machine's name at least
        return os.uname().version.encode()


@lru_cache(maxsize=1)
def build_key() -> str:
    digest = hashlib.sha256()
    for path in sorted(HERE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for part in (_version_file("numba"), _version_file("llvmlite"), np.__version__.encode(),
                 sys.implementation.cache_tag.encode(), os.uname().machine.encode(), _cpu_features(),
                 os.environ.get(FIELD_ASM_ENV, "").encode()):
        digest.update(part + b"\0")
    return digest.hexdigest()[:24]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _find(folder: Path) -> Path | None:
    return next(iter(sorted(folder.glob(f"{MODULE_NAME}.*.so"))), None) if folder.is_dir() else None


def _reason(output: str) -> str:
    """The exception line of a child's traceback (the error, not a hint printed after it),
    else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b", line)]
    return (errors or lines or ["no output"])[-1][:200]


def _build_into(folder: Path) -> None:
    """Run aot.py in a child (numba stays out of this process) into a scratch folder beside
    ``folder``, then rename the scratch folder into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
    try:
        if sys.stderr.isatty():
            print("zkmargin: compiling the prover's kernels for this machine (once; about a minute)",
                  file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, "-m", f"{__package__}.aot", str(scratch)],
                              capture_output=True, text=True, env=dict(os.environ, PYTHONWARNINGS="ignore"))
        if done.returncode != 0 or _find(scratch) is None:
            reason = _reason(done.stderr + done.stdout)
            raise KernelsUnavailable(f"compiling the kernels ahead of time failed: {reason}")
        scratch.rename(folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _import(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def aot_module(root: Path | None = None) -> ModuleType:
    """The ahead-of-time module for this source and machine, built first if missing."""
    folder = cache_folder(root) / "kernels" / build_key()
    path = _find(folder)
    if path is None:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with _locked(folder.parent / f"{folder.name}.lock"):
            path = _find(folder)
            if path is None:
                _build_into(folder)
                path = _find(folder)
    assert path is not None
    return _import(path)


def _jit_functions() -> dict[str, Callable]:
    from importlib import import_module

    return {name: getattr(import_module(f"{__package__}.{k.module}"), k.function) for name, k in KERNELS.items()}


@lru_cache(maxsize=1)
def kernels() -> Kernels:
    """Every kernel, compiled as $ZKMARGIN_KERNELS says (default ``auto``: ahead of time,
    else, with a warning, just in time)."""
    mode = os.environ.get(MODE_ENV, "auto")
    if mode not in MODES:
        raise KernelsUnavailable(f"{MODE_ENV} must be one of {', '.join(MODES)}, not {mode!r}")
    functions: dict[str, Callable] | None = None
    if mode != "jit":
        try:
            module = aot_module()
            functions = {name: getattr(module, name) for name in KERNELS}
            mode = "aot"
        except (KernelsUnavailable, OSError, ImportError) as error:
            if mode == "aot":
                raise
            print(f"zkmargin: {error}; proving with numba's JIT instead", file=sys.stderr)
    if functions is None:
        functions, mode = _jit_functions(), "jit"
    return Kernels(mode, {name: _checked(name, KERNELS[name], f) for name, f in functions.items()})
