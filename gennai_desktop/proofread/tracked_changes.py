"""Write the ORIGINAL .docx back with the findings as Word tracked changes and comments.

Why: reviewers in ministries work in Word's 変更履歴 (track changes) view; accepting or
rejecting each suggestion there keeps the author's formatting, which a regenerated
document would lose. python-docx 1.2 has comments but no tracked-change API, so the
``w:del``/``w:ins`` markup is written here on lxml: runs are split at the finding's
boundaries (their ``w:rPr`` copied to every piece), the old runs move into ``w:del``
(``w:t`` → ``w:delText``) and one new run with the first run's ``w:rPr`` goes into
``w:ins``. One revision per finding, author "GENNAI", and a comment with the rule's
message and source. ``w:trackRevisions`` is switched on in settings.xml at its
schema position so further edits are tracked too.

A finding that cannot be mapped safely (it crosses a paragraph, a tab or a field, or the
paragraph's text differs from the loaded Document) is left out of the .docx rather than
risk a corrupt file; ``track_changes`` reports how many were written and skipped.
"""
from __future__ import annotations

import bisect
import contextvars
import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.atomicio import atomic_path
from ..core.document import Document, table_text
from ..core.errors import OutputError
from ..core.findings import Finding
from ..core.i18n import tr
from ..documents.docx_reader import hidden_text_of
from ..documents.normalize import normalize_safe
from ..documents.ooxml import XML_SPACE, W, body_elements, paragraph_pieces, table_cells

AUTHOR = "GENNAI"
# The hidden-text rules (w:vanish) of the document being written: its paragraphs must read
# exactly as docx_reader read them, which leaves hidden runs out (set by track_changes).
_HIDDEN: contextvars.ContextVar[Any] = contextvars.ContextVar("gennai_hidden_text", default=None)

# Parents under which a run may be wrapped in w:del/w:ins.
_EDITABLE_PARENTS = {W + "p", W + "hyperlink", W + "smartTag", W + "customXml", W + "sdtContent"}
# Run children that may move into w:del (anything else — fields, drawings — blocks the edit).
_MOVABLE_RUN_CHILDREN = {W + "rPr", W + "t", W + "lastRenderedPageBreak"}

# CT_Settings children in schema order (ECMA-376 Part 1, 17.15.1.78); trackRevisions must sit
# before every element that follows it here.
_SETTINGS_ORDER = [
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors",
    "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign", "attachedTemplate",
    "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
    "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting", "documentProtection",
    "autoFormatOverride", "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation",
    "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope", "summaryLength",
    "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders", "bookFoldRevPrinting",
    "bookFoldPrinting", "bookFoldPrintingSheets", "drawingGridHorizontalSpacing",
    "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin",
    "doNotShadeFormData", "noPunctuationKerning", "characterSpacingControl", "printTwoOnOne",
    "strictFirstAndLastChars", "noLineBreaksAfter", "noLineBreaksBefore", "savePreviewPicture",
    "doNotValidateAgainstSchema", "saveInvalidXml", "ignoreMixedContent", "alwaysShowPlaceholderText",
    "doNotDemarcateInvalidXml", "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat",
    "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
    "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
    "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
    "decimalSymbol", "listSeparator",
]


@dataclass
class TrackStats:
    """What ``track_changes`` did: findings written as revisions/comments and left out."""

    revisions: int = 0
    comments: int = 0
    skipped: list[Finding] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# Reading the body the same way documents.docx_reader does
# --------------------------------------------------------------------------------------

@dataclass
class _Char:
    run: Any          # the w:r (None for text outside a run)
    child: Any        # w:t / w:tab / w:br … inside the run
    idx: int          # index inside child's text (0 for non-text children)
    editable: bool    # a character of a w:t


def _char_map(p: Any) -> tuple[str, list[_Char]]:
    """Visible text of a paragraph (exactly as the reader's ``paragraph_text``: the same
    ``ooxml.paragraph_pieces`` walk) and, per character, where it lives in the XML."""
    text: list[str] = []
    chars: list[_Char] = []
    for piece in paragraph_pieces(p, _HIDDEN.get()):
        text.append(piece.text)
        if piece.element is not None and piece.element.tag == W + "t":
            chars.extend(_Char(piece.run, piece.element, i, piece.run is not None) for i in range(len(piece.text)))
        else:
            chars.append(_Char(piece.run, piece.element, 0, False))
    return "".join(text), chars


