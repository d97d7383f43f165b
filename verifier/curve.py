"""BN254 ("bn128" in snarkjs): the constants and the point checks the verifier relies on.

Points are py_ecc ``optimized_bn128`` points (homogeneous projective triples), so the
pairing code is py_ecc's own and this module only adds what py_ecc leaves to the caller:
refusing coordinates outside the field, points off the curve and G2 points outside the
prime-order subgroup.
"""

from __future__ import annotations

from py_ecc import optimized_bn128 as bn

#: Base field modulus q (coordinates of curve points).
FIELD_MODULUS: int = bn.field_modulus
#: Scalar field modulus r (circuit values, public inputs, scalars).
CURVE_ORDER: int = bn.curve_order

G1Point = tuple  # (FQ, FQ, FQ)
G2Point = tuple  # (FQ2, FQ2, FQ2)
G1_INFINITY: G1Point = bn.Z1


class InvalidPoint(ValueError):
    """A coordinate set that is not a usable point of the group it claims to be in."""


def _coordinate(value: int, name: str) -> int:
    if not 0 <= value < FIELD_MODULUS:
        raise InvalidPoint(f"{name} is not a base-field element (must be 0 <= x < q)")
    return value


def g1_from_affine(x: int, y: int, name: str = "G1 point") -> G1Point:
    """Build a G1 point and check it lies on y^2 = x^3 + 3 (G1 has cofactor 1)."""
    point = (bn.FQ(_coordinate(x, name + ".x")), bn.FQ(_coordinate(y, name + ".y")), bn.FQ.one())
    if not bn.is_on_curve(point, bn.b):
        raise InvalidPoint(f"{name} is not on the BN254 curve")
    return point


def g2_from_affine(x: tuple[int, int], y: tuple[int, int], name: str = "G2 point") -> G2Point:
    """Build a G2 point, checking the twist equation and membership of the order-r subgroup.

    The twist has a large cofactor, so an on-curve check alone (all snarkjs does) admits
    points of small order; multiplying by r is the plain, slow-but-sure subgroup test.
    """
    coords = [_coordinate(v, f"{name}.{part}") for v, part in zip((*x, *y), ("x.c0", "x.c1", "y.c0", "y.c1"))]
    point = (bn.FQ2(coords[0:2]), bn.FQ2(coords[2:4]), bn.FQ2.one())
    if not bn.is_on_curve(point, bn.b2):
        raise InvalidPoint(f"{name} is not on the BN254 twist curve")
    if not bn.is_inf(bn.multiply(point, CURVE_ORDER)):
        raise InvalidPoint(f"{name} is not in the prime-order subgroup of G2")
    return point


def g1_affine(point: G1Point) -> tuple[int, int] | None:
    """Affine integer coordinates, or None for the point at infinity."""
    if bn.is_inf(point):
        return None
    x, y = bn.normalize(point)
    return int(x), int(y)


def g2_affine(point: G2Point) -> tuple[tuple[int, int], tuple[int, int]] | None:
    if bn.is_inf(point):
        return None
    x, y = bn.normalize(point)
    return (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))
