"""One Document model for .docx, .pdf, .txt and scans.

A document is an ordered list of blocks (reading order). ``Document.text`` is the
blocks' texts joined with "\n"; each block knows its ``[start, end)`` slice of it, so
character offsets (findings, citations) map back to a block, a page or a heading.
Block ids are stable for the same file: they come from the position in the source
("b0007" = 8th block; tables "t0002"), not from content hashes or run-time counters.

Every block has a *kind*, because an official reads a report as structure: a paragraph is
prose, a table cell is not a sentence, a reference entry is not the author's writing, a
running header is not text at all. The kind sets below say once what each task may do
with a kind, so 校正, 要約, 質問 and 翻訳 agree (docs/structure.md). Running headers,
footers, page numbers and margin line numbers are *furniture*: kept in
``Document.furniture`` for page mapping, never part of ``Document.text``.
"""
from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

BlockKind = Literal[
    "title",        # the document's title
    "heading",      # with ``level`` (1 = 第1章 / chapter … 4 = ア / ①)
    "paragraph",    # body prose, whole (joined across line wraps, columns and pages)
    "list_item",    # a bulleted or numbered item; ``label`` holds its bullet/number
    "table",        # ``rows`` holds the cells
    "caption",      # 図/表 titles and the notes/出典 lines under a figure or table
    "note",         # footnotes/endnotes, ※ and 注 notes; ``anchor`` = the block citing it
    "reference",    # a bibliography / 出典 list entry
    "url",          # a line that is only a URL
    "slide_title",  # the title of a slide (decks exported to PDF)
    "image_text",   # text inside a picture: screenshot UI, chart labels, diagram boxes
    "code",         # program code / command lines (manuals)
]
FurnitureKind = Literal["header", "footer", "page_number", "line_number"]

# What each task may do with a kind — the one place every task reads (docs/structure.md).
HEADING_KINDS: frozenset[str] = frozenset({"title", "heading", "slide_title"})
PROSE_KINDS: frozenset[str] = frozenset({"paragraph", "list_item", "note"})   # whole sentences: every 校正 rule
BODY_KINDS: frozenset[str] = frozenset({"paragraph", "list_item"})            # what 要約 and 質問 quote
LABEL_KINDS: frozenset[str] = frozenset({"title", "heading", "slide_title", "caption", "table"})  # word-level 校正 only
UNCHECKED_KINDS: frozenset[str] = frozenset({"reference", "url", "image_text", "code"})  # never 校正'd
DocFormat = Literal["docx", "pdf", "txt", "html", "image"]


@dataclass(frozen=True)
class Block:
    id: str
    kind: BlockKind
    text: str
    level: int = 0                       # heading level (1 = top) or list nesting level
    page: int | None = None              # 1-based page for PDFs
    heading_path: tuple[str, ...] = ()   # enclosing headings, outermost first
    rows: tuple[tuple[str, ...], ...] | None = None  # table cells (kind == "table")
    style: str | None = None             # source style name (docx), for re-creating layout
    start: int = 0                       # offset of text in Document.text
    end: int = 0
    # OCR'd text (scanned PDF pages, images): its mean character confidence (0–1) and the
    # [start, end) spans *within this block's text* of characters below the OCR engine's
    # low-confidence threshold, so proofreading can leave misreadings alone.
    ocr: bool = False
    confidence: float | None = None
    uncertain: tuple[tuple[int, int], ...] = ()
    boxes: tuple[tuple[float, float, float, float], ...] = ()  # OCR line boxes (x0, top, x1, bottom), PDF points, y up
    bbox: tuple[float, float, float, float] | None = None  # the block's box on its (first) page, same convention
    label: str = ""                      # list bullet/number, note marker or caption number that begins ``text``
    anchor: str | None = None            # notes: id of the block whose text carries the note's marker
    continued: bool = False              # this block continues from the previous page or column (PDF)
    page_end: int | None = None          # last page of a block joined across a page break (None: ``page``)
    # ruby (furigana) set over words of ``text``: (start, end, reading), offsets within this
    # block's text. Not text of its own (never in ``text``: it would break words and sentences),
    # kept so 校正 can see that a 表外字 word carries its reading (2022 建議 Ⅰ-2).
    ruby: tuple[tuple[int, int, str], ...] = ()

    @property
    def is_heading(self) -> bool:
        return self.kind in HEADING_KINDS

    @property
    def is_body(self) -> bool:
        return self.kind in BODY_KINDS


