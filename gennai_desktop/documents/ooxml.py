"""WordprocessingML (OOXML) names and the one walk over a .docx body's visible text.

Why: the .docx reader (``documents.docx_reader``) decides what ``Document.text`` is, and the
tracked-changes writer (``proofread.tracked_changes``) must find every character of that text
again in the XML to wrap it in ``w:del``/``w:ins``. Both used to carry their own copy of the
namespaces, the set of skipped elements and the walk; any drift between the copies would
make the writer edit the wrong characters or skip findings. Here they share one definition:
``body_elements`` (block order), ``table_cells`` and ``paragraph_pieces`` (visible text of a
paragraph, piece by piece, with the run and element each piece comes from).

What counts as visible text of the current revision: ``w:t``, ``w:tab`` (a tab), ``w:br``/
``w:cr`` (a newline, except page and column breaks), ``w:noBreakHyphen`` ("-"), tracked
insertions (``w:ins``) and text-box paragraphs (on a line of their own). Deleted text, ruby
(furigana) readings, field codes, properties and ``mc:Fallback`` copies are not (``SKIP``).
"""
from __future__ import annotations

from typing import Any, Iterator, NamedTuple, Protocol

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MC_ALTERNATE_CONTENT = "{%s}AlternateContent" % MC_NS
MC_FALLBACK = "{%s}Fallback" % MC_NS
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
        elif tag in _BLOCK_CONTAINERS:
            yield from body_elements(child, alt_chunks=alt_chunks)
        elif tag == MC_ALTERNATE_CONTENT:
            for choice in child.iterchildren():
                if choice.tag != MC_FALLBACK:
                    yield from body_elements(choice, alt_chunks=alt_chunks)
                    break


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
    last = [""]    # the text of the last piece yielded (a text-box paragraph starts a new line)

    def walk(el: Any, run: Any | None, para_hidden: bool) -> Iterator[Piece]:
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIP:
                continue
            if tag == W + "r":
                if hidden is not None and hidden.run(child, para_hidden):
                    continue
                yield from walk(child, child, para_hidden)
                continue
            if tag == W + "t":
                piece = Piece(child.text, run, child) if child.text else None
            elif tag == W + "tab":
                piece = Piece("\t", run, child)
            elif tag in _BREAKS:
                piece = Piece("\n", run, child) if child.get(W + "type") not in ("page", "column") else None
            elif tag == W + "noBreakHyphen":
                piece = Piece("-", run, child)
            elif tag == W + "p":   # text box paragraph nested inside a run
                if last[0] and last[0] != "\n":
                    last[0] = "\n"
                    yield Piece("\n", None, None)
                yield from walk(child, None, hidden.paragraph_default(child) if hidden is not None else False)
                continue
            else:
                yield from walk(child, run, para_hidden)
                continue
            if piece is not None:
                last[0] = piece.text
                yield piece

    yield from walk(p, None, hidden.paragraph_default(p) if hidden is not None else False)
