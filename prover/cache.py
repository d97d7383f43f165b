"""Where zkmargin keeps what it computes once and reuses: compiled kernels, witness programs,
key checks. All of it is safe to delete; it is rebuilt on the next use."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "ZKMARGIN_CACHE"


def cache_folder(folder: Path | None = None) -> Path:
    """``folder``, else $ZKMARGIN_CACHE, else ~/.cache/zkmargin."""
    if folder is not None:
        return folder
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "zkmargin")
