"""Conventions that check themselves: ruff (pyflakes, line length 120) and the layer contract
(import-linter: verifier < circuits < prover < api < cli), both configured in pyproject.toml."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (the test extra installs it)")
        pytest.skip(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_ruff_is_clean():
    done = subprocess.run(
        [tool("ruff"), "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_layers_import_only_downward():
    done = subprocess.run([tool("lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
