"""Compile the kernels of exports.py ahead of time into one extension module.

    python -m zkmargin.prover.native.aot FOLDER

A fresh process that uses numba pays for importing it and for loading each cached kernel
(about 0.3 s and 90 MiB before the first multiplication, README "Performance"). The same
kernels compiled once by ``numba.pycc`` into an ordinary extension module load in a
millisecond and need neither numba nor LLVM at run time. kernels.py runs this in a child
process the first time a machine proves with a given source, so the prover itself never
imports numba.

Two choices differ from pycc's defaults:
- code for this machine's CPU (``target_cpu = "host"``: mulx and adx for the field products),
  as numba's JIT does; the cache key in kernels.py names the CPU's features for that reason;
- every exported function releases the GIL while it runs, so the engine's threads run kernels
  side by side (numba's JIT calls this ``nogil``; pycc has no option for it, hence the flag
  class below, used by this build only).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from .exports import KERNELS, MODULE_NAME, Array, Kernel


def _numba_type(spec):
    from numba import types

    if isinstance(spec, Array):
        dtype = getattr(types, spec.dtype)
        return types.Array(dtype, len(spec.shape), "C", readonly=not spec.writes)
    return types.int64


def _signature(kernel: Kernel):
    """The kernel's exported signature: its declared arguments, and the return type numba
    infers for them."""
    dispatcher = getattr(importlib.import_module(f"{__package__}.{kernel.module}"), kernel.function)
    arguments = tuple(_numba_type(spec) for spec in kernel.args)
    dispatcher.compile(arguments)
    return dispatcher.py_func, dispatcher.overloads[arguments].signature.return_type(*arguments)


def _release_the_gil() -> None:
    """Make pycc's wrappers release the GIL around each call (see the module's docstring)."""
    import numba.pycc.compiler as pycc_compiler

    class NoGilFlags(pycc_compiler.Flags):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.release_gil = True

    pycc_compiler.Flags = NoGilFlags


def build(folder: Path) -> Path:
    """Compile every kernel into ``folder``; returns the extension module's path."""
    from numba.pycc import CC

    _release_the_gil()
    compiler = CC(MODULE_NAME)
    compiler.output_dir = str(folder)
    compiler.target_cpu = "host"
    compiler.verbose = False
    for name, kernel in KERNELS.items():
        function, signature = _signature(kernel)
        compiler.export(name, signature)(function)
    compiler.compile()
    return next(folder.glob(f"{MODULE_NAME}.*"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m zkmargin.prover.native.aot FOLDER", file=sys.stderr)
        sys.exit(2)
    print(build(Path(sys.argv[1])))
