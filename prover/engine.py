"""The arithmetic engine interface: multi-scalar multiplication, fixed-base multiples, NTTs
and vectors of scalar-field elements moved between the domain and its odd coset.

Everything expensive in setup and proving goes through one of these few calls, so a
faster engine (native code) can replace the reference one without touching the protocol
code. Points cross the boundary as affine integer coordinates or as the file encoding
(EncodedPoints), never as engine objects: G1 (x, y), G2 ((x.c0, x.c1), (y.c0, y.c1)), None
for the point at infinity. Field vectors are the engine's own (``Vector``): lists of
integers go in wherever a Vector does, and ``integers`` brings one back.

Implementations import this module; this module imports none of them (the registry, one
layer up, knows them all).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Sequence

import numpy as np

from zkmargin.circuits.witness_program import limb_integers

from .encoding import Coefficient, EncodedCoefficients, EncodedPoints, G1Affine, G2Affine

__all__ = ["Coefficient", "EncodedCoefficients", "EncodedPoints", "Engine", "G1Affine", "G2Affine", "Vector"]

#: An engine's own vector of scalar-field elements (the reference engine: a list of ints).
Vector = Any


class Engine(ABC):
    name: str = "abstract"

    def load(self) -> None:
        """Get compiled code ready before the first real call, so that timings of the first
        phase measure work, not loading (the native engine finds, or once builds, its compiled kernels)."""

    # ------------------------------------------------------------------ MSM
    @abstractmethod
    def prepare_g1(self, points: Sequence[G1Affine]) -> Any:
        """Convert bases (a list of affine points or EncodedPoints) into the engine's own form."""

    @abstractmethod
    def prepare_g2(self, points: Sequence[G2Affine]) -> Any: ...

    def prepare_scalars(self, values: Sequence[int]) -> Any:
        """Convert scalars once (a witness feeds four MSMs); slicing must still work. A compiled
        witness arrives as an (n, 4) array of standard-form limbs."""
        if isinstance(values, np.ndarray):
            return limb_integers(values)
        return list(values)

    @abstractmethod
    def msm_g1(self, bases: Any, scalars: Sequence[int]) -> G1Affine:
        """sum_i scalars[i] * bases[i] (scalars reduced, 0 <= s < r)."""

    @abstractmethod
    def msm_g2(self, bases: Any, scalars: Sequence[int]) -> G2Affine: ...

    # ----------------------------------------------------------- fixed base
    @abstractmethod
    def fixed_base_g1(self, scalars: Sequence[int]) -> Sequence[G1Affine]:
        """[s * G1 for s in scalars]: setup's many multiples of the generator (a list, or
        EncodedPoints when the engine produces the file encoding directly)."""

    @abstractmethod
    def fixed_base_g2(self, scalars: Sequence[int]) -> Sequence[G2Affine]: ...

    # ------------------------------------------------------ NTT and cosets
    @abstractmethod
    def ntt(self, values: Sequence[int], inverse: bool = False) -> list[int]:
        """Evaluations on the domain of size len(values) from coefficients, or back."""

    @abstractmethod
    def odd_coset(self, evaluations: Vector) -> Vector:
        """From evaluations on the n domain to evaluations on the odd points of the 2n one
        (snarkjs's roots). May reuse the storage of an engine Vector it is given."""

    @abstractmethod
    def sparse_products(self, entries: Sequence[Coefficient], scalars: Any, rows: int, matrices: int) -> list[Vector]:
        """M_m * scalars for each matrix m < ``matrices``, each a Vector of ``rows`` values;
        ``entries`` are (m, row, column, value), a list or EncodedCoefficients, and
        ``scalars`` a list or prepare_scalars' result. Entries outside the sizes are refused."""

    @abstractmethod
    def hadamard(self, a: Vector, b: Vector) -> Vector:
        """a_i * b_i."""

    @abstractmethod
    def hadamard_minus(self, a: Vector, b: Vector, c: Vector) -> Any:
        """a_i * b_i - c_i, as scalars msm_g1 takes (it may reuse c's storage)."""

    @abstractmethod
    def integers(self, vector: Vector) -> list[int]:
        """The values of a Vector (or of hadamard_minus' scalars) as integers."""
