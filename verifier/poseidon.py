"""Poseidon over the BN254 scalar field, identical to circomlib's.

The round constants and MDS matrices are not shipped as data: they are regenerated from
the Poseidon paper's Grain LFSR with circomlib's parameters (prime field, x^5 S-box,
254-bit elements, 8 full rounds and the partial-round counts below), so an auditor checks
a 50-line generator rather than thousands of opaque constants. Generation is cached per
width. The circuit gadget uses the same constants, so hash and circuit cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from .curve import CURVE_ORDER

FULL_ROUNDS = 8
#: Partial rounds for state width t = 2 .. 17 (1 to 16 inputs), as in circomlib.
PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)
MAX_INPUTS = len(PARTIAL_ROUNDS)
_ELEMENT_BITS = 254


@dataclass(frozen=True)
class PoseidonParameters:
    width: int
    partial_rounds: int
    round_constants: tuple[int, ...]  # (FULL_ROUNDS + partial_rounds) * width, row-major by round
    mds: tuple[tuple[int, ...], ...]  # width x width

    @property
    def rounds(self) -> int:
        return FULL_ROUNDS + self.partial_rounds

    def is_full_round(self, round_index: int) -> bool:
        half = FULL_ROUNDS // 2
        return round_index < half or round_index >= half + self.partial_rounds


class _Grain:
    """The self-shrinking Grain LFSR seeded with the instance parameters.

    The raw sequence is b[n + 80] = b[n + 62] ^ b[n + 51] ^ b[n + 38] ^ b[n + 23] ^ b[n + 13]
    ^ b[n], started from the 80-bit seed; the first 160 raw bits are discarded, then of each
    pair (keep, bit) the bit is output when keep is 1. The nearest tap lies 18 bits behind
    the newest, so 18 raw bits are computed at once from an integer holding b[n + i] at bit
    i, and output bits are kept as a string of 0s and 1s: one bit at a time in Python took
    longer than proving.
    """

    _BLOCK = 18

    def __init__(self, width: int, partial_rounds: int):
        seed = (
            f"{1:02b}"  # field: prime
            f"{0:04b}"  # S-box: x^alpha
            f"{_ELEMENT_BITS:012b}{width:012b}{FULL_ROUNDS:010b}{partial_rounds:010b}"
        ) + "1" * 30
        self._state = int(seed[::-1], 2)  # b[0] is the seed's first bit, at bit 0
        self._raw = ""  # raw bits not yet paired, oldest first
        self._out = ""  # output bits not yet taken, oldest first
        self._discard = 160

    def _refill(self) -> None:
        blocks = []
        for _ in range(64):
            s = self._state
            new = (s ^ (s >> 13) ^ (s >> 23) ^ (s >> 38) ^ (s >> 51) ^ (s >> 62)) & ((1 << self._BLOCK) - 1)
            self._state = (s >> self._BLOCK) | (new << (80 - self._BLOCK))
            blocks.append(f"{new:0{self._BLOCK}b}"[::-1])  # b[n + 80], b[n + 81], ...
        raw = self._raw + "".join(blocks)
        if self._discard:
            raw, self._discard = raw[self._discard :], 0
        paired = len(raw) - len(raw) % 2
        self._out += "".join(bit for keep, bit in zip(raw[0:paired:2], raw[1:paired:2]) if keep == "1")
        self._raw = raw[paired:]

    def take(self, count: int) -> int:
        """The next ``count`` output bits as an integer, first bit most significant."""
        while len(self._out) < count:
            self._refill()
        value, self._out = int(self._out[:count], 2), self._out[count:]
        return value


@lru_cache(maxsize=None)
def parameters(width: int) -> PoseidonParameters:
    if not 2 <= width <= MAX_INPUTS + 1:
        raise ValueError(f"Poseidon width must be 2..{MAX_INPUTS + 1}, got {width}")
    partial = PARTIAL_ROUNDS[width - 2]
    bits = _Grain(width, partial)
    constants = []
    for _ in range((FULL_ROUNDS + partial) * width):
        value = bits.take(_ELEMENT_BITS)
        while value >= CURVE_ORDER:  # rejection sampling keeps the constants uniform
            value = bits.take(_ELEMENT_BITS)
        constants.append(value)
    # Cauchy MDS matrix M[i][j] = 1 / (x_i + y_j) from the same stream.
    points = [bits.take(_ELEMENT_BITS) % CURVE_ORDER for _ in range(2 * width)]
    if len(set(points)) != len(points):  # never happens for circomlib's widths
        raise ArithmeticError("Poseidon MDS generation produced a repeated point")
    xs, ys = points[:width], points[width:]
    mds = tuple(tuple(pow(x + y, -1, CURVE_ORDER) for y in ys) for x in xs)
    return PoseidonParameters(width, partial, tuple(constants), mds)


def poseidon(inputs: Sequence[int]) -> int:
    """circomlib's Poseidon(inputs) for 1 to 16 field elements (each 0 <= x < r)."""
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise ValueError(f"Poseidon takes 1 to {MAX_INPUTS} inputs, got {len(inputs)}")
    for value in inputs:
        if not 0 <= value < CURVE_ORDER:
            raise ValueError("Poseidon inputs must be field elements (0 <= x < r)")
    p = CURVE_ORDER
    params = parameters(len(inputs) + 1)
    width = params.width
    state = [0, *inputs]
    for rnd in range(params.rounds):
        constants = params.round_constants[rnd * width : (rnd + 1) * width]
        state = [(s + c) % p for s, c in zip(state, constants)]
        if params.is_full_round(rnd):
            state = [pow(s, 5, p) for s in state]
        else:
            state[0] = pow(state[0], 5, p)
        state = [sum(m * s for m, s in zip(row, state)) % p for row in params.mds]
    return state[0]


SPONGE_RATE = MAX_INPUTS - 1  # 15 new values per 16-input permutation, plus the chaining value


def poseidon_sponge(values: Sequence[int]) -> int:
    """Hash any number of field elements: h = Poseidon(len); h = Poseidon(h, next 15 values).

    The length goes in first, so zero-padding the last chunk cannot collide with a longer
    input. Every step is a 16-input Poseidon (609 constraints in circuit, 15 values each).
    """
    state = poseidon([len(values)])
    for start in range(0, len(values), SPONGE_RATE):
        chunk = list(values[start : start + SPONGE_RATE])
        state = poseidon([state, *chunk, *([0] * (SPONGE_RATE - len(chunk)))])
    return state