@dataclass
class _Segment:
    """A paragraph's share of a block's text: block-local [start, end) ↔ paragraph offset."""

    p: Any
    start: int            # block-local offset of the first character of the paragraph's text
    end: int
    raw_offset: int       # offset in the paragraph's raw visible text that ``start`` maps to


def _para_block_text(p: Any) -> tuple[str, str, int]:
    raw, _ = _char_map(p)
    norm = normalize_safe(raw)
    stripped = norm.strip("\n")
    lead = len(norm) - len(norm.lstrip("\n"))
    return raw, stripped, lead


def _paragraph_segments(p: Any) -> list[_Segment] | None:
    raw, text, lead = _para_block_text(p)
    if normalize_safe(raw) != raw:
        return []                       # normalisation changed the text: offsets unsafe
    return [_Segment(p, 0, len(text), lead)]


def _table_segments(tbl: Any) -> tuple[str, list[_Segment]]:
    """Block text of a table (cells joined by \\t, rows by \\n) and its paragraph segments."""
    rows: list[list[str]] = []
    segs: list[_Segment] = []
    pending: list[tuple[int, int, list[tuple[Any, int, int, bool]], int]] = []
    for tr_el in tbl.iterchildren(W + "tr"):
        row: list[str] = []
        for tc in table_cells(tr_el):
            parts: list[str] = []
            places: list[tuple[Any, int, int, bool]] = []
            pos = 0
            for el in body_elements(tc):
                if el.tag == W + "p":
                    raw, _ = _char_map(el)
                    norm = normalize_safe(raw)
                    places.append((el, pos, len(norm), norm == raw))
                    parts.append(norm)
                else:
                    nested = "\n".join(" ".join(r) for r in _plain_rows(el))
                    parts.append(nested)
                pos += len(parts[-1]) + 1
            joined = "\n".join(parts)
            cell = joined.strip("\n")
            lead = len(joined) - len(joined.lstrip("\n"))
            pending.append((len(rows), len(row), places, lead))
            row.append(cell)
        rows.append(row)
    text = table_text(rows)
    # offsets of each cell inside the table text
    row_starts: list[int] = []
    pos = 0
    for row in rows:
        row_starts.append(pos)
        pos += len("\t".join(row)) + 1
    for ri, ci, places, lead in pending:
        cell_start = row_starts[ri] + sum(len(c) + 1 for c in rows[ri][:ci])
        cell_len = len(rows[ri][ci])
        for el, p_pos, p_len, safe in places:
            if not safe:
                continue
            s = p_pos - lead
            e = s + p_len
            cs, ce = max(s, 0), min(e, cell_len)
            if cs >= ce:
                continue
            segs.append(_Segment(el, cell_start + cs, cell_start + ce, cs - s))
    return text, segs


def _plain_rows(tbl: Any) -> list[tuple[str, ...]]:
    out = []
    for tr_el in tbl.iterchildren(W + "tr"):
        cells = []
        for tc in table_cells(tr_el):
            parts = []
            for el in body_elements(tc):
                if el.tag == W + "p":
                    parts.append(normalize_safe(_char_map(el)[0]))
                else:
                    parts.append("\n".join(" ".join(r) for r in _plain_rows(el)))
            cells.append("\n".join(parts).strip("\n"))
        out.append(tuple(cells))
    return out


