"""Groth16 on the EVM: a verifier contract per key, the margin gate, the epoch registry, and
snarkjs-style calldata.

The contracts are Solidity source, not bytecode: the user compiles them with the toolchain
their protocol already trusts. The verifier uses only the BN254 precompiles (ecAdd 0x06,
ecMul 0x07, ecPairing 0x08). The precompiles take a G2 coordinate c0 + c1*u as (c1, c0),
the reverse of snarkjs's JSON, so every G2 point is swapped on the way out, here and in the
calldata, exactly as snarkjs's own export does: a proof's calldata fits either verifier.
"""

from __future__ import annotations

from importlib import resources
from string import Template
from typing import Sequence

from zkmargin.verifier.curve import CURVE_ORDER, FIELD_MODULUS, G1Point, G2Point, g1_affine, g2_affine
from zkmargin.verifier.files import FormatError
from zkmargin.verifier.formats import Proof, VerifyingKey

#: Public inputs of the portfolio-margin statement, the only one the margin gate is for.
MARGIN_PUBLIC_INPUTS = 4
VERIFIER_FILE, GATE_FILE, REGISTRY_FILE = "Groth16Verifier.sol", "MarginGate.sol", "EpochRegistry.sol"


def _contract_text(name: str) -> str:
    return resources.files(__package__).joinpath("contracts", name).read_text(encoding="utf-8")


def g1_words(point: G1Point) -> tuple[int, int]:
    """(x, y); the point at infinity is (0, 0), as the precompiles encode it."""
    return g1_affine(point) or (0, 0)


def g2_words(point: G2Point) -> tuple[int, int, int, int]:
    """(x.c1, x.c0, y.c1, y.c0): the precompile's order; infinity is four zeros."""
    affine = g2_affine(point)
    if affine is None:
        return (0, 0, 0, 0)
    (x0, x1), (y0, y1) = affine
    return (x1, x0, y1, y0)


def proof_words(proof: Proof) -> tuple[int, ...]:
    """The 8 words of (a, b, c) in the order verifyProof takes them."""
    return (*g1_words(proof.a), *g2_words(proof.b), *g1_words(proof.c))


def verifier_contract(vk: VerifyingKey, fingerprint: str) -> str:
    """Solidity source of a verifier for this key alone: its points are compiled in as constants."""
    if vk.n_public == 0:  # Solidity has no uint256[0]; such a proof shows nothing a contract could use
        raise FormatError("the key has no public inputs: there is nothing for a contract to check")
    constants = [("ALPHA", g1_words(vk.alpha_1))]
    constants += [
        (name, g2_words(point)) for name, point in (("BETA", vk.beta_2), ("GAMMA", vk.gamma_2), ("DELTA", vk.delta_2))
    ]
    constants += [(f"IC{i}", g1_words(point)) for i, point in enumerate(vk.ic)]
    lines = []
    for name, words in constants:
        suffixes = ("_X", "_Y") if len(words) == 2 else ("_X1", "_X0", "_Y1", "_Y0")
        lines += [f"    uint256 internal constant {name}{suffix} = {word};" for suffix, word in zip(suffixes, words)]
    terms = [f"        ok = ok && _addMul(acc, IC{i + 1}_X, IC{i + 1}_Y, input[{i}]);" for i in range(vk.n_public)]
    return Template(_contract_text(VERIFIER_FILE + ".tmpl")).substitute(
        fingerprint=fingerprint,
        n_public=vk.n_public,
        r=CURVE_ORDER,
        q=FIELD_MODULUS,
        key_constants="\n".join(lines),
        ic_terms="\n".join(terms),
    )


def margin_gate_contract() -> str:
    """Solidity source of the lending protocol's policy contract (the same for every key)."""
    return _contract_text(GATE_FILE)


def epoch_registry_contract() -> str:
    """Solidity source of an exchange's epoch registry (the same for every exchange)."""
    return _contract_text(REGISTRY_FILE)


def _hex(word: int) -> str:
    return f'"0x{word:064x}"'


def solidity_calldata(proof: Proof, public: Sequence[int]) -> str:
    """verifyProof's arguments as text, character for character `snarkjs zkey export soliditycalldata`."""
    a0, a1, b0, b1, b2, b3, c0, c1 = (_hex(w) for w in proof_words(proof))
    inputs = ",".join(_hex(v) for v in public)
    return f"[{a0}, {a1}],[[{b0}, {b1}],[{b2}, {b3}]],[{c0}, {c1}],[{inputs}]"
