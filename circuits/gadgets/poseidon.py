"""Poseidon in-circuit, with the constants of the native hash in zkmargin.verifier.

Round-constant additions and MDS mixing are linear, hence free; each S-box x^5 is three
rows (x^2, x^4, x^5), except the first round's on the constant initial state, which folds.
Cost: 3 * (8 * t + partial rounds) - 3 for t = inputs + 1: 240 for 2 inputs (as circom's
template), 261 for 3, 297 for 4, 609 for 16.
"""

from __future__ import annotations

from typing import Sequence

from zkmargin.verifier.poseidon import MAX_INPUTS, parameters

from ..builder import CircuitError, ConstraintSystem, LinearCombination, Value, as_lc, linear_sum


def _pow5(api: ConstraintSystem, x: LinearCombination) -> LinearCombination:
    x2 = api.square(x)
    x4 = api.square(x2)
    return api.mul(x4, x)


def poseidon_hash(api: ConstraintSystem, inputs: Sequence[Value]) -> LinearCombination:
    """The circomlib Poseidon hash of 1 to 16 field elements."""
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise CircuitError(f"Poseidon takes 1 to {MAX_INPUTS} inputs, got {len(inputs)}")
    params = parameters(len(inputs) + 1)
    t = params.width
    state = [as_lc(0), *(as_lc(x) for x in inputs)]
    with api.scope(f"poseidon{len(inputs)}"):
        for rnd in range(params.rounds):
            state = [s + c for s, c in zip(state, params.round_constants[rnd * t : (rnd + 1) * t])]
            if params.is_full_round(rnd):
                state = [_pow5(api, s) for s in state]
            else:
                state[0] = _pow5(api, state[0])
            state = [linear_sum(m * s for m, s in zip(row, state)) for row in params.mds]
    return state[0]
