"""Apply accepted findings to text (the corrected text shown to users and written to .txt).

Why offsets into the original: findings are applied as if right-to-left, so every
finding's offsets into the original text stay valid; the result is built in one pass.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..core.findings import Finding


def apply_findings(text: str, findings: Sequence[Finding]) -> str:
    """``text`` with each finding's span replaced by its suggestion.

    Findings that do not match ``text`` (stale offsets) or overlap an earlier one are
    skipped; advice-only findings (suggestion == original) change nothing.
    """
    parts: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        if not (0 <= f.start <= f.end <= len(text)) or text[f.start:f.end] != f.original:
            continue
        if f.start < pos:
            continue
        parts.append(text[pos:f.start])
        parts.append(f.suggestion)
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)
