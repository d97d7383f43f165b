"""The deterministic randomness of snarkjs's phase-2 ceremony, reproduced bit for bit.

A contribution's proof of knowledge pairs its G1 points with a G2 point derived from the
transcript hash (``hashToG2``), and a beacon's key is derived from the beacon value: both
must come out exactly as snarkjs (ffjavascript 0.3) derives them, or snarkjs rejects our
contributions and we reject its. Written from reading ffjavascript's chacha.js,
wasm_field1.js ``fromRng`` and wasm_curve.js ``fromRng`` and snarkjs's keypair.js and
misc.js ``rngFromBeaconParams``; the interop tests compare the results with snarkjs.

Two quirks matter. A field element "from the rng" is four 64-bit draws masked to the
field's bit length and rejected while >= p, then taken *as a Montgomery representation*:
its value is v * 2^-256 mod p. And a random curve point is the first x whose x^3 + b is a
square, the root's sign chosen by one more draw, then (G2) multiplied by the cofactor.
"""

from __future__ import annotations

import hashlib
import struct

from py_ecc import optimized_bn128 as bn

from zkmargin.verifier.curve import CURVE_ORDER as R
from zkmargin.verifier.curve import FIELD_MODULUS as Q

_MASK32 = 0xFFFFFFFF
_CONSTANTS = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)
#: BN254's G2 cofactor, as ffjavascript's bn128.js gives it.
G2_COFACTOR = 0x30644E72E131A029B85045B68181585E06CEECDA572A2489345F2299C0F9FA8D
_R_INV_Q = pow(1 << 256, -1, Q)
_R_INV_R = pow(1 << 256, -1, R)


def _rotl(v: int, c: int) -> int:
    return ((v << c) | (v >> (32 - c))) & _MASK32


def _quarter(st: list[int], a: int, b: int, c: int, d: int) -> None:
    st[a] = (st[a] + st[b]) & _MASK32
    st[d] = _rotl(st[d] ^ st[a], 16)
    st[c] = (st[c] + st[d]) & _MASK32
    st[b] = _rotl(st[b] ^ st[c], 12)
    st[a] = (st[a] + st[b]) & _MASK32
    st[d] = _rotl(st[d] ^ st[a], 8)
    st[c] = (st[c] + st[d]) & _MASK32
    st[b] = _rotl(st[b] ^ st[c], 7)


class ChaCha:
    """ChaCha20's block function as a stream of 32-bit words, seeded by eight words (the key),
    nonce zero and a 128-bit counter starting at zero: ffjavascript's ``ChaCha``."""

    def __init__(self, seed: list[int]):
        if len(seed) != 8:
            raise ValueError("ChaCha seed is eight 32-bit words")
        self.state = [*_CONSTANTS, *(w & _MASK32 for w in seed), 0, 0, 0, 0]
        self.buffer: list[int] = []
        self.index = 16

    @classmethod
    def from_hash(cls, digest: bytes) -> "ChaCha":
        """Seeded by the first 32 bytes of a hash read as eight big-endian words."""
        return cls(list(struct.unpack(">8I", digest[:32])))

    def _update(self) -> None:
        st = list(self.state)
        for _ in range(10):
            _quarter(st, 0, 4, 8, 12)
            _quarter(st, 1, 5, 9, 13)
            _quarter(st, 2, 6, 10, 14)
            _quarter(st, 3, 7, 11, 15)
            _quarter(st, 0, 5, 10, 15)
            _quarter(st, 1, 6, 11, 12)
            _quarter(st, 2, 7, 8, 13)
            _quarter(st, 3, 4, 9, 14)
        self.buffer = [(x + s) & _MASK32 for x, s in zip(st, self.state)]
        self.index = 0
        for k in range(12, 16):  # the counter, carried across four words
            self.state[k] = (self.state[k] + 1) & _MASK32
            if self.state[k]:
                break

    def next_u32(self) -> int:
        if self.index == 16:
            self._update()
        word = self.buffer[self.index]
        self.index += 1
        return word

    def next_u64(self) -> int:
        high = self.next_u32()
        return (high << 32) | self.next_u32()

    def next_bool(self) -> bool:
        return bool(self.next_u32() & 1)