def _map_blocks(body: Any, doc: Document) -> dict[int, list[_Segment]]:
    """Block index → segments, pairing body elements with blocks by order and text."""
    out: dict[int, list[_Segment]] = {}
    bi = 0
    blocks = doc.blocks
    for el in body_elements(body):
        if bi >= len(blocks):
            break
        if el.tag == W + "p":
            raw, text, _ = _para_block_text(el)
            if not text.strip():
                continue
            segs = _paragraph_segments(el)
        else:
            text, segs = _table_segments(el)
            if not text.strip():
                continue
        # pair with the next block whose text matches (resynchronise after a mismatch);
        # blocks read from an altChunk part ("a…") have no body paragraph and do not count
        # toward the look-ahead, so a long embedded chunk does not stop the pairing
        ahead: list[int] = []
        j = bi
        while j < len(blocks) and len(ahead) < 8:
            if not blocks[j].id.startswith("a"):
                ahead.append(j)
            j += 1
        for j in ahead:
            if blocks[j].text == text:
                out[j] = segs or []
                bi = j + 1
                break
    return out


# --------------------------------------------------------------------------------------
# Editing runs
# --------------------------------------------------------------------------------------

def _new(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(W + k, v)
    return el


def _set_text(t: Any, text: str) -> None:
    t.text = text
    t.set(XML_SPACE, "preserve")


def _split_before(c: _Char) -> None:
    """Make the character ``c`` the first visible content of its own run."""
    run = c.run
    children = [ch for ch in run.iterchildren() if ch.tag != W + "rPr"]
    i = children.index(c.child)
    if c.idx == 0 and i == 0:
        return
    new_run = copy.deepcopy(run)
    for ch in list(new_run):
        if ch.tag != W + "rPr":
            new_run.remove(ch)
    if c.idx > 0:
        text = c.child.text or ""
        _set_text(c.child, text[: c.idx])
        t2 = _new("w:t")
        _set_text(t2, text[c.idx:])
        new_run.append(t2)
        moved = children[i + 1:]
    else:
        moved = children[i:]
    for ch in moved:
        new_run.append(ch)
    run.addnext(new_run)


def _runs_for(p: Any, start: int, end: int) -> list[Any] | None:
    """Split runs so that paragraph characters [start, end) are exactly whole runs; return
    them (same parent, consecutive) or None when that is not possible safely."""
    _, chars = _char_map(p)
    if not (0 <= start < end <= len(chars)):
        return None
    span = chars[start:end]
    if not all(c.editable for c in span):
        return None
    # split at the end first: the start character's XML references stay valid
    if end < len(chars) and chars[end].run is not None:
        _split_before(chars[end])
    _split_before(chars[start])
    _, chars = _char_map(p)
    runs: list[Any] = []
    for c in chars[start:end]:
        if not runs or runs[-1] is not c.run:
            runs.append(c.run)
    parent = runs[0].getparent()
    if parent is None or parent.tag not in _EDITABLE_PARENTS:
        return None
    if any(r.getparent() is not parent for r in runs):
        return None
    sibs = list(parent)
    idx = [sibs.index(r) for r in runs]
    if idx != list(range(idx[0], idx[0] + len(idx))):
        return None
    for r in runs:
        if any(ch.tag not in _MOVABLE_RUN_CHILDREN for ch in r):
            return None
    return runs


def _trim(original: str, suggestion: str) -> tuple[int, int, str]:
    """Smallest replacement: (skip at start, skip at end, inserted text)."""
    pre = 0
    while pre < min(len(original), len(suggestion)) and original[pre] == suggestion[pre]:
        pre += 1
    suf = 0
    while (suf < min(len(original), len(suggestion)) - pre and
           original[len(original) - 1 - suf] == suggestion[len(suggestion) - 1 - suf]):
        suf += 1
    if pre + suf == len(original):       # pure insertion: keep one original character to replace
        if pre > 0:
            pre -= 1
        else:
            suf -= 1
    return pre, suf, suggestion[pre: len(suggestion) - suf]


class _Writer:
    def __init__(self, document: Any, author: str, when: dt.datetime, reserve: int) -> None:
        self.document = document
        self.author = author
        self.date = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        # revision ids above every id in the body and above the comment ids still to come
        used = max((int(v) for v in document.element.body.xpath(".//@w:id") if str(v).isdigit()), default=0)
        self.next_id = used + reserve + 1
        self.comments_root: Any = None
        self.next_cid = 0

    def _rev_attrs(self) -> dict[str, str]:
        attrs = {"id": str(self.next_id), "author": self.author, "date": self.date}
        self.next_id += 1
        return attrs

    def revision(self, runs: list[Any], inserted: str) -> tuple[Any, Any]:
        """Wrap ``runs`` in w:del and put ``inserted`` in a w:ins after it; returns the first
        and last element of the revision (for the comment range)."""
        first = runs[0]
        rpr = first.find(W + "rPr")
        dele = _new("w:del", **self._rev_attrs())
        first.addprevious(dele)
        for r in runs:
            dele.append(r)
            for t in r.iterchildren(W + "t"):
                t.tag = W + "delText"
                t.set(XML_SPACE, "preserve")
        last = dele
        if inserted:
            ins = _new("w:ins", **self._rev_attrs())
            run = _new("w:r")
            if rpr is not None:
                run.append(copy.deepcopy(rpr))
            t = _new("w:t")
            _set_text(t, inserted)
            run.append(t)
            ins.append(run)
            dele.addnext(ins)
            last = ins
        return dele, last

    def _new_comment_id(self, text: str) -> str:
        """Add a comment to comments.xml and return its id. The first one goes through
        python-docx (it creates the part and its relationship); later ones are appended
        directly, because python-docx looks up the next id with an XPath over all comments
        (quadratic for the thousands of findings a long document can have)."""
        if self.comments_root is None:
            c = self.document.comments.add_comment(text=text, author=self.author, initials="G")
            for part in self.document.part.package.iter_parts():
                if str(part.partname).endswith("/comments.xml"):
                    self.comments_root = part.element
                    break
            ids = ([int(v) for v in self.comments_root.xpath("./w:comment/@w:id")]
                   if self.comments_root is not None else [])
            self.next_cid = max(ids, default=c.comment_id) + 1
            return str(c.comment_id)
        cid = self.next_cid
        self.next_cid += 1
        el = _new("w:comment", id=str(cid), author=self.author, initials="G", date=self.date)
        for i, line in enumerate(text.split("\n")):
            p = _new("w:p")
            ppr = _new("w:pPr")
            ppr.append(_new("w:pStyle", val="CommentText"))
            p.append(ppr)
            if i == 0:
                ref = _new("w:r")
                rpr = _new("w:rPr")
                rpr.append(_new("w:rStyle", val="CommentReference"))
                ref.append(rpr)
                ref.append(_new("w:annotationRef"))
                p.append(ref)
            r = _new("w:r")
            t = _new("w:t")
            _set_text(t, line)
            r.append(t)
            p.append(r)
            el.append(p)
        self.comments_root.append(el)
        return str(cid)

    def comment(self, first: Any, last: Any, text: str) -> None:
        cid = self._new_comment_id(text)
        first.addprevious(_new("w:commentRangeStart", id=cid))
        end = _new("w:commentRangeEnd", id=cid)
        last.addnext(end)
        ref_run = _new("w:r")
        ref_run.append(_new("w:commentReference", id=cid))
        end.addnext(ref_run)


def _enable_tracking(settings: Any) -> None:
    if settings.find(W + "trackRevisions") is not None:
        return
    el = _new("w:trackRevisions")
    pos = _SETTINGS_ORDER.index("trackRevisions")
    later = {W + name for name in _SETTINGS_ORDER[pos + 1:]}
    for child in settings.iterchildren():
        if child.tag in later:
            child.addprevious(el)
            return
    settings.append(el)


def _comment_text(f: Finding) -> str:
    text = f.message
    if f.source:
        text += "\n" + tr("proofread.comment.source", source=f.source)
    return text


def track_changes(source_path: Path, doc: Document, findings: Sequence[Finding], target: Path,
                  *, author: str = AUTHOR, comments: bool = True,
                  now: dt.datetime | None = None) -> TrackStats:
    """Write ``source_path`` to ``target`` with ``findings`` (offsets into ``doc.text``, where
    ``doc = load_document(source_path)``) as tracked changes by "GENNAI" plus comments, and
    return what was written and what was left out (``tasks.export`` reports the counts)."""
    import docx
    try:
        document = docx.Document(str(source_path))
    except Exception as exc:  # noqa: BLE001 - any parse failure is a user-facing output error
        raise OutputError("proofread.error.docx_unreadable", path=str(target),
                          reason=f"{type(exc).__name__}: {exc}"[:300]) from exc
    stats = TrackStats()
    writer = _Writer(document, author, now or dt.datetime.now(dt.UTC), reserve=len(findings) + 1)
    token = _HIDDEN.set(hidden_text_of(document))
    try:
        _track(document, doc, findings, writer, comments, stats)
    finally:
        _HIDDEN.reset(token)
    _enable_tracking(document.settings.element)
    with atomic_path(target) as tmp:
        document.save(str(tmp))
    return stats


def _track(document: Any, doc: Document, findings: Sequence[Finding], writer: _Writer,
           comments: bool, stats: TrackStats) -> None:
    seg_map = _map_blocks(document.element.body, doc)
    per_para: dict[int, tuple[Any, list[tuple[int, int, Finding]]]] = {}
    starts = [b.start for b in doc.blocks]
    for f in findings:
        if doc.text[f.start:f.end] != f.original or f.start >= f.end:
            stats.skipped.append(f)
            continue
        idx = _block_index(doc, f.start, starts)
        block = doc.blocks[idx] if idx is not None else None
        if block is None or f.end > block.end or idx not in seg_map:
            stats.skipped.append(f)
            continue
        ls, le = f.start - block.start, f.end - block.start
        seg = next((s for s in seg_map[idx] if s.start <= ls and le <= s.end), None)
        if seg is None:
            stats.skipped.append(f)
            continue
        ps, pe = ls - seg.start + seg.raw_offset, le - seg.start + seg.raw_offset
        per_para.setdefault(id(seg.p), (seg.p, []))[1].append((ps, pe, f))
    for p, items in per_para.values():
        items.sort(key=lambda t: (t[0], t[1]))
        # drop overlaps, then edit right to left so earlier offsets stay valid
        kept: list[tuple[int, int, Finding]] = []
        hints = [it for it in items if it[2].severity == "hint" and not it[2].is_replacement]
        for it in items:
            if it in hints:
                continue
            if kept and it[0] < kept[-1][1]:
                stats.skipped.append(it[2])
                continue
            kept.append(it)
        # a sentence-wide hint (長文) becomes a comment on the longest part of its sentence
        # that no edit touches: Word comment ranges must not cut through our revisions
        for hs, he, f in hints:
            gap = _largest_gap(hs, he, [(s, e) for s, e, _ in kept])
            if gap is None:
                stats.skipped.append(f)
                continue
            kept.append((gap[0], gap[1], f))
        kept.sort(key=lambda t: (t[0], t[1]))
        for ps, pe, f in reversed(kept):
            if _apply_one(writer, p, ps, pe, f, comments, stats) is False:
                stats.skipped.append(f)


def _apply_one(writer: _Writer, p: Any, ps: int, pe: int, f: Finding, comments: bool,
               stats: TrackStats) -> bool:
    if f.is_replacement:
        pre, suf, inserted = _trim(f.original, f.suggestion)
        runs = _runs_for(p, ps + pre, pe - suf)
        if runs is None:
            return False
        first, last = writer.revision(runs, inserted)
        stats.revisions += 1
    else:
        runs = _runs_for(p, ps, pe)
        if runs is None:
            return False
        first, last = runs[0], runs[-1]
    if comments:
        writer.comment(first, last, _comment_text(f))
        stats.comments += 1
    return True


def _largest_gap(start: int, end: int, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The longest sub-range of [start, end) overlapping none of ``taken``."""
    best: tuple[int, int] | None = None
    pos = start
    for s, e in sorted(taken) + [(end, end)]:
        if e <= pos:
            continue
        gs, ge = pos, min(s, end)
        if ge > gs and (best is None or ge - gs > best[1] - best[0]):
            best = (gs, ge)
        pos = max(pos, e)
        if pos >= end:
            break
    return best


def _block_index(doc: Document, offset: int, starts: list[int]) -> int | None:
    if not doc.blocks:
        return None
    i = bisect.bisect_right(starts, offset) - 1
    return max(0, min(i, len(doc.blocks) - 1))
