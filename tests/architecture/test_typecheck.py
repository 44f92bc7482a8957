"""The type checker over llm/: the runner boundary is proven, not inspected at run time.

mypy (a pinned test dependency, configured in pyproject.toml) checks the typed runner
protocol (llm.protocol), RuntimeOptions, and that RunnerEngine and LlamaEngine implement
the TextEngine Protocol exactly (each module ends with a conformance function the checker
verifies); tasks/prompting.py therefore calls ``render_chat(…, cancel=…)`` without looking
at signatures first.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_passes_over_llm(tmp_path):
    res = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                          "--cache-dir", str(tmp_path / "mypy-cache"), "gennai_desktop/llm"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr


def test_prompting_no_longer_inspects_engine_signatures():
    text = (ROOT / "gennai_desktop" / "tasks" / "prompting.py").read_text(encoding="utf-8")
    assert "inspect" not in text
