"""校正 on OCR'd text: do not report what may just be a misread character.

A finding whose span overlaps a character the recogniser was unsure of (confidence below
limits.LOW_CONFIDENCE, recorded per block as ``Block.uncertain``) is dropped: "へ" read as
"ヘ", a missing 送り仮名 or a wrong kanji there is more likely OCR noise than the author's
error, and the user is told how many were held back (a notice), and the document carries
the ``ocr.warning.low_confidence`` warning to check against the original.
"""
from __future__ import annotations

import bisect
from collections.abc import Sequence

from ..core.document import Document
from ..core.findings import Finding


def drop_uncertain(findings: Sequence[Finding], doc: Document, *, margin: int = 0) -> tuple[list[Finding], int]:
    spans = doc.uncertain_spans()
    if not spans:
        return list(findings), 0
    starts = [s for s, _ in spans]
    kept: list[Finding] = []
    dropped = 0
    for f in findings:
        lo, hi = f.start - margin, max(f.end, f.start + 1) + margin
        i = bisect.bisect_left(starts, hi) - 1   # last span starting before the finding ends
        if i >= 0 and spans[i][1] > lo:
            dropped += 1
        else:
            kept.append(f)
    return kept, dropped