def _raw_from_rng(rng: ChaCha, p: int) -> int:
    mask = (1 << p.bit_length()) - 1
    while True:
        v = sum(rng.next_u64() << (64 * i) for i in range(4)) & mask
        if v < p:
            return v


def fr_from_rng(rng: ChaCha) -> int:
    """A scalar as ``curve.Fr.fromRng`` draws it (the drawn bytes are its Montgomery form)."""
    return _raw_from_rng(rng, R) * _R_INV_R % R


def fq_from_rng(rng: ChaCha) -> int:
    return _raw_from_rng(rng, Q) * _R_INV_Q % Q


def _is_negative(v: int) -> bool:
    return v > (Q - 1) // 2


def _fq_sqrt(a: int) -> int | None:
    root = pow(a, (Q + 1) // 4, Q)  # q = 3 mod 4
    return root if root * root % Q == a % Q else None


def _fq2_sqrt(a: bn.FQ2) -> bn.FQ2 | None:
    """A square root in Fq2 = Fq[i]/(i^2 + 1), via the norm (Fq2 has q = 3 mod 4)."""
    a0, a1 = (int(c) for c in a.coeffs)
    if a1 == 0:
        root = _fq_sqrt(a0)
        if root is not None:
            return bn.FQ2([root, 0])
        root = _fq_sqrt(-a0 % Q)
        return None if root is None else bn.FQ2([0, root])
    norm_root = _fq_sqrt((a0 * a0 + a1 * a1) % Q)
    if norm_root is None:
        return None
    half = pow(2, -1, Q)
    for candidate in ((a0 + norm_root) * half % Q, (a0 - norm_root) * half % Q):
        x0 = _fq_sqrt(candidate)
        if x0:
            x1 = a1 * pow(2 * x0, -1, Q) % Q
            root = bn.FQ2([x0, x1])
            if root * root == a:
                return root
    return None


def g1_from_rng(rng: ChaCha) -> tuple:
    """``curve.G1.fromRng``: a py_ecc point."""
    while True:
        x = fq_from_rng(rng)
        greatest = rng.next_bool()
        y = _fq_sqrt((x * x * x + 3) % Q)
        if y is not None:
            break
    if _is_negative(y) != greatest:
        y = (Q - y) % Q
    return (bn.FQ(x), bn.FQ(y), bn.FQ.one())


def g2_from_rng(rng: ChaCha) -> tuple:
    """``curve.G2.fromRng``: x from two draws (c0 then c1), then the cofactor clears the
    point into the order-r subgroup."""
    while True:
        x = bn.FQ2([fq_from_rng(rng), fq_from_rng(rng)])
        greatest = rng.next_bool()
        y = _fq2_sqrt(x * x * x + bn.b2)
        if y is not None:
            break
    y0, y1 = (int(c) for c in y.coeffs)
    negative = _is_negative(y1) if y1 else _is_negative(y0)
    if negative != greatest:
        y = -y
    return bn.multiply((x, y, bn.FQ2.one()), G2_COFACTOR)


def hash_to_g2(transcript: bytes) -> tuple:
    """snarkjs's ``hashToG2``: the G2 point a contribution's proof of knowledge is bound to."""
    return g2_from_rng(ChaCha.from_hash(transcript))


def beacon_rng(beacon_hash: bytes, iterations_exp: int) -> ChaCha:
    """SHA-256 applied 2^iterations_exp times to the beacon value, the result seeding ChaCha.

    The iteration is the beacon's delay: nobody can learn the key in time to bias it."""
    current = bytes(beacon_hash)
    for _ in range(1 << iterations_exp):
        current = hashlib.sha256(current).digest()
    return ChaCha.from_hash(current)


def entropy_rng(entropy: bytes) -> ChaCha:
    """A contributor's generator: BLAKE2b-512 of 64 fresh OS random bytes and the given
    entropy (as snarkjs's ``getRandomRng``), so weak typed entropy is never all there is."""
    import os

    return ChaCha.from_hash(hashlib.blake2b(os.urandom(64) + entropy, digest_size=64).digest())
