"""Writing files all-or-nothing: every writer above the verifier (keys, proofs, bundles, iden3 files) uses it."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_write(path: str | os.PathLike, data: bytes, mode: int | None = None) -> None:
    """Write to a temporary file beside the target and rename it into place.

    A reader never sees a half-written proof or key, even if the writer is killed. ``mode``
    (e.g. 0o600 for a private key) is set before any byte is written, so no reader ever
    sees the secret under wider permissions.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_json(path: str | os.PathLike, obj: Any) -> None:
    atomic_write(path, (json.dumps(obj, indent=1) + "\n").encode("utf-8"))
