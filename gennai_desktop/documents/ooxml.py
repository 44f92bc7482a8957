"""WordprocessingML (OOXML) names and the one walk over a .docx body's visible text.

Why: the .docx reader (``documents.docx_reader``) decides what ``Document.text`` is, and the
tracked-changes writer (``proofread.tracked_changes``) must find every character of that text
again in the XML to wrap it in ``w:del``/``w:ins``. Both used to carry their own copy of the
namespaces, the set of skipped elements and the walk; any drift between the copies would
make the writer edit the wrong characters or skip findings. Here they share one definition:
``body_elements`` (block order), ``table_cells`` and ``paragraph_pieces`` (visible text of a
paragraph, piece by piece, with the run and element each piece comes from).

What counts as visible text of the current revision: ``w:t``, ``w:tab`` (a tab), ``w:br``/
``w:cr`` (a newline, except page and column breaks), ``w:noBreakHyphen`` ("-") and tracked
insertions (``w:ins``); with a ``VisibleText`` context (``docx_reader.HiddenText``) also the
automatic number or bullet Word draws before a list paragraph (「１．」「（１）」「・」) and the
footnote/endnote reference marks (superscript digits), one non-editable piece per character,
while runs it declares hidden (w:vanish, and the results of PAGE/PAGEREF/TOC fields) are left
out. Deleted text, ruby (furigana) readings, field codes, properties and ``mc:Fallback``
copies are not text (``SKIP``). A text box is not part of the paragraph that anchors it:
``body_elements`` yields its paragraphs right after that paragraph, in reading order.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple, Protocol

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MC_ALTERNATE_CONTENT = f"{{{MC_NS}}}AlternateContent"
MC_FALLBACK = f"{{{MC_NS}}}Fallback"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Subtrees that never contribute to the visible text of the current revision.
SKIP = frozenset({W + "pPr", W + "rPr", W + "del", W + "moveFrom", W + "rt", W + "instrText",
                  W + "delText", W + "fldChar", W + "sectPr", MC_FALLBACK})
# Containers of block-level content that are read through (content controls, custom XML,
# tracked insertions and moves of whole paragraphs).
_BLOCK_CONTAINERS = frozenset({W + "sdt", W + "customXml", W + "sdtContent", W + "ins", W + "moveTo"})
_BREAKS = frozenset({W + "br", W + "cr"})


class HiddenRuns(Protocol):
    """Which runs are formatted as hidden (w:vanish), e.g. ``docx_reader.HiddenText``."""

    def paragraph_default(self, p: Any) -> bool: ...

    def run(self, r: Any, para_hidden: bool) -> bool: ...


class VisibleText(HiddenRuns, Protocol):
    """Hidden runs plus what Word draws that is not in the runs (``docx_reader.HiddenText``)."""

    def label_of(self, p: Any) -> str: ...

    def note_mark(self, ref: Any) -> str: ...


_TEXT_BOX = W + "txbxContent"
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUPERSCRIPT_DIGITS_RE = re.compile(r"^[0-9]+(?:[,，][0-9]+)*$")


def _raised(run: Any) -> bool:
    rpr = run.find(W + "rPr")
    va = rpr.find(W + "vertAlign") if rpr is not None else None
    return va is not None and va.get(W + "val") == "superscript"
_NOTE_REFS = frozenset({W + "footnoteReference", W + "endnoteReference"})

class Piece(NamedTuple):
    """One piece of a paragraph's visible text and where it lives in the XML."""

    text: str
    run: Any | None       # the enclosing w:r (None outside a run, and for a text-box separator)
    element: Any | None   # the w:t / w:tab / w:br … (None for the newline before a text-box paragraph)


def body_elements(parent: Any, *, alt_chunks: bool = False) -> Iterator[Any]:
    """Block-level w:p / w:tbl (and, with ``alt_chunks``, w:altChunk) in reading order,
    descending into content controls. Block ids and offsets in ``Document.text`` depend on
    this order. For mc:AlternateContent only the first Choice is read (as Word does), never
    the Fallback."""
    for child in parent.iterchildren():
        tag = child.tag
        if tag in (W + "p", W + "tbl") or (alt_chunks and tag == W + "altChunk"):
            yield child
            if tag == W + "p":
                for box in text_boxes(child):
                    yield from body_elements(box, alt_chunks=alt_chunks)
        elif tag in _BLOCK_CONTAINERS:
            yield from body_elements(child, alt_chunks=alt_chunks)
        elif tag == MC_ALTERNATE_CONTENT:
            for choice in child.iterchildren():
                if choice.tag != MC_FALLBACK:
                    yield from body_elements(choice, alt_chunks=alt_chunks)
                    break


def text_boxes(p: Any) -> list[Any]:
    """The w:txbxContent of text boxes anchored in paragraph ``p`` (not the mc:Fallback
    copies, not boxes nested in another box: those come with their own box)."""
    out = []
    for box in p.iter(_TEXT_BOX):
        parent = box.getparent()
        nested = False
        while parent is not None and parent is not p:
            if parent.tag == MC_FALLBACK or parent.tag == _TEXT_BOX:
                nested = True
                break
            parent = parent.getparent()
        if not nested:
            out.append(box)
    return out


def table_cells(tr: Any) -> Iterator[Any]:
    """The w:tc of a table row, including cells inside content controls / custom XML."""
    for child in tr.iterchildren():
        if child.tag == W + "tc":
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            yield from child.iter(W + "tc")


def paragraph_pieces(p: Any, hidden: HiddenRuns | None = None) -> Iterator[Piece]:
    """The visible text of a w:p in document order (see the module docstring); with
    ``hidden``, runs formatted as hidden are left out. Empty w:t yield nothing."""
    label_of = getattr(hidden, "label_of", None)
    note_mark = getattr(hidden, "note_mark", None)

    def walk(el: Any, run: Any | None, para_hidden: bool) -> Iterator[Piece]:
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIP or tag == _TEXT_BOX:
                continue
            if tag == W + "r":
                if hidden is not None and hidden.run(child, para_hidden):
                    continue
                yield from walk(child, child, para_hidden)
                continue
            if tag == W + "t":
                if child.text and run is not None and _SUPERSCRIPT_DIGITS_RE.match(child.text) and _raised(run):
                    # a footnote-style mark typed as a raised digit: shown as the superscript
                    # it is (non-editable, one piece per character)
                    for ch in child.text.translate(_SUPERSCRIPT):
                        yield Piece(ch, run, None)
                    continue
                piece = Piece(child.text, run, child) if child.text else None
            elif tag == W + "tab":
                piece = Piece("\t", run, child)
            elif tag in _BREAKS:
                piece = Piece("\n", run, child) if child.get(W + "type") not in ("page", "column") else None
            elif tag == W + "noBreakHyphen":
                piece = Piece("-", run, child)
            elif tag in _NOTE_REFS:
                for ch in (note_mark(child) if note_mark is not None else ""):
                    yield Piece(ch, run, child)
                continue
            else:
                yield from walk(child, run, para_hidden)
                continue
            if piece is not None:
                yield piece

    if label_of is not None:
        for ch in label_of(p):
            yield Piece(ch, None, None)
    yield from walk(p, None, hidden.paragraph_default(p) if hidden is not None else False)
