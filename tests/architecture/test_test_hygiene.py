"""The test suite itself, checked on every run (an AST scan of tests/):

- nothing is skipped because the suite runs as root (no ``skipif`` on ``os.geteuid``) —
  a test that needs a non-root user must make its point another way, not vanish in CI;
- no ``pytest.importorskip`` of the app's own package: a broken ``gennai_desktop`` import
  is a failure, never a skip;
- every skip says why (``pytest.skip(reason)``, ``skip``/``skipif`` with ``reason=``).
"""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _name(node: ast.AST) -> str:
    """Dotted name of a call target: ``pytest.mark.skipif``, ``os.geteuid``, ``skip``."""
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        return _name(node.func)
    return ""


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield _name(node.func), node


def _mentions_geteuid(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Attribute, ast.Name)) and _name(n).endswith("geteuid")
               for n in ast.walk(node))


def _string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def problems(source: str, where: str = "<test>") -> list[str]:
    out: list[str] = []
    for name, call in _calls(ast.parse(source)):
        at = f"{where}:{call.lineno}"
        tail = name.rsplit(".", 1)[-1]
        if tail == "importorskip":
            mod = _string(call.args[0]) if call.args else None
            if mod is None or mod == "gennai_desktop" or mod.startswith("gennai_desktop."):
                out.append(f"{at}: importorskip of the app's own package ({mod!r})")
        elif tail == "skipif" and "mark" in name:
            if any(_mentions_geteuid(a) for a in call.args):
                out.append(f"{at}: skipif on os.geteuid (tests must run as root too)")
            if not any(k.arg == "reason" for k in call.keywords):
                out.append(f"{at}: skipif without reason=")
        elif tail == "skip" and "mark" in name:
            if not call.args and not any(k.arg == "reason" for k in call.keywords):
                out.append(f"{at}: mark.skip without a reason")
        elif name in ("pytest.skip", "skip"):
            if not call.args and not any(k.arg in ("reason", "msg") for k in call.keywords):
                out.append(f"{at}: pytest.skip() without a reason")
    # a plain ``if os.geteuid() == 0: pytest.skip(...)`` is the same thing spelt differently
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.If) and _mentions_geteuid(node.test) and any(
                _name(c.func).rsplit(".", 1)[-1] == "skip" for n in node.body for c in ast.walk(n)
                if isinstance(c, ast.Call)):
            out.append(f"{where}:{node.lineno}: skip on os.geteuid (tests must run as root too)")
    return out


def test_no_test_skips_as_root_or_on_a_missing_app_module_and_every_skip_says_why():
    found: list[str] = []
    for path in sorted(TESTS.rglob("*.py")):
        found += problems(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS.parent)))
    assert found == []


def test_the_scan_catches_each_pattern():
    bad = '''
import os, pytest
pytest.importorskip("gennai_desktop.ocr.engine")
@pytest.mark.skipif(os.geteuid() == 0, reason="root bypasses permissions")
def test_a(): ...
@pytest.mark.skipif(True)
def test_b(): ...
def test_c():
    if os.geteuid() == 0:
        pytest.skip("root")
    pytest.skip()
'''
    found = problems(bad)
    assert any("importorskip" in p for p in found)
    assert sum("geteuid" in p for p in found) == 2
    assert any("skipif without reason" in p for p in found)
    assert any("pytest.skip() without a reason" in p for p in found)
    ok = 'import pytest\npytest.importorskip("PySide6")\npytest.skip("corpus missing")\n'
    assert problems(ok) == []
