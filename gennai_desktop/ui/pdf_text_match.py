"""Find a span of ``Document.text`` in the text QtPdf reports for one PDF page.

The two texts come from different extractors (pypdfium2/pypdf vs. QtPdf's pdfium), so they
differ in line breaks ("\\r\\n" inside a sentence), spaces and width forms (１ vs 1). We
compare NFKC-normalised text with all whitespace removed and map the hit back to indices
in the page text. A short finding ("及び") occurs many times on a page, so we first search
with some of its surrounding text and only then for the bare string, then a prefix.
No Qt here: plain strings in, page-text indices out.
"""
from __future__ import annotations

import unicodedata

CONTEXTS = (12, 4, 0)      # characters of surrounding text tried, most specific first
PREFIXES = (8, 3)          # then only the start of the span (the rest may be reflowed)


def normalise(text: str) -> tuple[str, list[int]]:
    """NFKC text without whitespace, and for each of its characters the source index."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for n in unicodedata.normalize("NFKC", ch):
            if not n.isspace():
                out.append(n)
                index.append(i)
    return "".join(out), index


def _find(page: str, page_idx: list[int], before: str, needle: str, after: str) -> tuple[int, int] | None:
    nb, nn, na = normalise(before)[0], normalise(needle)[0], normalise(after)[0]
    if not nn:
        return None
    pos = page.find(nb + nn + na)
    if pos < 0:
        return None
    first, last = pos + len(nb), pos + len(nb) + len(nn) - 1
    return page_idx[first], page_idx[last] + 1


def find_span(page_text: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(begin, end)`` indices in ``page_text`` of ``text[start:end]``, or None.

    Tries the span with shrinking context, then the bare span, then shorter prefixes."""
    needle = text[start:end]
    if not needle.strip() or not page_text:
        return None
    page, page_idx = normalise(page_text)
    for ctx in CONTEXTS:
        before, after = text[max(0, start - ctx):start], text[end:end + ctx]
        if ctx and not (before.strip() or after.strip()):
            continue
        hit = _find(page, page_idx, before, needle, after)
        if hit:
            return hit
    for n in PREFIXES:
        if len(needle.strip()) > n:
            hit = _find(page, page_idx, "", needle.strip()[:n], "")
            if hit:
                return hit
    return None
