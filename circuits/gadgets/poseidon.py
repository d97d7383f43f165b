"""Poseidon in-circuit, with the constants of the native hash in zkmargin.verifier.

Round-constant additions and MDS mixing are linear, hence free; each S-box x^5 is three
rows (x^2, x^4, x^5), except the first round's on the constant initial state, which folds.
Cost: 3 * (8 * t + partial rounds) - 3 for t = inputs + 1: 240 for 2 inputs (as circom's
template), 261 for 3, 297 for 4, 609 for 16.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.poseidon import FULL_ROUNDS, MAX_INPUTS, parameters

from ..builder import CircuitError, ConstraintSystem, LinearCombination, Value, as_lc, weighted_sum


def _pow5(api: ConstraintSystem, x: LinearCombination) -> LinearCombination:
    x2 = api.square(x)
    x4 = api.square(x2)
    return api.mul(x4, x)


def _mat_vec(matrix: Sequence[Sequence[int]], vector: Sequence[int]) -> list[int]:
    return [sum(m * v for m, v in zip(row, vector)) % R for row in matrix]


def _inverse(matrix: list[list[int]]) -> list[list[int]]:
    """Gauss-Jordan inversion modulo r."""
    n = len(matrix)
    rows = [list(row) + [int(i == j) for j in range(n)] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = next(i for i in range(col, n) if rows[i][col])
        rows[col], rows[pivot] = rows[pivot], rows[col]
        inv = pow(rows[col][col], -1, R)
        rows[col] = [v * inv % R for v in rows[col]]
        for i in range(n):
            if i != col and rows[i][col]:
                factor = rows[i][col]
                rows[i] = [(a - factor * b) % R for a, b in zip(rows[i], rows[col])]
    return [row[n:] for row in rows]


@dataclass(frozen=True)
class _SparsePlan:
    """Poseidon rewritten for cheap partial rounds (Poseidon paper, appendix B).

    1. Constants on elements 1.. of a partial round commute with its S-box (which touches
       only element 0), so they are pushed through the MDS matrix into the next round.
    2. The matrix A applied after a partial round factors as A = A' A'' with
       A' = diag(1, A_hat) and A'' = [[a00, v], [A_hat^-1 w, I]] sparse. A' commutes with
       the next round's element-0 work, so it is folded into that round's matrix, and only
       the last A' is applied densely. Each partial round then costs O(t) term merges
       instead of O(t^2), with the same rows; the output is identical.
    """

    constants: list[list[int]]
    sparse: list[tuple[int, list[int], list[int]]]  # (a00, v, w_hat) per partial round
    final: list[list[int]]  # A_hat of the last factor, applied after the partial rounds


@lru_cache(maxsize=None)
def _sparse_plan(width: int) -> _SparsePlan:
    params = parameters(width)
    t, mds, first, partial = width, params.mds, FULL_ROUNDS // 2, params.partial_rounds
    constants = [list(params.round_constants[r * t : (r + 1) * t]) for r in range(params.rounds)]
    carry = [0] * t
    for r in range(first, first + partial):
        c = [(a + b) % R for a, b in zip(constants[r], carry)]
        constants[r] = [c[0]] + [0] * (t - 1)
        carry = _mat_vec(mds, [0] + c[1:])
    constants[first + partial] = [(a + b) % R for a, b in zip(constants[first + partial], carry)]
    sparse, matrix = [], [list(row) for row in mds]
    for k in range(partial):
        a_hat = [row[1:] for row in matrix[1:]]
        w_hat = _mat_vec(_inverse(a_hat), [row[0] for row in matrix[1:]])
        sparse.append((matrix[0][0], matrix[0][1:], w_hat))
        if k < partial - 1:  # next round's matrix: M diag(1, A_hat)
            matrix = [
                [row[0]] + [sum(row[1 + m] * a_hat[m][j] for m in range(t - 1)) % R for j in range(t - 1)]
                for row in mds
            ]
    return _SparsePlan(constants, sparse, a_hat)


def poseidon_hash(api: ConstraintSystem, inputs: Sequence[Value]) -> LinearCombination:
    """The circomlib Poseidon hash of 1 to 16 field elements."""
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise CircuitError(f"Poseidon takes 1 to {MAX_INPUTS} inputs, got {len(inputs)}")
    params = parameters(len(inputs) + 1)
    plan = _sparse_plan(params.width)
    first = FULL_ROUNDS // 2
    state = [as_lc(0), *(as_lc(x) for x in inputs)]
    with api.scope(f"poseidon{len(inputs)}"):
        for rnd in range(params.rounds):
            if params.is_full_round(rnd):
                state = [_pow5(api, s + c) for s, c in zip(state, plan.constants[rnd])]
                state = [weighted_sum(zip(row, state)) for row in params.mds]
                continue
            k = rnd - first
            x = _pow5(api, state[0] + plan.constants[rnd][0])
            a00, v, w_hat = plan.sparse[k]
            rest = state[1:]
            state = [weighted_sum([(a00, x), *zip(v, rest)])] + [s + x * w for s, w in zip(rest, w_hat)]
            if k == params.partial_rounds - 1:
                state = [state[0]] + [weighted_sum(zip(row, state[1:])) for row in plan.final]
    return state[0]


def poseidon_sponge(api: ConstraintSystem, values: Sequence[Value]) -> LinearCombination:
    """The in-circuit twin of zkmargin.verifier.poseidon.poseidon_sponge (the length is a constant)."""
    from zkmargin.verifier.poseidon import SPONGE_RATE

    state = poseidon_hash(api, [len(values)])  # constant input: folds to a constant, free
    with api.scope("sponge"):
        for start in range(0, len(values), SPONGE_RATE):
            chunk = [as_lc(v) for v in values[start : start + SPONGE_RATE]]
            state = poseidon_hash(api, [state, *chunk, *([as_lc(0)] * (SPONGE_RATE - len(chunk)))])
    return state
