"""Running as a frozen (PyInstaller) application: the administrator's install record.

The offline installer (``packs.offline_bundle``) writes ``install.json`` into the install
prefix (admin-only, beside ``app/``). When the frozen app finds it, the per-machine folder
recorded there is the machine folder, whatever ``GENNAI_MACHINE_DIR`` the user set: the
trusted root and the machine policy are then exactly what the administrator installed.

Which program or child an executable runs is decided in ``gennai_desktop/entry.py`` (the
top layer); child processes are started by ``core/sandbox.py``.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from . import paths

INSTALL_RECORD = "install.json"


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


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
    """Point the app at what the administrator installed: the machine folder (pinned for
    this process, so a user's GENNAI_MACHINE_DIR cannot swap the trust root), the bundled model and the bundled
    speech model (defaults)."""
    rec = install_record(prefix)
    if rec is None:
        return None
    md = rec.get("machine_dir")
    if isinstance(md, str) and md:
        paths.pin_machine_dir(Path(md))
    model = rec.get("bundled_model")
    if isinstance(model, str) and model and Path(model).is_file():
        os.environ.setdefault("GENNAI_BUNDLED_MODEL", model)
    asr = rec.get("asr_model")              # the speech model folder (files hash-checked before use)
    if isinstance(asr, str) and asr and Path(asr).is_dir():
        os.environ.setdefault("GENNAI_ASR_MODEL", asr)
    return rec
