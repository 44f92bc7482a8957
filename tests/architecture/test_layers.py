"""The layering rules that keep the core headless, checked on every run.

import-linter enforces "the core never imports Qt or the UI" (contract in pyproject.toml);
the AST scan below enforces the single-owner rules the brief sets: only ui/ imports
PySide6, only llm/engine.py imports llama_cpp, only nlp/morph.py imports sudachipy.
"""
from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "gennai_desktop"

OWNERS = {
    "PySide6": lambda rel: rel.startswith("ui/"),
    "llama_cpp": lambda rel: rel == "llm/engine.py",
    "sudachipy": lambda rel: rel == "nlp/morph.py",
    "sqlcipher3": lambda rel: rel == "storage/store.py",    # one place opens the encrypted store
    "keyring": lambda rel: rel == "storage/keys.py",        # one place touches the OS keyring
    "onnxruntime": lambda rel: rel == "ocr/engine.py",
    "faster_whisper": lambda rel: rel == "asr/engine.py",   # Whisper runs only in the ASR child
    "ctranslate2": lambda rel: rel == "asr/engine.py",
    "av": lambda rel: rel == "asr/decode.py",               # FFmpeg decodes only in the ASR child
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("lib", sorted(OWNERS))
def test_single_owner_imports(lib):
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).as_posix()
        if lib in _imports(path) and not OWNERS[lib](rel):
            offenders.append(rel)
    assert offenders == [], f"{lib} imported outside its owner module: {offenders}"


def test_import_linter_contracts():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    assert Path(exe).exists(), "import-linter (a pinned test dependency) is not installed"
    root = PKG.parent
    res = subprocess.run([exe, "--config", str(root / "pyproject.toml")], cwd=root,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr


def test_core_imports_without_qt():
    """Importing the headless layers must not pull PySide6 into the process."""
    code = ("import sys; import gennai_desktop.core.document, gennai_desktop.llm.base, "
            "gennai_desktop.tasks.results; sys.exit('PySide6' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=PKG.parent).returncode == 0


def _layers_contract() -> dict:
    import tomllib
    config = tomllib.loads((PKG.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["type"] == "layers")


def test_every_package_has_a_layer_and_no_exceptions_are_left():
    """A new top-level package (ocr/ once was missing) cannot dodge the layers, and the
    layers hold without ignore_imports: llm/ never reaches packs/, no entry point lives
    inside a lower layer."""
    contract = _layers_contract()
    assert not contract.get("ignore_imports"), contract.get("ignore_imports")
    named = {m.strip() for layer in contract["layers"] for m in layer.replace(":", "|").split("|")}
    tops = {f"gennai_desktop.{p.name}" for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    tops |= {f"gennai_desktop.{p.stem}" for p in PKG.glob("*.py") if p.stem != "__init__"}
    assert tops - named == set(), f"not in the layers contract: {sorted(tops - named)}"


def test_model_choice_lives_in_one_module():
    """Only app/models.py builds the model registry and opens engines for the CLI and the UI."""
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel not in ("app/models.py", "llm/registry.py", "packs/models.py") and "ModelRegistry(" in text:
            offenders.append(rel)
        if rel.startswith(("cli/", "ui/")) and MODEL_INTERNALS.search(text):
            offenders.append(rel)
    assert offenders == [], offenders


# the llm manager or registry imported by name, in every spelling (``from ..llm import manager``
# was missed by the first pattern, and ui/app.py called the manager that way)
MODEL_INTERNALS = re.compile(r"manager\.get_engine|llm\.(manager|registry) import"
                             r"|from \.*(gennai_desktop)?\.?llm import [^\n]*\b(manager|registry)\b")


def test_the_model_internals_pattern_sees_every_spelling():
    for line in ("from ..llm import manager", "from ...llm import base, manager",
                 "from gennai_desktop.llm import registry", "from ..llm.manager import get_engine",
                 "from ..llm.registry import ModelRegistry"):
        assert MODEL_INTERNALS.search(line), line
    assert not MODEL_INTERNALS.search("from ..llm.base import ModelSpec")


def test_own_modules_are_imported_at_module_level_unless_a_reason_is_given():
    """Imports inside functions hide the structure (and once hid llm/ reaching into packs/).
    Where one must stay (a sandboxed child importing native code only after its limits, a
    module whose import opens a socket), the line says why with ``# lazy: …``."""
    hidden = []
    for path in PKG.rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        lines = src.splitlines()
        for fn in ast.walk(ast.parse(src)):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                own = (isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").startswith("gennai_desktop"))
                       or isinstance(node, ast.Import) and any(a.name.startswith("gennai_desktop") for a in node.names))
                if own and not re.search(r"#\s*lazy:\s*\S", lines[node.lineno - 1]):
                    hidden.append(f"{path.relative_to(PKG)}:{node.lineno}")
    assert sorted(set(hidden)) == [], hidden


def test_every_package_is_in_a_layer_and_no_import_goes_up():
    """The picture docs/architecture.md shows (``layer_imports.py``) from the same graph:
    a new top-level package that no layer names would escape the contract unseen."""
    from tests.architecture.layer_imports import layer_edges, layers
    rank = {pkg: i for i, siblings in enumerate(layers()) for pkg in siblings}
    edges = layer_edges()
    packages = {p for edge in edges for p in edge}
    assert packages and packages <= set(rank), sorted(packages - set(rank))
    assert [(a, b) for a, b in edges if rank[a] >= rank[b]] == []
