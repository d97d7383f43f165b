"""The snarkjs oracle under tests/interop/node_modules, and the rule every interop module follows:
skipped with a reason where it is not installed, a failure under CI, where it must run."""

import os
import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SNARKJS = HERE / "node_modules" / "snarkjs" / "cli.js"


def require_snarkjs() -> None:
    """Call at module level, before any test of the module runs."""
    if not (shutil.which("node") and SNARKJS.is_file()):
        reason = "snarkjs oracle not installed (run: npm ci --prefix tests/interop)"
        if os.environ.get("CI"):
            raise RuntimeError(f"interop tests must run under CI: {reason}")
        pytest.skip(reason, allow_module_level=True)
