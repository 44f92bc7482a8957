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


_PINNED_MACHINE_DIR: Path | None = None


def pin_machine_dir(path: Path | None) -> None:
    """Use ``path`` as the machine folder for this process, whatever the environment says
    (the frozen app's install record, written by the administrator: ``core.frozen``)."""
    global _PINNED_MACHINE_DIR
    _PINNED_MACHINE_DIR = Path(path) if path is not None else None


def default_machine_dir() -> Path:
    """Where the installer / ministry IT put the per-machine folder on this OS."""
    if os.name == "nt":
        return Path(os.environ.get("ProgramData", r"C:\ProgramData"))  # noqa: SIM112 - Windows spells it so (environ is case-blind there) / "GENNAI Desktop"
    import sys
    if sys.platform == "darwin":
        return Path("/Library/Application Support/GENNAI Desktop")
    return Path("/etc/gennai-desktop")


def machine_override_allowed(default: Path | None = None) -> bool:
    """May ``GENNAI_MACHINE_DIR`` replace the machine folder? Not on a managed machine (the
    default folder holds the ministry's root.json or machine.json) unless developer mode is
    requested (``GENNAI_DEVELOPER_MODE=1``) and that machine policy allows it
    (``"allow_developer_mode": true``; an unreadable policy forbids it). On an unmanaged
    machine there is no machine policy to protect, so the variable is honoured (tests, a
    development checkout)."""
    import json
    d = default or default_machine_dir()
    policy = d / "machine.json"
    managed = (d / "root.json").is_file() or policy.is_file()
    if not managed:
        return True
    if os.environ.get("GENNAI_DEVELOPER_MODE", "").strip().lower() not in ("1", "true", "yes", "on"):
        return False
    try:
        data = json.loads(policy.read_text(encoding="utf-8")) if policy.is_file() else {}
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("allow_developer_mode", True) is True


def machine_dir() -> Path:
    """Per-machine configuration written by the installer / ministry IT (not user-writable):
    the trusted root, the machine policy and the fail-closed policy record. The frozen app
    pins it from its install record; ``GENNAI_MACHINE_DIR`` overrides the default only where
    ``machine_override_allowed()``. Never created here."""
    if _PINNED_MACHINE_DIR is not None:
        return _PINNED_MACHINE_DIR
    env = os.environ.get("GENNAI_MACHINE_DIR")
    if env and machine_override_allowed():
        return Path(env)
    return default_machine_dir()
