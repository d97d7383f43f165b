"""Groth16 key generation for one circuit, by a single party: development use only.

Whoever runs this learns the trapdoor (tau, alpha, beta, gamma, delta) and could forge
proofs for this key. It is for development, tests and benchmarks; a production key comes
from a multi-party ceremony (a later feature), where forging needs every party to collude.
"""

from __future__ import annotations

import secrets

from zkmargin.circuits.r1cs import R1CS
from zkmargin.verifier.curve import CURVE_ORDER as R

from ..domain import Domain
from ..engine import Engine
from ..progress import Phases
from .reduction import coefficients_of, domain_size, evaluate_qap, h_bases_at, public_rows
from .zkey import ProvingKey

DEVELOPMENT_ONLY = "development-only setup: one party knows the trapdoor and could forge proofs for this key"


def _random_nonzero() -> int:
    return secrets.randbelow(R - 1) + 1


def setup(r1cs: R1CS, engine: Engine, phases: Phases | None = None) -> ProvingKey:
    phases = phases or Phases()
    tau, alpha, beta, gamma, delta = (_random_nonzero() for _ in range(5))
    domain = Domain(domain_size(r1cs))
    with phases.phase("evaluate polynomials at tau"):
        a, b, c = evaluate_qap(r1cs, domain.lagrange_at(tau))
        gamma_inv, delta_inv = pow(gamma, -1, R), pow(delta, -1, R)
        h_scalars = [v * delta_inv % R for v in h_bases_at(domain, tau)]
        combined = [(beta * a[j] + alpha * b[j] + c[j]) % R for j in range(r1cs.n_wires)]
        n_pub = public_rows(r1cs)
        ic_scalars = [v * gamma_inv % R for v in combined[:n_pub]]
        c_scalars = [v * delta_inv % R for v in combined[n_pub:]]
    with phases.phase("G1 query A, B1"):
        a_points = engine.fixed_base_g1(a)
        b1_points = engine.fixed_base_g1(b)
    with phases.phase("G2 query B2"):
        b2_points = engine.fixed_base_g2(b)
    with phases.phase("G1 query C, IC"):
        c_points = engine.fixed_base_g1(c_scalars)
        ic_points = engine.fixed_base_g1(ic_scalars)
    with phases.phase("G1 query H"):
        h_points = engine.fixed_base_g1(h_scalars)
    alpha_1, beta_1, delta_1 = engine.fixed_base_g1([alpha, beta, delta])
    beta_2, gamma_2, delta_2 = engine.fixed_base_g2([beta, gamma, delta])
    return ProvingKey(
        n_vars=r1cs.n_wires,
        n_public=r1cs.n_public,
        domain_size=domain.size,
        alpha_1=alpha_1,
        beta_1=beta_1,
        beta_2=beta_2,
        gamma_2=gamma_2,
        delta_1=delta_1,
        delta_2=delta_2,
        ic=ic_points,
        coefficients=coefficients_of(r1cs),
        a=a_points,
        b1=b1_points,
        b2=b2_points,
        c=c_points,
        h=h_points,
    )
