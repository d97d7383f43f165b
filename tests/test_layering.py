"""The verifier is the trust base: it must not import circuits, prover or cli."""

import ast
from pathlib import Path

VERIFIER = Path(__file__).resolve().parent.parent / "verifier"
ALLOWED_THIRD_PARTY = {"py_ecc"}


def imported_modules(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, 0
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level


def test_verifier_imports_only_itself_stdlib_and_py_ecc():
    import sys

    offenders = []
    for path in sorted(VERIFIER.glob("*.py")):
        for module, level in imported_modules(path):
            top = module.split(".")[0]
            if level > 1:
                offenders.append(f"{path.name}: relative import beyond verifier ({'.' * level}{module})")
            elif level == 1:
                continue
            elif module.startswith("zkmargin") and not module.startswith("zkmargin.verifier"):
                offenders.append(f"{path.name}: {module}")
            elif top not in sys.stdlib_module_names and top not in ALLOWED_THIRD_PARTY and top != "zkmargin" and top != "__future__":
                offenders.append(f"{path.name}: third-party {module}")
    assert not offenders, offenders


def test_layering_detector_catches_a_bad_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from zkmargin.prover import prove\nfrom ..circuits import x\n")
    found = list(imported_modules(bad))
    assert ("zkmargin.prover", 0) in found and ("circuits", 2) in found


def test_verifier_is_small_enough_to_read_in_one_sitting():
    lines = sum(len(p.read_text().splitlines()) for p in VERIFIER.glob("*.py"))
    assert lines < 1000, f"verifier has grown to {lines} lines"
