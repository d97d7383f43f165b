"""Write G2's kernels from G1's: ``python -m zkmargin.prover.native.generate``.

numba compiles and caches a function for the argument types it meets, but the field
operations a group law calls are fixed by name, so code generic over Fq and Fq2 would have to
take them as arguments, which numba cannot cache. As gnark-crypto does with its templates,
G2's code is therefore G1's code with the names of Fq things replaced by their Fq2 twins
(field.py and fq2.py export matching names). A test checks the committed files equal what
this writes, so an edit to a G1 template without regenerating fails the suite.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: G1 template -> the G2 file generated from it.
TEMPLATES = {
    "g1.py": "g2.py",
    "batch_affine_g1.py": "batch_affine_g2.py",
    "pippenger_g1.py": "pippenger_g2.py",
    "fixed_base_g1.py": "fixed_base_g2.py",
}

# Whole-name renames; "g1" and "G1" also inside names (g1_add, batch_affine_g1, G1_INFINITY).
_RENAMES = [
    (r"(?<![A-Za-z0-9])g1(?![0-9])", "g2"),
    (r"(?<![A-Za-z0-9])G1(?![0-9])", "G2"),
    (r"(?<![A-Za-z0-9_])fq_", "fq2_"),
    (r"(?<![A-Za-z0-9_])Q_ONE\b", "FQ2_ONE"),
    (r"(?<![A-Za-z0-9_])ZERO\b", "FQ2_ZERO"),
    (r"\bFq\b", "Fq2"),
    (r"from \.field import", "from .fq2 import"),
]


#: The line a template's docstring ends with, dropped from what is generated.
TEMPLATE_NOTE = "\n\nThis file is a template for G2's: see generate.py.\n"


def header(template: str) -> str:
    return f"# Generated from {template} by python -m zkmargin.prover.native.generate: edit that file instead.\n"


def g2_source(template: str) -> str:
    """The G2 file's text, from the G1 template's."""
    text = (HERE / template).read_text()
    if TEMPLATE_NOTE not in text:
        raise ValueError(f"{template} does not say it is a template")
    text = text.replace(TEMPLATE_NOTE, "\n", 1)
    for pattern, replacement in _RENAMES:
        text = re.sub(pattern, replacement, text)
    return header(template) + text


def main() -> None:
    for template, target in TEMPLATES.items():
        text = g2_source(template)
        path = HERE / target
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(HERE.parent.parent)}", file=sys.stderr)


if __name__ == "__main__":
    main()
