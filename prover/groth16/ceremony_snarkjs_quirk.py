"""The one point of snarkjs's circuit hash that is not a point: reproduced so that keys agree.

``snarkjs zkey new`` hashes the points (tau^n - 1) tau^i G1 for i < n - 1 in chunks of 2^14,
but sizes every chunk as min(n - 1, 2^14) instead of what is left (zkey_new.js,
hashHPoints). For a domain of 2^15 or more it therefore hashes n points, the last one
"tau^(2n-1) G1 - tau^(n-1) G1", where tau^(2n-1) G1 is read past the end of section 2: the
64 bytes that follow it in the file (in snarkjs's layout, section 3's header and the start
of the G2 generator). Those bytes are not reduced field elements, and wasmcurves' field
addition and subtraction are only congruent mod q for reduced inputs, so the value depends
on its exact arithmetic. This module emulates the few operations of its affine addition
(build_curve_jacobian_a0.js addAffine, build_f1m.js add/sub/mul, 256-bit words) on those
inputs. Every verifier of snarkjs keys must hash the same bytes, so we do too.
"""

from __future__ import annotations

from zkmargin.verifier.curve import FIELD_MODULUS as Q

_W = 1 << 256
_MONT_INV = pow(_W, -1, Q)
_Q_NEG_INV = (-pow(Q, -1, _W)) % _W
CHUNK = 1 << 14


def _add(a: int, b: int) -> int:
    r = a + b
    if r >= _W:
        return (r - _W - Q) % _W
    return r - Q if r >= Q else r


def _sub(a: int, b: int) -> int:
    r = a - b
    return (r + _W + Q) % _W if r < 0 else r


def _mul(a: int, b: int) -> int:
    """Montgomery product as wasmcurves computes it: t = (ab + mq) / 2^256, then t - q once if t >= q."""
    m = (a * b * _Q_NEG_INV) % _W
    t = (a * b + m * Q) >> 256
    return t - Q if t >= Q else t


def extra_point(raw: bytes, minus: tuple[int, int]) -> tuple[int, int] | None:
    """What snarkjs hashes for ``raw`` (64 bytes, Montgomery little-endian) minus the point
    ``minus`` (affine, plain integers): the affine result in plain integers, None for zero."""
    x1, y1 = int.from_bytes(raw[:32], "little"), int.from_bytes(raw[32:64], "little")
    x2 = minus[0] * _W % Q
    y2 = _sub(0, minus[1] * _W % Q)  # negAffine
    if x1 == 0 and y1 == 0:  # isZeroAffine(p1): the result is -minus
        return minus[0], (Q - minus[1]) % Q
    if x1 == x2 and y1 == y2:
        raise ValueError("snarkjs would double here; not a case a real .ptau produces")
    h = _sub(x2, x1)
    dy = _sub(y2, y1)
    i = _add(_mul(h, h), _mul(h, h))
    i = _add(i, i)
    j = _mul(h, i)
    r = _add(dy, dy)
    v = _mul(x1, i)
    x3 = _sub(_sub(_mul(r, r), j), _add(v, v))
    y1j2 = _mul(y1, j)
    y1j2 = _add(y1j2, y1j2)
    y3 = _sub(_mul(_sub(v, x3), r), y1j2)
    z3 = _add(h, h)
    # From here on snarkjs only multiplies and inverts, which are congruent mod q.
    x, y, z = (c * _MONT_INV % Q for c in (x3, y3, z3))
    if z == 0:
        return None
    z_inv = pow(z, -1, Q)
    return x * z_inv * z_inv % Q, y * pow(z_inv, 3, Q) % Q


def hashes_extra_point(domain_size: int) -> bool:
    """Whether snarkjs's chunking hashes one point more than the n - 1 it announces."""
    chunks = -(-(domain_size - 1) // CHUNK)
    return chunks * min(domain_size - 1, CHUNK) == domain_size
