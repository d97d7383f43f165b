"""snarkjs's Groth16 JSON files (proof.json, public.json, verification_key.json) as dataclasses.

Parsing is strict: every number must be a canonical decimal string (or JSON integer) in
its field, every point must be a valid group element, and each failure says which file
and which field is wrong. Writing produces byte-for-byte the layout snarkjs writes, so
either tool reads the other's files.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Any, Sequence

from .curve import CURVE_ORDER, G1Point, G2Point, InvalidPoint, g1_affine, g1_from_affine, g2_affine, g2_from_affine
from .files import FormatError, read_int

_GROTH16 = {"protocol": "groth16", "curve": "bn128"}
MAX_PUBLIC = 1024  # public inputs of a circuit; ours has 4. Bounds the work a key or public.json can ask for


def _integer(value: Any, where: str) -> int:
    """A coordinate or flag: digits counted before int() (read_int); the curve checks < q."""
    return read_int(value, where, lo=0, hi=1 << 256)


def _list(value: Any, length: int, where: str) -> list:
    if not isinstance(value, list) or len(value) != length:
        raise FormatError(f"{where}: expected a list of {length} entries")
    return value


def parse_g1(value: Any, where: str) -> G1Point:
    x, y, z = _list(value, 3, where)
    if _integer(z, where + "[2]") != 1:
        raise FormatError(f"{where}: expected affine coordinates [x, y, \"1\"]")
    try:
        return g1_from_affine(_integer(x, where + "[0]"), _integer(y, where + "[1]"), where)
    except InvalidPoint as exc:
        raise FormatError(str(exc)) from None


def parse_g2(value: Any, where: str) -> G2Point:
    x, y, z = (_list(part, 2, f"{where}[{i}]") for i, part in enumerate(_list(value, 3, where)))
    if (_integer(z[0], where), _integer(z[1], where)) != (1, 0):
        raise FormatError(f"{where}: expected affine coordinates with z = [\"1\", \"0\"]")
    (x0, x1), (y0, y1) = ([_integer(v, where) for v in pair] for pair in (x, y))
    try:
        return g2_from_affine((x0, x1), (y0, y1), where)
    except InvalidPoint as exc:
        raise FormatError(str(exc)) from None


def g1_to_json(point: G1Point) -> list[str]:
    affine = g1_affine(point)
    if affine is None:
        return ["0", "1", "0"]
    return [str(affine[0]), str(affine[1]), "1"]


def g2_to_json(point: G2Point) -> list[list[str]]:
    affine = g2_affine(point)
    if affine is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    (x0, x1), (y0, y1) = affine
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


def _object(value: Any, where: str, keys: Sequence[str]) -> dict:
    if not isinstance(value, dict):
        raise FormatError(f"{where}: expected a JSON object")
    missing = [k for k in keys if k not in value]
    if missing:
        raise FormatError(f"{where}: missing field {missing[0]!r}")
    return value


def _check_groth16_bn128(obj: dict, where: str) -> None:
    if obj.get("protocol") != "groth16":
        raise FormatError(f"{where}: protocol is {reprlib.repr(obj.get('protocol'))}, expected 'groth16'")
    if obj.get("curve", "bn128") not in ("bn128", "bn254"):
        raise FormatError(f"{where}: curve is {reprlib.repr(obj.get('curve'))}, expected 'bn128'")


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof (A in G1, B in G2, C in G1)."""

    a: G1Point
    b: G2Point
    c: G1Point

    @classmethod
    def from_json(cls, obj: Any, where: str = "proof.json") -> "Proof":
        obj = _object(obj, where, ("pi_a", "pi_b", "pi_c", "protocol"))
        _check_groth16_bn128(obj, where)
        return cls(
            a=parse_g1(obj["pi_a"], f"{where}: pi_a"),
            b=parse_g2(obj["pi_b"], f"{where}: pi_b"),
            c=parse_g1(obj["pi_c"], f"{where}: pi_c"),
        )

    def to_json(self) -> dict:
        return {"pi_a": g1_to_json(self.a), "pi_b": g2_to_json(self.b), "pi_c": g1_to_json(self.c), **_GROTH16}


def parse_public_signals(obj: Any, where: str = "public.json") -> tuple[int, ...]:
    if not isinstance(obj, list) or len(obj) > MAX_PUBLIC:
        raise FormatError(f"{where}: expected a JSON list of at most {MAX_PUBLIC} decimal strings")
    values = tuple(_integer(v, f"{where}[{i}]") for i, v in enumerate(obj))
    for i, v in enumerate(values):
        if v >= CURVE_ORDER:
            raise FormatError(f"{where}[{i}]: public input is not below the field modulus r")
    return values


def public_signals_to_json(values: Sequence[int]) -> list[str]:
    return [str(v) for v in values]


@dataclass(frozen=True)
class VerifyingKey:
    """The verifier's half of a Groth16 key: e(A, B) = e(alpha, beta) e(IC(x), gamma) e(C, delta)."""

    alpha_1: G1Point
    beta_2: G2Point
    gamma_2: G2Point
    delta_2: G2Point
    ic: tuple[G1Point, ...]

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1

    @classmethod
    def from_json(cls, obj: Any, where: str = "verification_key.json") -> "VerifyingKey":
        keys = ("protocol", "nPublic", "vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC")
        obj = _object(obj, where, keys)
        _check_groth16_bn128(obj, where)
        n_public = read_int(obj["nPublic"], f"{where}: nPublic", lo=0, hi=MAX_PUBLIC + 1)
        ic = obj["IC"]
        if not isinstance(ic, list) or len(ic) != n_public + 1:
            raise FormatError(f"{where}: IC must list nPublic + 1 = {n_public + 1} points")
        # vk_alphabeta_12, a cache of e(alpha, beta) that snarkjs writes, is never read
        # (by snarkjs either): the pairing is recomputed from alpha and beta.
        return cls(
            alpha_1=parse_g1(obj["vk_alpha_1"], f"{where}: vk_alpha_1"),
            beta_2=parse_g2(obj["vk_beta_2"], f"{where}: vk_beta_2"),
            gamma_2=parse_g2(obj["vk_gamma_2"], f"{where}: vk_gamma_2"),
            delta_2=parse_g2(obj["vk_delta_2"], f"{where}: vk_delta_2"),
            ic=tuple(parse_g1(p, f"{where}: IC[{i}]") for i, p in enumerate(ic)),
        )

    def to_json(self) -> dict:
        return {
            **_GROTH16,
            "nPublic": self.n_public,
            "vk_alpha_1": g1_to_json(self.alpha_1),
            "vk_beta_2": g2_to_json(self.beta_2),
            "vk_gamma_2": g2_to_json(self.gamma_2),
            "vk_delta_2": g2_to_json(self.delta_2),
            "IC": [g1_to_json(p) for p in self.ic],
        }

