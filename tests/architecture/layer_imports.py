"""The package's import picture, one line per layer: which layers each one imports, and how
many module-to-module imports that takes. Run from the repository root:

    .venv/bin/python tests/architecture/layer_imports.py            # this tree
    .venv/bin/python tests/architecture/layer_imports.py --edges app storage   # who imports what

It reads the graph that ``lint-imports`` checks (grimp, import-linter's own graph builder),
so the picture and the contract in pyproject.toml are about the same imports.
"""
from __future__ import annotations

import sys
import tomllib
from collections import Counter
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def layers() -> list[list[str]]:
    """The contract's layers, top to bottom, each a list of sibling packages (short names)."""
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in conf["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return [[p.strip().removeprefix("gennai_desktop.") for p in layer.split("|")] for layer in contract["layers"]]


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "(root)"


def layer_edges() -> Counter[tuple[str, str]]:
    """(importer layer, imported layer) → number of module-level imports, inside the package."""
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph("gennai_desktop", include_external_packages=False)
    edges: Counter[tuple[str, str]] = Counter()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            a, b = _top(importer), _top(imported)
            if a != b and "(root)" not in (a, b):
                edges[a, b] += 1
    return edges


def picture() -> str:
    edges = layer_edges()
    lines = []
    for siblings in layers():
        for pkg in siblings:
            out = sorted(((b, n) for (a, b), n in edges.items() if a == pkg), key=lambda x: -x[1])
            lines.append(f"{pkg:<10} → " + (", ".join(f"{b} {n}" for b, n in out) or "—"))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def edges_between(importer: str, imported: str) -> list[str]:
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph("gennai_desktop", include_external_packages=False)
    return sorted(f"{a} → {b}" for a in graph.modules if _top(a) == importer
                  for b in graph.find_modules_directly_imported_by(a) if _top(b) == imported)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--edges"] and len(sys.argv) == 4:
        print("\n".join(edges_between(sys.argv[2], sys.argv[3])))
    else:
        print(picture(), end="")
