"""Which engines exist, and the choice among them: the one module that knows every
implementation, so that none of them needs to know this one."""

from __future__ import annotations

from .engine import Engine


def engines() -> dict[str, type[Engine]]:
    """Engine classes by name; ``native`` where its module imports (NumPy; its kernels load or
    build on first use, kernels.py). Imported on first use: verifying never needs them."""
    from .reference_engine import ReferenceEngine

    found: dict[str, type[Engine]] = {ReferenceEngine.name: ReferenceEngine}
    try:
        from .native.engine import NativeEngine
    except ImportError:
        return found
    found[NativeEngine.name] = NativeEngine
    return found


def get_engine(name: str | None = None) -> Engine:
    """The named engine, or the fastest one that works on this machine."""
    found = engines()
    if name is None:
        name = "native" if "native" in found else "reference"
    try:
        return found[name]()
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; available: {', '.join(sorted(found))}") from None
