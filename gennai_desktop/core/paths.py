"""Where things live. Everything user-specific sits under one directory (GENNAI_HOME) so
tests, portable installs and ministry images can redirect it with one variable."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent


def resources_dir() -> Path:
    """resources/ ships beside the package in a checkout and inside it when installed."""
    env = os.environ.get("GENNAI_RESOURCES")
    if env:
        return Path(env)
    inside = PACKAGE_DIR / "resources"
    if inside.is_dir():
        return inside
    return REPO_DIR / "resources"


def model_descriptions_dir() -> Path:
    """models/: the bundled model's pack description and the domestic packs' draft manifests
    (no weights). Beside the package in a checkout; inside it in the frozen app."""
    inside = PACKAGE_DIR / "model_descriptions"
    if inside.is_dir():
        return inside
    return REPO_DIR / "models"


def home_dir() -> Path:
    """Per-user data (settings, packs, autosave). Override with GENNAI_HOME."""
    env = os.environ.get("GENNAI_HOME")
    if env:
        base = Path(env)
    elif os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home())) / "GennaiDesktop"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "gennai-desktop"
    base.mkdir(parents=True, exist_ok=True)
    return base


def models_dir() -> Path:
    d = home_dir() / "models"
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass    # read-only / full home: readers still work, writers report their own error
    return d


def machine_dir() -> Path:
    """Per-machine configuration written by the installer / ministry IT (not user-writable):
    the trusted root and the machine policy. Override with GENNAI_MACHINE_DIR (tests, or an
    installer that uses another prefix). Never created here."""
    env = os.environ.get("GENNAI_MACHINE_DIR")
    if env:
        return Path(env)
    if os.name == "nt":
        return Path(os.environ.get("ProgramData", r"C:\ProgramData")) / "GENNAI Desktop"
    import sys
    if sys.platform == "darwin":
        return Path("/Library/Application Support/GENNAI Desktop")
    return Path("/etc/gennai-desktop")
