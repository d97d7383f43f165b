"""Layering: the verifier (the trust base) imports no other package of ours, no layer imports
a higher one, and no module of ours imports in a cycle."""

import ast
from pathlib import Path

VERIFIER = Path(__file__).resolve().parent.parent / "verifier"
ALLOWED_THIRD_PARTY = {"py_ecc"}
#: cryptography checks the epoch manifest's Ed25519 signature, and is allowed nowhere else in the verifier.
SIGNATURE_ONLY = {"exchange/manifest.py": {"cryptography"}}


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
    for path in sorted(VERIFIER.rglob("*.py")):
        name = path.relative_to(VERIFIER).as_posix()
        for module, level in imported_modules(path):
            top = module.split(".")[0]
            if level > name.count("/") + 1:
                offenders.append(f"{name}: relative import beyond verifier ({'.' * level}{module})")
            elif level:
                continue
            elif module.startswith("zkmargin") and not module.startswith("zkmargin.verifier"):
                offenders.append(f"{name}: {module}")
            elif top not in sys.stdlib_module_names | ALLOWED_THIRD_PARTY | SIGNATURE_ONLY.get(name, set()) | {
                "zkmargin",
                "__future__",
            }:
                offenders.append(f"{name}: third-party {module}")
    assert not offenders, offenders


def test_layering_detector_catches_a_bad_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from zkmargin.prover import prove\nfrom ..circuits import x\n")
    found = list(imported_modules(bad))
    assert ("zkmargin.prover", 0) in found and ("circuits", 2) in found


def test_verifier_is_small_enough_to_read_in_one_sitting():
    """Two budgets an auditor can plan around: the core every user needs (a bundle, its
    statement, Groth16, Poseidon), and exchange mode's epoch checks, which issue 14 puts in the
    trust base too (manifest, signature, chain of totals, paths, batch verification)."""
    core = sum(len(p.read_text().splitlines()) for p in VERIFIER.glob("*.py"))
    exchange = sum(len(p.read_text().splitlines()) for p in VERIFIER.glob("exchange/*.py"))
    assert core < 1100, f"the verifier's core has grown to {core} lines"
    assert exchange < 500, f"the verifier's exchange part has grown to {exchange} lines"


# ------------------------------------------------------------ import cycles
ROOT = VERIFIER.parent
PACKAGES = ("verifier", "circuits", "prover", "cli")  # lowest layer first


def module_files(root: Path) -> dict[str, Path]:
    """zkmargin module name -> file, for every module of the four packages under root."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(["zkmargin", *parts])] = path
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    """Each module's imports of our own modules, nested imports included. ``from a import b``
    counts as importing a.b when that is a module. Edges to a module's own packages are
    left out: importing a submodule always runs its packages' __init__ first, by design."""
    files = module_files(root)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                if target in files and target != name and not name.startswith(target + "."):
                    edges.add(target)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def test_no_module_of_ours_imports_in_a_cycle():
    assert find_cycle(import_graph(ROOT)) is None, " -> ".join(find_cycle(import_graph(ROOT)) or [])


def test_no_layer_imports_a_higher_one():
    rank = {package: k for k, package in enumerate(PACKAGES)}
    offenders = [
        f"{module} -> {target}"
        for module, targets in import_graph(ROOT).items()
        for target in targets
        if rank[target.split(".")[1]] > rank[module.split(".")[1]]
    ]
    assert not offenders, offenders


def test_cycle_detector_finds_a_cycle_through_a_nested_relative_import(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "prover" / "sub").mkdir()
    (tmp_path / "prover" / "sub" / "__init__.py").write_text("from .. import engine\n")
    (tmp_path / "prover" / "engine.py").write_text("def get():\n    from .impl import Impl\n")
    (tmp_path / "prover" / "impl.py").write_text("from zkmargin.prover.sub import x\n")
    cycle = ["zkmargin.prover.engine", "zkmargin.prover.impl", "zkmargin.prover.sub", "zkmargin.prover.engine"]
    assert find_cycle(import_graph(tmp_path)) == cycle
    (tmp_path / "prover" / "impl.py").write_text("x = 1\n")
    assert find_cycle(import_graph(tmp_path)) is None
