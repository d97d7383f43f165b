"""Evaluation domains over the BN254 scalar field, with snarkjs's roots of unity.

snarkjs fixes w[28] = 5^((r - 1) / 2^28) and w[k] = w[k + 1]^2; using the same roots
makes our proving keys and proofs interchangeable with snarkjs's.
"""

from __future__ import annotations

from zkmargin.verifier.curve import CURVE_ORDER as R

TWO_ADICITY = 28
ROOT_OF_UNITY_2_28 = 19103219067921713944291392827692070036145651957329286315305642004821462161904


def root_of_unity(log_size: int) -> int:
    """A primitive 2^log_size-th root of unity, snarkjs's w[log_size]."""
    if not 0 <= log_size <= TWO_ADICITY:
        raise ValueError(f"no 2^{log_size}-th roots of unity in the BN254 scalar field")
    return pow(ROOT_OF_UNITY_2_28, 1 << (TWO_ADICITY - log_size), R)


def batch_inverse(values: list[int]) -> list[int]:
    """Montgomery's trick: n inverses for one modular inversion and 3n multiplications."""
    prefix, acc = [], 1
    for v in values:
        prefix.append(acc)
        acc = acc * v % R
    inv = pow(acc, -1, R)
    out = [0] * len(values)
    for i in reversed(range(len(values))):
        out[i] = inv * prefix[i] % R
        inv = inv * values[i] % R
    return out


class Domain:
    """The multiplicative subgroup {omega^i : i < size} for a power-of-two size."""

    def __init__(self, size: int):
        if size < 1 or size & (size - 1):
            raise ValueError("domain size must be a power of two")
        self.size = size
        self.log_size = size.bit_length() - 1
        if self.log_size >= TWO_ADICITY:
            raise ValueError("circuit too large: the domain needs 2n <= 2^28")
        self.omega = root_of_unity(self.log_size)

    def elements(self) -> list[int]:
        out, x = [], 1
        for _ in range(self.size):
            out.append(x)
            x = x * self.omega % R
        return out

    def lagrange_at(self, tau: int) -> list[int]:
        """L_i(tau) = (tau^n - 1) / n * omega^i / (tau - omega^i) for every i."""
        return _lagrange_at(self.elements(), self.size, tau)


def _lagrange_at(points: list[int], size: int, tau: int) -> list[int]:
    differences = [(tau - x) % R for x in points]
    if 0 in differences:
        raise ValueError("tau lies in the evaluation domain")
    factor = (pow(tau, size, R) - 1) * pow(size, -1, R) % R
    return [factor * x % R * inv % R for x, inv in zip(points, batch_inverse(differences))]