@dataclass(frozen=True)
class Location:
    """Where a piece of text came from, in terms a reader can follow."""

    block_id: str
    page: int | None
    heading: str | None

    def label(self, lang: str = "ja") -> str:
        if self.page is not None:
            return f"p.{self.page}" if lang == "en" else f"{self.page}ページ"
        if self.heading:
            return self.heading
        return f"¶{self.block_id}" if lang == "en" else f"段落 {self.block_id}"


def table_text(rows: Sequence[Sequence[str]]) -> str:
    """How a table reads as text: cells separated by tabs, rows by newlines."""
    return "\n".join("\t".join(cell for cell in row) for row in rows)


@dataclass
class Document:
    path: Path | None
    format: DocFormat
    blocks: list[Block]
    title: str = ""
    page_count: int | None = None
    warnings: list[str] = field(default_factory=list)  # i18n keys of non-fatal issues
    # Running headers/footers, page numbers, margin line numbers: not text, kept for page mapping.
    furniture: list[Block] = field(default_factory=list)
    text: str = field(init=False)

    def __post_init__(self) -> None:
        self.blocks = _with_offsets(self.blocks)
        self.text = "\n".join(b.text for b in self.blocks)
        self._starts = [b.start for b in self.blocks]
        self._by_id = {b.id: b for b in self.blocks}

    @classmethod
    def from_blocks(cls, blocks: Sequence[Block], *, path: Path | None = None,
                    fmt: DocFormat = "txt", title: str = "", page_count: int | None = None) -> Document:
        return cls(path=path, format=fmt, blocks=list(blocks), title=title, page_count=page_count)

    def blocks_of(self, kinds: frozenset[str] | set[str]) -> list[Block]:
        return [b for b in self.blocks if b.kind in kinds]

    def block(self, block_id: str) -> Block:
        return self._by_id[block_id]

    def has_block(self, block_id: str) -> bool:
        return block_id in self._by_id

    def block_at(self, offset: int) -> Block:
        """The block containing character ``offset`` (a separator "\n" belongs to the block before it)."""
        if not self.blocks:
            raise IndexError("empty document")
        i = bisect.bisect_right(self._starts, offset) - 1
        return self.blocks[max(0, min(i, len(self.blocks) - 1))]

    def locate(self, offset: int) -> Location:
        b = self.block_at(offset)
        heading = b.heading_path[-1] if b.heading_path else (b.text if b.is_heading else None)
        return Location(block_id=b.id, page=b.page, heading=heading)

    def uncertain_spans(self) -> list[tuple[int, int]]:
        """Low-confidence OCR characters as [start, end) offsets in ``text``."""
        return [(b.start + s, b.start + e) for b in self.blocks for s, e in b.uncertain]

    @property
    def pages(self) -> list[int]:
        return sorted({b.page for b in self.blocks if b.page is not None})


def _with_offsets(blocks: Sequence[Block]) -> list[Block]:
    out: list[Block] = []
    pos = 0
    for b in blocks:
        end = pos + len(b.text)
        if b.start != pos or b.end != end:
            b = replace(b, start=pos, end=end)
        out.append(b)
        pos = end + 1
    return out


@dataclass(frozen=True)
class DocumentKey:
    """Which document (and which opening of it) a task result was computed from.

    Offsets in a finding, block ids in a citation and the name an export is saved
    under only make sense for this exact text: ``same_document`` compares the path
    and the sha256 of ``Document.text`` (what every offset points into); ``version``
    counts openings in one window, so a re-opened file is told apart in logs.
    """

    path: str | None
    sha256: str
    version: int = 0
    name: str = ""

    @classmethod
    def of(cls, doc: Document, version: int = 0) -> DocumentKey:
        import hashlib
        digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
        path = str(doc.path.resolve()) if doc.path is not None else None
        name = doc.path.stem if doc.path is not None else (doc.title or "")
        return cls(path=path, sha256=digest, version=version, name=name)

    def same_document(self, other: DocumentKey | None) -> bool:
        return other is not None and self.path == other.path and self.sha256 == other.sha256

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "version": self.version, "name": self.name}

    @classmethod
    def from_dict(cls, d: dict | None) -> DocumentKey | None:
        if not isinstance(d, dict) or "sha256" not in d:
            return None
        return cls(path=d.get("path"), sha256=str(d["sha256"]), version=int(d.get("version", 0)),
                   name=str(d.get("name", "")))
