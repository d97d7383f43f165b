"""The kernels a proof calls from Python, each declared once with its argument types.

The declaration serves two ends (see kernels.py and aot.py):
- the ahead-of-time build compiles exactly these functions for exactly these types into one
  extension module, so a fresh process proves without importing numba;
- every call is checked against it first, because compiled code trusts its arguments: an
  array of the wrong dtype, rank or layout would be read or written outside its memory.

numba-free by design: the engine imports this in every proof.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


#: The extension module the kernels are compiled into (aot.py) and loaded from (kernels.py).
MODULE_NAME = "zkmargin_kernels"

#: Set to 0 to compile field products from portable IR instead of mulx/adcx/adox assembly
#: (field.py); the kernels' cache key (kernels.py) includes it.
FIELD_ASM_ENV = "ZKMARGIN_FIELD_ASM"


class KernelArgumentError(TypeError):
    """A kernel was called with an argument its compiled code cannot take safely."""


@dataclass(frozen=True)
class Array:
    """A C-contiguous array of ``dtype`` whose shape matches ``shape`` (None: any length)."""

    dtype: str
    shape: tuple[int | None, ...]
    writes: bool = False  # the kernel writes it, so it must be writeable

    def check(self, value: object, where: str) -> None:
        if not isinstance(value, np.ndarray):
            raise KernelArgumentError(f"{where}: expected a numpy array, got {type(value).__name__}")
        if value.dtype != np.dtype(self.dtype) or value.ndim != len(self.shape):
            raise KernelArgumentError(f"{where}: expected {self.dtype} of rank {len(self.shape)}, "
                                      f"got {value.dtype} of rank {value.ndim}")
        if any(want is not None and want != got for want, got in zip(self.shape, value.shape)):
            raise KernelArgumentError(f"{where}: expected shape {self.shape}, got {value.shape}")
        if not value.flags.c_contiguous:
            raise KernelArgumentError(f"{where}: the array must be C-contiguous")
        if self.writes and not value.flags.writeable:
            raise KernelArgumentError(f"{where}: the kernel writes this array, which is read-only")


@dataclass(frozen=True)
class Integer:
    """A Python or numpy integer that fits in int64."""

    def check(self, value: object, where: str) -> None:
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not -(1 << 63) <= value < 1 << 63:
            raise KernelArgumentError(f"{where}: expected a 64-bit integer, got {value!r}")


@dataclass(frozen=True)
class Kernel:
    """``function`` of the numba module ``prover/native/<module>.py``, and its arguments."""

    module: str
    function: str
    args: tuple[Array | Integer, ...]

    def check(self, name: str, values: tuple) -> None:
        if len(values) != len(self.args):
            raise KernelArgumentError(f"{name}: expected {len(self.args)} arguments, got {len(values)}")
        for k, (spec, value) in enumerate(zip(self.args, values)):
            spec.check(value, f"{name}, argument {k}")


INT = Integer()
FR = Array("uint64", (None, 4))  # Fr or Fq elements, or scalars: four limbs each
FR_OUT = Array("uint64", (None, 4), writes=True)
ELEMENT = Array("uint64", (4,))
INDICES = Array("int64", (None,))
DIGITS = Array("int32", (None, None))
DIGITS_OUT = Array("int32", (None, None), writes=True)
OPS = Array("int64", (None, 5))  # a witness program's steps (circuits/witness_program.py)
G1_AFFINE, G1_JACOBIAN = Array("uint64", (None, 2, 4)), Array("uint64", (None, 3, 4))
G2_AFFINE, G2_JACOBIAN = Array("uint64", (None, 2, 2, 4)), Array("uint64", (None, 3, 2, 4))
G2_COORDINATES = Array("uint64", (None, 4, 4))  # a key's G2 points as the point checks read them


def _group_kernels(group: str, affine: Array, jacobian: Array) -> dict[str, Kernel]:
    """A group's MSM kernels: G2's are generated from G1's (generate.py), so are their names."""
    out = Array(jacobian.dtype, jacobian.shape, writes=True)
    affine_out = Array(affine.dtype, affine.shape, writes=True)
    return {
        f"{group}_window": Kernel(f"pippenger_{group}", f"{group}_window", (affine, DIGITS, INT, INT, out)),
        f"{group}_sum_into": Kernel(f"batch_affine_{group}", f"{group}_sum_into", (affine, INT, INT, out, INT)),
        f"{group}_combine": Kernel(f"pippenger_{group}", f"{group}_combine", (jacobian, INT, INT)),
        **({"g1_glv_split": Kernel("glv", "g1_glv_split", (affine, INDICES, FR, INDICES, affine_out, FR_OUT))}
           if group == "g1" else {}),
    }


#: Every kernel a proof calls from Python: name -> where it lives and what it takes.
KERNELS: dict[str, Kernel] = {
    "bit_reverse": Kernel("ntt", "bit_reverse", (FR_OUT,)),
    "butterflies": Kernel("ntt", "butterflies", (FR_OUT, FR, INT, INT, INT, INT)),
    "geometric": Kernel("ntt", "geometric", (ELEMENT, ELEMENT, INT)),
    "scale_by_powers": Kernel("ntt", "scale_by_powers", (FR_OUT, FR)),
    "sparse_products_into": Kernel(
        "vector", "sparse_products_into", (INDICES, INDICES, INDICES, FR, FR, FR_OUT, FR_OUT)
    ),
    "hadamard_into": Kernel("vector", "hadamard_into", (FR, FR, FR_OUT)),
    "hadamard_minus_into": Kernel("vector", "hadamard_minus_into", (FR, FR, FR_OUT)),
    "from_montgomery": Kernel("vector", "from_montgomery", (FR_OUT,)),
    "partition": Kernel("partition", "partition", (FR, INDICES)),
    "signed_digits": Kernel("digits", "signed_digits", (FR, INT, INT)),
    "signed_digits_into": Kernel("digits", "signed_digits_into", (FR, INT, DIGITS_OUT, INT, INT)),
    "first_invalid_g1": Kernel("points", "first_invalid_g1", (G1_AFFINE,)),
    "first_invalid_g2": Kernel("points", "first_invalid_g2", (G2_COORDINATES,)),
    "first_outside_g2_subgroup": Kernel("points", "first_outside_g2_subgroup", (G2_COORDINATES,)),
    "witness_run": Kernel("witness_kernels", "run_program", (FR, OPS, INDICES, INDICES, FR, FR, INT)),
    "witness_to_montgomery": Kernel("witness_kernels", "to_montgomery", (FR,)),
    "witness_first_unsatisfied": Kernel("witness_kernels", "first_unsatisfied", (FR, *(INDICES, INDICES, FR) * 3)),
    **_group_kernels("g1", G1_AFFINE, G1_JACOBIAN),
    **_group_kernels("g2", G2_AFFINE, G2_JACOBIAN),
}
