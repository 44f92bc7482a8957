"""Running as a frozen (PyInstaller) application: child-process entries and the install record.

Why: in a checkout or venv the app starts its helper processes as ``python -m …`` /
``python -I pdf_worker.py``. A frozen app has no Python interpreter to give ``-m`` to:
``sys.executable`` is the app itself. So helpers are started as
``<app executable> --gennai-runner`` / ``--gennai-pdf-worker ARGS…`` and the entry script
(installer/frozen/gennai_entry.py) sends those arguments here before anything else.

The offline installer (``packs.offline_bundle``) writes ``install.json`` into the install
prefix (admin-only, beside ``app/``). When the frozen app finds it, the per-machine folder
recorded there is the machine folder, whatever ``GENNAI_MACHINE_DIR`` the user set: the
trusted root and the machine policy are then exactly what the administrator installed.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Callable

RUNNER_FLAG = "--gennai-runner"
PDF_WORKER_FLAG = "--gennai-pdf-worker"
OCR_WORKER_FLAG = "--gennai-ocr-worker"
# the sandboxed worker scripts a frozen app starts as ``<exe> FLAG ARGS…``: flag → module
WORKERS = {PDF_WORKER_FLAG: "gennai_desktop.documents.pdf_worker",
           OCR_WORKER_FLAG: "gennai_desktop.ocr.ocr_worker"}
INSTALL_RECORD = "install.json"


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def runner_argv() -> list[str]:
    """Command line that starts the llama.cpp runner child."""
    if is_frozen():
        return [sys.executable, RUNNER_FLAG]
    return [sys.executable, "-m", "gennai_desktop.llm.runner_child"]


def worker_argv(flag: str, worker: Path) -> list[str]:
    """Command line prefix that starts a sandboxed worker script (``WORKERS``)."""
    if is_frozen():
        return [sys.executable, flag]
    return [sys.executable, "-I", str(worker)]


def pdf_worker_argv(worker: Path) -> list[str]:
    """Command line prefix that starts the sandboxed PDF worker."""
    return worker_argv(PDF_WORKER_FLAG, worker)


def app_dir() -> Path | None:
    """Folder of the frozen executables (None when not frozen)."""
    return Path(sys.executable).resolve().parent if is_frozen() else None


def install_record(prefix: Path | None = None) -> dict | None:
    """``<prefix>/install.json`` written by the offline installer; the prefix is the parent
    of the app folder when frozen. None when absent or unreadable."""
    if prefix is None:
        d = app_dir()
        if d is None:
            return None
        prefix = d.parent
    try:
        data = json.loads((prefix / INSTALL_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def apply_install_record(prefix: Path | None = None) -> dict | None:
    """Point the app at what the administrator installed: the machine folder (forced, so a
    user's GENNAI_MACHINE_DIR cannot swap the trust root) and the bundled model (default)."""
    rec = install_record(prefix)
    if rec is None:
        return None
    md = rec.get("machine_dir")
    if isinstance(md, str) and md:
        os.environ["GENNAI_MACHINE_DIR"] = md
    model = rec.get("bundled_model")
    if isinstance(model, str) and model and Path(model).is_file():
        os.environ.setdefault("GENNAI_BUNDLED_MODEL", model)
    return rec


def child_entry(argv: list[str]) -> Callable[[], int] | None:
    """The helper process this command line asks for, or None for a normal start."""
    if len(argv) >= 2 and argv[1] == RUNNER_FLAG:
        def run_runner() -> int:
            import importlib     # by name: core stays below llm in the layering
            return int(importlib.import_module("gennai_desktop.llm.runner_child").main() or 0)
        return run_runner
    if len(argv) >= 2 and argv[1] in WORKERS:
        def run_worker() -> int:
            import importlib
            worker = importlib.import_module(WORKERS[argv[1]])
            return int(worker.main([argv[0], *argv[2:]]) or 0)
        return run_worker
    return None


PROGRAMS = {
    "gennai": ("gennai_desktop.cli", "main"),
    "gennai-admin": ("gennai_desktop.cli.admin", "main"),
    "gennai-tuf-client": ("gennai_desktop.cli.tuf_client", "main"),
    "gennai-desktop": ("gennai_desktop.ui.app", "main"),
}


def program_entry(executable: str) -> Callable[[], int]:
    """main() of the program this executable is named after (``gennai.exe`` → the CLI).
    Unknown names start the desktop window."""
    import importlib
    name = Path(executable).name
    if name.lower().endswith(".exe"):
        name = name[:-4]
    module, func = PROGRAMS.get(name, PROGRAMS["gennai-desktop"])
    fn = getattr(importlib.import_module(module), func)
    return lambda: int(fn() or 0)
