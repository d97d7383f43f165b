"""A fresh process's numba start-up, less the part that does nothing for this engine.

The first compiled function a process runs (even one loaded from numba's cache) makes numba
import its NumPy lowering registries. One of them, ``numba.np.arraymath``, probes at import
time whether SciPy's BLAS bindings exist, only to choose the inner loop of ``np.dot`` on
floats; the probe imports ``scipy.linalg`` and, through SciPy's array-API shim, ``numpy.f2py``,
a sizeable share of a small proof's wall time (see ``python -X importtime``). The engine has
no floats. So the registry is imported once with SciPy hidden. numba then uses its plain loop
for that one case. ``np.linalg`` in numba code still works: it imports SciPy itself at
typing time, and SciPy is importable again as soon as this returns.
"""

from __future__ import annotations

import sys


def import_numba_registries() -> None:
    """Import numba.np.arraymath without its SciPy probe, unless it or SciPy is loaded."""
    if "numba.np.arraymath" in sys.modules or "scipy" in sys.modules:
        return
    sys.modules["scipy"] = None  # type: ignore[assignment]  # makes `import scipy...` raise ImportError
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules["scipy"]
