"""Writing files all-or-nothing: every writer above the verifier (keys, proofs, bundles, iden3 files) uses it."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_writer(path: str | os.PathLike, *, private: bool = False) -> Iterator[BinaryIO]:
    """A handle on a temporary file beside ``path``, renamed into place only when the ``with``
    block ends without an error (otherwise removed): a reader never sees a half-written proof,
    key or book, even if the writer is killed.

    The temporary file is created owner-only, so a secret is never readable under wider
    permissions; a public file (a bundle, a key, a contract) then gets the permissions the
    user's umask gives a new file, a private one (a commitment opening, a signing key) stays
    owner-only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.chmod(tmp, 0o600 if private else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write(path: str | os.PathLike, data: bytes, *, private: bool = False) -> None:
    with atomic_writer(path, private=private) as handle:
        handle.write(data)


def write_json(path: str | os.PathLike, obj: Any, *, private: bool = False) -> None:
    atomic_write(path, (json.dumps(obj, indent=1) + "\n").encode("utf-8"), private=private)
