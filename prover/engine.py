"""The arithmetic engine interface: multi-scalar multiplication, fixed-base tables and NTTs.

Everything expensive in setup and proving goes through one of these few calls, so a
faster engine (native code) can replace the reference one without touching the protocol
code. Points cross the boundary as affine integer coordinates, never as engine objects:
G1 (x, y), G2 ((x.c0, x.c1), (y.c0, y.c1)), None for the point at infinity.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Optional, Sequence

from zkmargin.verifier.curve import CURVE_ORDER as R

G1Affine = Optional[tuple[int, int]]
G2Affine = Optional[tuple[tuple[int, int], tuple[int, int]]]


class Engine(ABC):
    name: str = "abstract"

    @abstractmethod
    def prepare_g1(self, points: Sequence[G1Affine]) -> Any:
        """Convert bases once into the engine's own form, for repeated MSMs."""

    @abstractmethod
    def prepare_g2(self, points: Sequence[G2Affine]) -> Any: ...

    @abstractmethod
    def msm_g1(self, bases: Any, scalars: Sequence[int]) -> G1Affine:
        """sum_i scalars[i] * bases[i] (scalars reduced, 0 <= s < r)."""

    @abstractmethod
    def msm_g2(self, bases: Any, scalars: Sequence[int]) -> G2Affine: ...

    @abstractmethod
    def fixed_base_g1(self, scalars: Sequence[int]) -> list[G1Affine]:
        """[s * G1 for s in scalars]: setup's many multiples of the generator."""

    @abstractmethod
    def fixed_base_g2(self, scalars: Sequence[int]) -> list[G2Affine]: ...

    @abstractmethod
    def ntt(self, values: Sequence[int], inverse: bool = False) -> list[int]:
        """Evaluations on the domain of size len(values) from coefficients, or back."""

    def odd_coset(self, evaluations: Sequence[int]) -> list[int]:
        """From evaluations on the n domain to evaluations on the odd points of the 2n one."""
        from .domain import root_of_unity

        n = len(evaluations)
        coefficients = self.ntt(evaluations, inverse=True)
        shift, factor = root_of_unity(n.bit_length()), 1
        for i in range(n):
            coefficients[i] = coefficients[i] * factor % R
            factor = factor * shift % R
        return self.ntt(coefficients)


_ENGINES: dict[str, type[Engine]] = {}


def register(cls: type[Engine]) -> type[Engine]:
    _ENGINES[cls.name] = cls
    return cls


def available() -> list[str]:
    return sorted(_ENGINES)


def get_engine(name: str | None = None) -> Engine:
    """The named engine, or the fastest one that works on this machine."""
    from . import reference_engine  # noqa: F401  (registers itself)

    try:
        from . import native  # noqa: F401  (registers itself when numba imports)
    except ImportError:
        pass
    if name is None:
        name = "native" if "native" in _ENGINES else "reference"
    try:
        return _ENGINES[name]()
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; available: {', '.join(available())}") from None
