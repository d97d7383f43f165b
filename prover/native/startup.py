"""A fresh process's numba start-up, less the parts that do nothing for this engine.

The first compiled function a process runs (even one loaded from numba's cache) makes numba
import its NumPy lowering registries and its typing context. Two of those modules probe for
optional libraries the engine never uses, and the probes cost more than the arithmetic of a
small proof (see ``python -X importtime`` and README, "Performance"):

- ``numba.np.arraymath`` probes whether SciPy's BLAS bindings exist, only to choose the inner
  loop of ``np.dot`` on floats; the probe imports ``scipy.linalg`` and, through SciPy's
  array-API shim, ``numpy.f2py``. The engine has no floats: numba then uses its plain loop
  for that one case. ``np.linalg`` in numba code still works: it imports SciPy itself at
  typing time, and SciPy is importable again as soon as this returns.
- ``numba.core.typing.cffi_utils`` imports cffi and builds an ``FFI()`` (which imports
  pycparser) so that compiled code may call cffi functions (~30 ms of CPU). The engine calls
  none: in this process numba then refuses cffi functions as arguments, nothing else.

Each is imported once with the optional library hidden, unless that library is already
loaded (then hiding it saves nothing and would only change behaviour).
"""

from __future__ import annotations

import importlib
import sys

# numba module -> the optional library its import probes for
_PROBES = {"numba.np.arraymath": "scipy", "numba.core.typing.cffi_utils": "cffi"}


def import_numba_registries() -> None:
    """Import numba's modules that probe for SciPy and cffi without those probes."""
    for module, optional in _PROBES.items():
        if module in sys.modules or optional in sys.modules:
            continue
        sys.modules[optional] = None  # type: ignore[assignment]  # makes `import optional...` raise ImportError
        try:
            importlib.import_module(module)
        finally:
            del sys.modules[optional]
