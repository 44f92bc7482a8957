"""Glossaries (用語集) for translation: CSV "source term, target term", enforced in output.

Why enforced and not suggested: ministries fix official English names (個人情報保護委員会 →
Personal Information Protection Commission); a translation that drops one is wrong no
matter how fluent. ``protect`` writes the target term into the source before generation
(models copy a term already in the target language far more reliably than they keep
an opaque placeholder), ``missing`` verifies the output, and the caller repairs.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import DocumentError


@dataclass(frozen=True)
class Glossary:
    """Ordered source→target terms (longest source first, so 個人情報保護法 wins over 個人情報)."""

    entries: tuple[tuple[str, str], ...] = ()
    path: Path | None = None
    mapping: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.entries, key=lambda e: -len(e[0])))
        object.__setattr__(self, "entries", ordered)
        object.__setattr__(self, "mapping", dict(ordered))

    def __len__(self) -> int:
        return len(self.entries)

    def occurring(self, text: str) -> dict[str, str]:
        """Entries whose source term occurs in ``text`` (a longer term hides the shorter inside it)."""
        found: dict[str, str] = {}
        rest = text
        for src, tgt in self.entries:
            if src in rest:
                found[src] = tgt
                rest = rest.replace(src, "\0")
        return found

    def protect(self, text: str) -> str:
        """``text`` with every source term replaced by its target term (longest first)."""
        out = text
        marks: list[str] = []
        for src, tgt in self.entries:
            if src in out:
                marks.append(tgt)
                out = out.replace(src, f"\0{len(marks) - 1}\0")
        for i, tgt in enumerate(marks):
            out = out.replace(f"\0{i}\0", tgt)
        return out

    def missing(self, source: str, output: str) -> list[tuple[str, str]]:
        """Entries required by ``source`` whose target term is absent from ``output``."""
        low = output.casefold()
        return [(s, t) for s, t in self.occurring(source).items() if t.casefold() not in low]


def load_glossary(path: str | Path) -> Glossary:
    """Read a UTF-8 (BOM allowed) CSV with two columns; a header row "source,target" is skipped."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError("glossary.error.unreadable", path=str(path), reason=exc.strerror or str(exc)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError("glossary.error.encoding", path=str(path)) from exc
    entries: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise DocumentError("glossary.error.csv", path=str(path), line=0, reason=str(exc)) from exc
    for n, row in enumerate(rows, 1):
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) != 2:
            raise DocumentError("glossary.error.columns", path=str(path), line=n, count=len(row))
        src, tgt = row[0].strip(), row[1].strip()
        if n == 1 and src.lower() in ("source", "原語", "source term") :
            continue
        if not src or not tgt:
            raise DocumentError("glossary.error.empty_term", path=str(path), line=n)
        if src in seen:
            raise DocumentError("glossary.error.duplicate", path=str(path), line=n, term=src, first=seen[src])
        seen[src] = n
        entries.append((src, tgt))
    if not entries:
        raise DocumentError("glossary.error.no_entries", path=str(path))
    return Glossary(tuple(entries), path)
