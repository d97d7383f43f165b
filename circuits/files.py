"""Writing files all-or-nothing: every writer above the verifier (keys, proofs, bundles, iden3 files) uses it."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, data: bytes, *, private: bool = False) -> None:
    """Write to a temporary file beside the target and rename it into place.

    A reader never sees a half-written proof or key, even if the writer is killed. The
    temporary file is created owner-only; a public file (a bundle, a key, a contract) then
    gets the permissions the user's umask gives a new file, a private one (a commitment
    opening, a signing key) stays owner-only.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600 if private else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_json(path: str | os.PathLike, obj: Any, *, private: bool = False) -> None:
    atomic_write(path, (json.dumps(obj, indent=1) + "\n").encode("utf-8"), private=private)
