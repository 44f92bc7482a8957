"""Load an evaluation script (eval/**/score.py …) as a module, so tests and other scripts
can call its functions: those scripts are run by path, not installed, and several share
the file name score.py, so each gets a name of its own."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_script(path: Path, name: str) -> ModuleType:
    """Run ``path`` as module ``name`` (registered in sys.modules first: dataclasses look
    their module up by name while the script runs)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod
