"""Target names and local paths that cannot escape their folder.

Names in signed metadata are still attacker-influenced input (a compromised vendor key
signs whatever it likes inside its own path). Pack files are only ever stored under
paths built from validated ids and versions; target names must match a strict pattern
(no ``..``, no ``%``-escapes, no drive letters, backslashes, UNC or absolute paths).
"""
from __future__ import annotations

import re
from pathlib import Path

from .errors import PackError
from .manifest import NAME_RE, VERSION_RE

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
MAX_TARGET_NAME = 400
POLICY_TARGET = "policy/policy.json"
INDEX_TARGET = "packs/index.json"


def check_target_name(name: str) -> str:
    """Return ``name`` if it is a safe relative target path, else raise PackError."""
    ok = (isinstance(name, str) and 0 < len(name) <= MAX_TARGET_NAME and not name.startswith("/")
          and all(_SEGMENT.match(seg) and seg not in (".", "..") for seg in name.split("/")))
    if not ok:
        raise PackError("packs.error.bad_target_name", name=repr(name)[:120])
    return name


def check_id(value: str) -> str:
    if not isinstance(value, str) or not re.match(NAME_RE, value):
        raise PackError("packs.error.bad_target_name", name=repr(value)[:120])
    return value


def check_version(value: str) -> str:
    if not isinstance(value, str) or not re.match(VERSION_RE, value):
        raise PackError("packs.error.bad_target_name", name=repr(value)[:120])
    return value


def pack_prefix(vendor: str, pack_id: str, version: str) -> str:
    """Where a vendor's pack lives in the repository: inside the vendor's delegated path."""
    return f"vendors/{check_id(vendor)}/{check_id(pack_id)}/{check_version(version)}"


def manifest_target(vendor: str, pack_id: str, version: str) -> str:
    return f"{pack_prefix(vendor, pack_id, version)}/manifest.json"


def gguf_target(vendor: str, pack_id: str, version: str) -> str:
    return f"{pack_prefix(vendor, pack_id, version)}/model.gguf"


def inside(base: Path, candidate: Path) -> bool:
    """True if ``candidate`` resolves to ``base`` or below it (symlinks resolved)."""
    try:
        candidate.resolve().relative_to(base.resolve())
        return True
    except (ValueError, OSError):
        return False
