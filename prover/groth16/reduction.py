"""From an R1CS to Groth16's quadratic arithmetic program, laid out as snarkjs lays it out.

Three choices make our keys and proofs interchangeable with snarkjs's, and each is made
here only: the domain size, the extra rows of A for the public wires, and computing H on
the odd coset of the doubled domain (no division by the vanishing polynomial).
"""

from __future__ import annotations

from typing import Any, Sequence

from zkmargin.circuits.r1cs import R1CS
from zkmargin.verifier.curve import CURVE_ORDER

from ..domain import Domain
from ..engine import Coefficient, Engine

#: Matrix indices in the coefficient list (C is never stored: on a satisfied witness C w = A w * B w).
A, B = 0, 1


def public_rows(r1cs: R1CS) -> int:
    """Rows added after the constraints: one per public wire, the constant wire included."""
    return r1cs.n_public + 1


def domain_size(r1cs: R1CS) -> int:
    """The evaluation domain: the smallest power of two holding every constraint and the
    public rows."""
    needed = r1cs.n_constraints + public_rows(r1cs)
    return 1 << max(0, (needed - 1).bit_length())


def coefficients_of(r1cs: R1CS) -> list[Coefficient]:
    """The A and B entries row by row, then A[nConstraints + s][s] = 1 for each public wire s.

    The extra rows make the public wires' polynomials linearly independent, which Groth16's
    soundness needs and which snarkjs adds in the same way (they are ``.zkey`` section 4).
    """
    out: list[Coefficient] = []
    for row, con in enumerate(r1cs.constraints):
        out += [(A, row, wire, coef) for wire, coef in con.a.items()]
        out += [(B, row, wire, coef) for wire, coef in con.b.items()]
    out += [(A, r1cs.n_constraints + s, s, 1) for s in range(public_rows(r1cs))]
    return out


def evaluate_qap(r1cs: R1CS, lagrange: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
    """A_j(tau), B_j(tau), C_j(tau) for every wire j, given L_i(tau) for every row i."""
    n = r1cs.n_wires
    a, b, c = [0] * n, [0] * n, [0] * n
    for row, con in enumerate(r1cs.constraints):
        basis = lagrange[row]
        for target, entries in ((a, con.a), (b, con.b), (c, con.c)):
            for wire, coef in entries.items():
                target[wire] = (target[wire] + coef * basis) % CURVE_ORDER
    for s in range(public_rows(r1cs)):
        a[s] = (a[s] + lagrange[r1cs.n_constraints + s]) % CURVE_ORDER
    return a, b, c


def h_bases_at(domain: Domain, tau: int) -> list[int]:
    """L'_{2i+1}(tau) over the 2n domain, for i < n: what the H query commits to (over delta).

    On the odd points Z(x) = x^n - 1 = -2, and Z(x) L^coset_i(x) = -2 L'_{2i+1}(x), so
    sum_i h_i L'_{2i+1}(tau) = h(tau) Z(tau) when h_i = a_i b_i - c_i there.
    """
    return Domain(2 * domain.size).lagrange_at(tau)[1::2]


def quotient_evaluations(engine: Engine, coefficients: Sequence[Coefficient], scalars: Any, n: int) -> Any:
    """h_i = a_i b_i - c_i on the odd points of the 2n domain, as MSM scalars for the H query.

    a and b are the A and B rows applied to the witness and c = a * b on the domain. On the
    odd points x^n - 1 = -2, so h there is (a b - c) / Z up to that constant, which the key's
    H bases absorb (h_bases_at). ``scalars`` is the witness, a list or the engine's
    prepare_scalars form.
    """
    a, b = engine.sparse_products(coefficients, scalars, n, 2)
    c = engine.hadamard(a, b)
    return engine.hadamard_minus(engine.odd_coset(a), engine.odd_coset(b), engine.odd_coset(c))
