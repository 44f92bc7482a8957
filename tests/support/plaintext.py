"""Search the files the app wrote for a marker string in any form a leak would take.

Checks raw bytes as UTF-8, UTF-16 (LE/BE), JSON \\u escapes, and inside zip containers
(.docx). The encrypted store is scanned too: its raw bytes must not hold the marker either.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path


def _forms(marker: str) -> list[bytes]:
    return [marker.encode("utf-8"), marker.encode("utf-16-le"), marker.encode("utf-16-be"),
            json.dumps(marker).strip('"').encode("ascii"), json.dumps(marker).strip('"').lower().encode("ascii")]


def _contains(data: bytes, forms: list[bytes]) -> bool:
    if any(f in data for f in forms):
        return True
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return any(_contains(z.read(n), forms) for n in z.namelist())
        except (zipfile.BadZipFile, OSError, RuntimeError):
            return False
    return False


def files_containing(roots, marker: str) -> list[Path]:
    forms = _forms(marker)
    hits = []
    for root in roots:
        root = Path(root)
        if not root.exists():
            continue
        for p in [root] if root.is_file() else root.rglob("*"):
            if p.is_file() and not p.is_symlink():
                try:
                    data = p.read_bytes()
                except OSError:
                    continue
                if _contains(data, forms):
                    hits.append(p)
    return hits


def all_files(roots) -> list[Path]:
    return [p for r in roots if Path(r).exists() for p in Path(r).rglob("*") if p.is_file()]


def assert_nowhere_in_plaintext(*roots, marker: str | None = None) -> None:
    """``assert_nowhere_in_plaintext(home, tmpdir, "marker")``: the last positional is the marker."""
    *dirs, m = roots if marker is None else (*roots, marker)
    hits = files_containing(dirs, m)
    assert not hits, f"marker {m!r} found in plaintext in: {[str(h) for h in hits]}"
