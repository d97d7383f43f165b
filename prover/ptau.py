"""Development powers-of-tau files in snarkjs's ``.ptau`` layout, written with our engine.

snarkjs's ``groth16 setup`` needs a prepared ``.ptau``; making one with snarkjs itself
takes about ten minutes at 2^15 on this machine. This writes the same sections from one
random tau in seconds, so benchmarks and interop tests can give snarkjs a key of its own.
Like our single-party setup, whoever runs this knows tau: development use only.

Sections (points affine, coordinates in Montgomery form, as in .zkey):
  1 header: n8, q, power, ceremony power      2 tau^i G1, i < 2^(power+1) - 1
  3 tau^i G2, i < 2^power                     4, 5 alpha tau^i G1, beta tau^i G1, i < 2^power
  6 beta G2                                   7 contributions (none)
  12 L_i(tau) G1 for every domain 2^0 .. 2^(power+1), the block for 2^k at point 2^k - 1
  13, 14, 15 L_i(tau) G2, alpha L_i(tau) G1, beta L_i(tau) G1, domains 2^0 .. 2^power
"""

from __future__ import annotations

import os
import secrets

from zkmargin.circuits import binfile
from zkmargin.circuits.binfile import FIELD_BYTES, int_to_bytes, u32
from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import FIELD_MODULUS
from zkmargin.circuits.files import atomic_write

from .domain import Domain
from .encoding import points_bytes
from .engine import Engine
from .progress import Phases

PTAU_MAGIC = b"ptau"


def _powers(x: int, count: int) -> list[int]:
    out, acc = [], 1
    for _ in range(count):
        out.append(acc)
        acc = acc * x % R
    return out


def _lagrange_blocks(tau: int, last_power: int) -> list[int]:
    return [v for k in range(last_power + 1) for v in Domain(1 << k).lagrange_at(tau)]


def _multiplied_by(values: list[int], factor: int) -> list[int]:
    return [v * factor % R for v in values]


def ptau_bytes(power: int, engine: Engine, phases: Phases | None = None) -> bytes:
    if not 1 <= power <= 27:
        raise ValueError("power must be between 1 and 27")
    phases = phases or Phases()
    tau, alpha, beta = (secrets.randbelow(R - 1) + 1 for _ in range(3))
    n = 1 << power

    def g1s(scalars: list[int]) -> bytes:
        return points_bytes(engine.fixed_base_g1(scalars), 1)

    def g2s(scalars: list[int]) -> bytes:
        return points_bytes(engine.fixed_base_g2(scalars), 2)

    with phases.phase("powers of tau"):
        powers = _powers(tau, 2 * n - 1)
        sections = [
            (1, u32(FIELD_BYTES) + int_to_bytes(FIELD_MODULUS) + u32(power) + u32(power)),
            (2, g1s(powers)),
            (3, g2s(powers[:n])),
            (4, g1s(_multiplied_by(powers[:n], alpha))),
            (5, g1s(_multiplied_by(powers[:n], beta))),
            (6, g2s([beta])),
            (7, u32(0)),
        ]
    with phases.phase("Lagrange bases"):
        lagrange = _lagrange_blocks(tau, power + 1)
        up_to_power = lagrange[: 2 * n - 1]
        sections += [
            (12, g1s(lagrange)),
            (13, g2s(up_to_power)),
            (14, g1s(_multiplied_by(up_to_power, alpha))),
            (15, g1s(_multiplied_by(up_to_power, beta))),
        ]
    return binfile.encode(PTAU_MAGIC, 1, sections)


def write_ptau(path: str | os.PathLike, power: int, engine: Engine, phases: Phases | None = None) -> None:
    """A development .ptau for circuits whose domain is at most 2^power."""
    atomic_write(path, ptau_bytes(power, engine, phases))
