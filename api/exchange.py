"""Exchange mode as library calls: keys for signing epoch manifests, the book and its sample.

    from zkmargin import api
    pair = api.new_exchange_keys(Path("exchange-keys"))        # private key mode 0600
    signed = api.sign_manifest(manifest, pair.private_key)     # {"manifest": ..., "ed25519_signature": ...}
    api.sample_book(Path("book.jsonl"), accounts=2000, seed=1) # a SYNTHETIC book
    for entry in api.read_book(Path("book.jsonl")): ...        # streamed, strictly validated

Proving and checking an epoch: api/epoch.py, api/epoch_check.py (README, "Exchange mode").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkmargin.circuits.exchange.book import Book, BookHeader
from zkmargin.circuits.exchange.sample import write_sample_book
from zkmargin.circuits.files import atomic_write
from zkmargin.circuits.margin.inputs import Market, load_market, sample_path
from zkmargin.verifier.exchange.manifest import Manifest
from zkmargin.verifier.files import FormatError

PRIVATE_KEY_FILE = "exchange_ed25519.key"
PUBLIC_KEY_FILE = "exchange_ed25519.pub"


@dataclass(frozen=True)
class ExchangeKeys:
    private_key: Path
    public_key: Path
    fingerprint: str  # SHA-256 of the raw 32-byte public key: what users pin and compare out of band


def public_key_fingerprint(public_pem: bytes) -> str:
    key = serialization.load_pem_public_key(public_pem)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def new_exchange_keys(folder: Path, overwrite: bool = False) -> ExchangeKeys:
    """A fresh Ed25519 pair: the private key in PKCS#8 PEM, mode 0600 from its first byte; the public key in PEM.

    Refuses to replace an existing key unless ``overwrite``: losing a signing key users have pinned
    forces every user to re-pin, so it must never happen by a repeated command."""
    private_path, public_path = folder / PRIVATE_KEY_FILE, folder / PUBLIC_KEY_FILE
    if not overwrite and (private_path.exists() or public_path.exists()):
        raise FormatError(f"{folder}: an exchange key already exists there (refusing to overwrite it)")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    atomic_write(private_path, private_pem, private=True)
    atomic_write(public_path, public_pem)
    return ExchangeKeys(private_path, public_path, public_key_fingerprint(public_pem))


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise FormatError(f"{path}: not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise FormatError(f"{path}: not an Ed25519 private key")
    return key


def sign_manifest(manifest: Manifest, private_key: Path) -> dict:
    """The signed manifest.json object: the manifest and an Ed25519 signature over its canonical bytes."""
    signature = load_signing_key(private_key).sign(manifest.signing_bytes())
    return {"manifest": manifest.to_json(), "ed25519_signature": signature.hex()}


def book_market(market: Path | None = None) -> Market:
    return load_market(market or sample_path("market.json"))


def sample_book(
    out: Path, accounts: int, seed: int = 0, market: Path | None = None, progress: Callable[[int], None] | None = None
) -> BookHeader:
    """Write a synthetic book of ``accounts`` accounts for the market (default: the bundled sample)."""
    return write_sample_book(out, book_market(market), accounts, seed, progress)


def read_book(path: Path, market: Path | None = None) -> Book:
    """Open a book for streaming; iterating yields each account validated as a portfolio."""
    return Book(path, book_market(market))
