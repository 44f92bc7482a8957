"""Read a .docx into blocks in reading order (paragraphs and tables interleaved).

python-docx opens the package (its lxml parser has ``resolve_entities=False``; ``zipscan``
has already refused bombs and DTDs). We then walk the body XML ourselves because
``Paragraph.text`` drops tracked insertions (``w:ins``) and would include ruby readings;
here inserted text counts, deleted text and ruby (furigana) readings do not, and
``mc:Fallback`` copies of text boxes are skipped so nothing is read twice.

Relationships with ``TargetMode="External"`` (linked images, templates, sub-documents) are
never followed: python-docx only records their URL and we never resolve them.

Block ``style`` is the source style name, plus layout hints the writer understands
(``"Normal;align:right"``, ``";indent:1"``) so a read → write round trip keeps them.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.document import Block, BlockKind, Document, table_text
from ..core.errors import DocumentError
from .docx_numbering import Numbering, _all_paragraphs
from .html_reader import decode_html
from .kinds import CAPTION_RE, is_speaker, is_url_only, list_label, note_label, reference_sections
from .limits import DEFAULT_LIMITS, Limits
from .normalize import normalize_safe
from .ooxml import R_ID, W, body_elements, paragraph_pieces, table_cells
from .txt_reader import decode_text
from .zipscan import prescan_zip

_HEADING_NAME_RE = re.compile(r"^(?:heading|見出し)\s*([1-9])$", re.IGNORECASE)
_TITLE_NAMES = {"title", "表題"}
_LIST_NAME_RE = re.compile(r"^list (bullet|number)(?: ([2-9]))?$", re.IGNORECASE)

@dataclass
class _StyleInfo:
    name: str
    based_on: str | None
    outline: int | None
    num_id: str | None
    ilvl: int | None


_RT_ALT_CHUNK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk"


def _install_alt_chunk_selector() -> None:
    """Make python-docx keep altChunk parts as opaque blobs. Word gives an embedded .docx
    the main-document content type, and python-docx would parse that zip as XML and refuse
    the whole outer document. Wraps python-docx's own selector (it picks ImagePart)."""
    from docx.opc.part import Part, PartFactory

    previous = PartFactory.part_class_selector
    if getattr(previous, "_gennai_alt_chunk", False):
        return

    def selector(content_type: str, reltype: str) -> Any:
        if reltype == _RT_ALT_CHUNK:
            return Part
        return previous(content_type, reltype) if previous is not None else None

    selector._gennai_alt_chunk = True  # type: ignore[attr-defined]  # marks our selector so it is installed once
    PartFactory.part_class_selector = selector


def read_docx(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    import docx  # python-docx; imported lazily so txt/pdf users do not pay for it
    from docx.opc.exceptions import PackageNotFoundError

    _install_alt_chunk_selector()

    try:
        document = docx.Document(str(path))
    except PackageNotFoundError as exc:
        raise DocumentError("documents.error.corrupt", path=str(path), reason=str(exc)) from exc
    except ValueError as exc:
        if "not a Word file" in str(exc):  # e.g. an .xlsx renamed to .docx
            raise DocumentError("documents.error.unsupported", path=str(path), ext=path.suffix) from exc
        raise
    reader = _BodyReader(document, limits, path)
    blocks = reader.read()
    warnings = list(reader.warnings)
    if reader.hidden.dropped:
        warnings.append("documents.warning.hidden_text")
    if not any(b.text.strip() for b in blocks):
        raise DocumentError("documents.error.no_text", path=str(path))
    title = ""
    try:
        title = (document.core_properties.title or "").strip()
    except Exception:  # noqa: BLE001 - core properties are optional and often broken
        title = ""
    if not title:
        title = next((b.text for b in blocks if b.kind == "title"), "") or next(
            (b.text for b in blocks if b.kind == "heading"), "")
    doc = Document(path=path, format="docx", blocks=blocks, title=(title or path.stem)[:200])
    doc.warnings.extend(warnings)
    return doc


class _BodyReader:
    def __init__(self, document: Any, limits: Limits, path: Path, depth: int = 0) -> None:
        self.limits = limits
        self.path = path
        self.depth = depth
        self.document = document
        self.chars = 0
        self.warnings: list[str] = []
        self.body = document.element.body
        self.styles, self.default_style = _load_styles(document)
        self.hidden = HiddenText.of(document, self.default_style)
        self.table_styles = _load_table_style_names(document)
        self.num_formats = _load_numbering(document)
        self.blocks: list[Block] = []
        self.stack: list[tuple[int, str]] = []
        self.anchors: dict[Any, str] = {}

    # -- body walk -------------------------------------------------------------------------
    def read(self) -> list[Block]:
        for el in body_elements(self.body, alt_chunks=True):
            if len(self.blocks) >= self.limits.max_docx_blocks:
                raise DocumentError("documents.error.too_many_blocks", path=str(self.path),
                                    limit=f"{self.limits.max_docx_blocks:,}",
                                    count=f"{len(self.blocks):,}+")
            if el.tag == W + "p":
                self._paragraph(el)
            elif el.tag == W + "tbl":
                self._table(el)
            elif el.tag == W + "altChunk":
                self._alt_chunk(el)
        if self.depth == 0:
            self._notes()
            self.blocks = reference_sections(self.blocks)
        return self.blocks

    def _add(self, block: Block) -> None:
        """Append a block, refusing the document once it passes the character cap."""
        self.chars += len(block.text) + 1
        if self.chars > self.limits.max_text_chars:
            raise DocumentError("documents.error.too_many_chars", path=str(self.path),
                                limit=f"{self.limits.max_text_chars:,}", count=f"{self.chars:,}+")
        if len(self.blocks) >= self.limits.max_docx_blocks:
            raise DocumentError("documents.error.too_many_blocks", path=str(self.path),
                                limit=f"{self.limits.max_docx_blocks:,}",
                                count=f"{len(self.blocks):,}+")
        self.blocks.append(block)

    # -- altChunk: another document embedded as a part (HTML, text, .docx) -----------------
    def _alt_chunk(self, el: Any) -> None:
        """Read an embedded part's text as blocks (ids "a…") or record a notice.

        Word shows altChunk content as part of the document, so dropping it silently would
        summarise or translate less than the user sees. HTML/XHTML is read with lxml's HTML
        parser (no network, no entities), plain text with the .txt decoder, an embedded
        .docx with this reader after the same zip pre-scan (one level deep only). RTF, MHT
        and others are reported (documents.warning.altchunk_skipped)."""
        rid = el.get(R_ID)
        try:
            part = self.document.part.related_parts[rid]
            ctype, blob = part.content_type, part.blob
        except Exception:  # noqa: BLE001 - a dangling relationship: nothing to read
            self._warn("documents.warning.altchunk_skipped")
            return
        texts: list[str] | None = None
        try:
            if ctype in ("text/html", "application/xhtml+xml"):
                texts = _html_texts(blob)
            elif ctype == "text/plain":
                texts = decode_text(blob[:self.limits.max_txt_bytes]).split("\n")
            elif blob[:4] == b"PK\x03\x04" and self.depth == 0:
                texts = self._docx_chunk_texts(blob)
        except DocumentError as exc:
            if exc.key in ("documents.error.too_many_chars", "documents.error.too_many_blocks"):
                raise
            texts = None
        except Exception:  # noqa: BLE001 - a broken embedded part must not lose the document
            texts = None
        if texts is None:
            self._warn("documents.warning.altchunk_skipped")
            return
        for text in texts:
            text = normalize_safe(text).strip()
            if text:
                self._add(Block(id=f"a{len(self.blocks):04d}", kind="paragraph", text=text,
                                heading_path=tuple(t for _, t in self.stack), style="Normal"))
        self._warn("documents.warning.altchunk_read")

    def _docx_chunk_texts(self, blob: bytes) -> list[str]:
        import io

        import docx
        prescan_zip(io.BytesIO(blob), self.limits, name=f"{self.path} (altChunk)")
        inner = _BodyReader(docx.Document(io.BytesIO(blob)), self.limits, self.path, depth=1)
        inner.chars = self.chars
        return [b.text for b in inner.read()]

    def _warn(self, key: str) -> None:
        if key not in self.warnings:
            self.warnings.append(key)

    def _paragraph(self, p: Any) -> None:
        text = normalize_safe(paragraph_text(p, self.hidden)).strip("\n")
        if not text.strip():
            return
        style_id, outline, num_id, ilvl, jc, indent = _paragraph_props(p)
        info = self.styles.get(style_id or self.default_style or "")
        name = info.name if info else (style_id or "Normal")
        kind, level = self._classify(info, outline, num_id, ilvl)
        numbered = self.hidden.labels.get(p)
        label = numbered[0] if numbered and text.startswith(numbered[0]) else _typed_label(kind, text)
        kind = _kind_from_text(kind, text, name, label)
        if kind == "note" and not label:
            label = note_label(text)
        style = name
        align = {"center": "center", "right": "right", "end": "right"}.get(jc or "")
        if align:
            style += ";align:" + align
        if indent:
            style += f";indent:{indent}"
        index = len(self.blocks)
        bid = f"b{index:04d}"
        if kind in ("heading", "title"):
            while self.stack and self.stack[-1][0] >= level:
                self.stack.pop()
            path_now = tuple(t for _, t in self.stack)
            self.stack.append((level, text))
        else:
            path_now = tuple(t for _, t in self.stack)
            if kind == "list_item" and num_id:
                fmt = self.num_formats.get((num_id, max(level - 1, 0)))
                if fmt and not _LIST_NAME_RE.match(name):
                    style += ";list:" + ("bullet" if fmt == "bullet" else "number")
        if kind not in ("heading", "list_item"):
            level = 0
        if numbered and label:
            style += ";label:auto"      # drawn by Word's numbering, not typed (docx_writer)
        self._note_anchors(p, bid)
        self._add(Block(id=bid, kind=kind, text=text, level=level,
                        heading_path=path_now, style=style, label=label))

    def _note_anchors(self, el: Any, bid: str) -> None:
        for ref in el.iter(W + "footnoteReference", W + "endnoteReference"):
            self.anchors.setdefault(ref, bid)

    def _notes(self) -> None:
        """Footnotes and endnotes as note blocks after the body, in the order of their
        references; each names the block that cites it (``anchor``)."""
        if not self.hidden.notes:
            return
        parts = _note_parts(self.document)
        done: set[tuple[str, str]] = set()
        for which, note_id, ref in self.hidden.notes:
            if (which, note_id) in done:
                continue
            done.add((which, note_id))
            note = parts.get(which, {}).get(note_id)
            if note is None:
                continue
            body = "\n".join(t for t in (normalize_safe(paragraph_text(q, self.hidden)).strip()
                                          for q in body_elements(note) if q.tag == W + "p") if t)
            if not body:
                continue
            mark = self.hidden.note_mark(ref).translate(_PLAIN_DIGITS)
            text = f"{mark}\u3000{body}" if mark else body
            bid = f"b{len(self.blocks):04d}"
            self._add(Block(id=bid, kind="note", text=text, label=mark, anchor=self.anchors.get(ref),
                            heading_path=(), style=("Footnote Text" if which == "footnote" else "Endnote Text")))

    def _classify(self, info: _StyleInfo | None, outline: int | None, num_id: str | None,
                  ilvl: int | None) -> tuple[BlockKind, int]:
        chain = list(self._chain(info))
        for st in chain:
            m = _HEADING_NAME_RE.match(st.name.strip())
            if m:
                return "heading", int(m.group(1))
            if st.name.strip().lower() in _TITLE_NAMES:
                return "title", 1
        if outline is None:
            outline = next((st.outline for st in chain if st.outline is not None), None)
        if outline is not None and 0 <= outline < 9:
            return "heading", outline + 1
        name_level = None
        for st in chain:
            m = _LIST_NAME_RE.match(st.name.strip())
            if m:
                name_level = int(m.group(2) or 1)
                break
        if num_id is None:
            for st in chain:
                if st.num_id is not None:
                    num_id = st.num_id
                    if ilvl is None:
                        ilvl = st.ilvl
                    break
        if num_id is not None and num_id != "0":
            # List levels are 1-based like heading levels (1 = top).
            return "list_item", ilvl + 1 if ilvl is not None else (name_level or 1)
        if name_level is not None:
            return "list_item", name_level
        return "paragraph", 0

    def _chain(self, info: _StyleInfo | None) -> Iterator[_StyleInfo]:
        seen: set[int] = set()
        while info is not None and id(info) not in seen and len(seen) < 20:
            seen.add(id(info))
            yield info
            info = self.styles.get(info.based_on) if info.based_on else None

    def _table(self, tbl: Any) -> None:
        rows = table_rows(tbl, self.hidden)
        if not any(cell.strip() for row in rows for cell in row):
            return
        index = len(self.blocks)
        self._note_anchors(tbl, f"t{index:04d}")
        self._add(Block(id=f"t{index:04d}", kind="table", text=table_text(rows),
                        heading_path=tuple(t for _, t in self.stack),
                        rows=rows, style=self._table_style_name(tbl)))

    def _table_style_name(self, tbl: Any) -> str | None:
        sid = _table_style(tbl)
        return self.table_styles.get(sid, sid) if sid else None


# -- kinds from text and style ---------------------------------------------------------------

_CAPTION_STYLES = ("caption", "図表番号")
_NOTE_STYLES = ("footnote text", "endnote text", "脚注文字列", "文末脚注文字列")
_PLAIN_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _typed_label(kind: str, text: str) -> str:
    """A bullet or number typed at the start of a paragraph (「・ポリシーエンジン」「（１）」)."""
    return list_label(text) if kind == "paragraph" else ""


def _kind_from_text(kind: BlockKind, text: str, style_name: str, label: str) -> BlockKind:
    """Refine a paragraph's kind from its style name and text: captions, notes (※, 注),
    URL-only lines; a numbered paragraph is a list item (its number is its label)."""
    name = style_name.strip().lower()
    if kind in ("heading", "title"):
        return kind
    if name in _CAPTION_STYLES or (len(text) <= 80 and CAPTION_RE.match(text.lstrip(" \u3000"))):
        return "caption"
    if name in _NOTE_STYLES or note_label(text):
        return "note"
    if is_url_only(text):
        return "url"
    if label and kind == "paragraph" and not is_speaker(label):
        return "list_item"
    return kind


def _note_parts(document: Any) -> dict[str, dict[str, Any]]:
    """footnotes.xml / endnotes.xml: note id → w:footnote / w:endnote element (separators
    left out). Parsed with python-docx's parser (no entities, no network)."""
    from docx.oxml import parse_xml

    out: dict[str, dict[str, Any]] = {}
    try:
        rels = list(document.part.rels.values())
    except Exception:  # noqa: BLE001 - no relationships
        return out
    for rel in rels:
        if getattr(rel, "is_external", False):
            continue
        reltype = str(getattr(rel, "reltype", ""))
        which = "footnote" if reltype.endswith("/footnotes") else "endnote" if reltype.endswith("/endnotes") else None
        if which is None:
            continue
        try:
            part = rel.target_part
            root = getattr(part, "element", None)
            if root is None:
                root = parse_xml(part.blob)
        except Exception:  # noqa: BLE001 - a broken notes part loses the notes, not the document
            continue
        notes: dict[str, Any] = {}
        for note in root.iterchildren(W + which):
            if note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            nid = note.get(W + "id")
            if nid is not None:
                notes[nid] = note
        out[which] = notes
    return out


# -- hidden text (w:vanish) ---------------------------------------------------------------------

_FALSE = ("0", "false", "off")


def _vanish(rpr: Any) -> bool | None:
    """True/False when ``rpr`` sets w:vanish (hidden text), None when it says nothing."""
    if rpr is None:
        return None
    v = rpr.find(W + "vanish")
    if v is None:
        return None
    return (v.get(W + "val") or "true").lower() not in _FALSE


class HiddenText:
    """What Word shows of a paragraph beyond its runs, and which runs it does not show.

    Hidden: w:vanish on the run, on its character style, or on the paragraph's style (styles
    resolved through w:basedOn), and the results of PAGE/NUMPAGES/PAGEREF/TOC fields (page
    numbers and a generated table of contents are not the author's text). Hidden text is
    not part of the document the reader sees, so no task may summarise, translate or quote
    it. Shown although not in the runs: the automatic number or bullet of a list paragraph
    (``label_of``) and the number of a footnote/endnote reference (``note_mark``), both
    computed once for the whole body in document order (``docx_numbering``)."""

    def __init__(self, char_styles: set[str], para_styles: set[str], default_para: str | None) -> None:
        self.char_styles = char_styles
        self.para_styles = para_styles
        self.default_para = default_para
        self.dropped = False
        self.labels: dict[Any, tuple[str, str]] = {}
        self.marks: dict[Any, str] = {}
        self.notes: list[tuple[str, str, Any]] = []      # (footnote|endnote, id, reference element)
        self.field_runs: set[Any] = set()

    @classmethod
    def of(cls, document: Any, default_para: str | None) -> HiddenText:
        self = cls._styles(document, default_para)
        try:
            body = document.element.body
        except Exception:  # noqa: BLE001 - no body: nothing else to compute
            return self
        styles, _ = _load_styles(document)
        style_numbering: dict[str, tuple[str | None, int | None]] = {
            sid: (st.num_id, st.ilvl) for sid, st in styles.items() if st.num_id is not None}
        for sid, st in styles.items():      # numbering inherited through w:basedOn
            base: _StyleInfo | None = st
            seen = 0
            while sid not in style_numbering and base is not None and base.based_on and seen < 20:
                base, seen = styles.get(base.based_on), seen + 1
                if base is not None and base.num_id is not None:
                    style_numbering[sid] = (base.num_id, base.ilvl)
        numbering = Numbering(document, style_numbering)

        def props(p: Any) -> tuple[str | None, str | None, int | None]:
            style_id, _, num_id, ilvl, _, _ = _paragraph_props(p)
            return style_id or default_para, num_id, ilvl

        self.labels = numbering.labels(body, props)
        self._scan_fields_and_notes(body)
        return self

    @classmethod
    def _styles(cls, document: Any, default_para: str | None) -> HiddenText:
        own: dict[tuple[str, str], tuple[bool | None, str | None]] = {}
        try:
            root = document.styles.element
        except Exception:  # noqa: BLE001 - no styles part
            return cls(set(), set(), default_para)
        for st in root.iterchildren(W + "style"):
            sid = st.get(W + "styleId")
            if sid:
                kind = st.get(W + "type", "paragraph")
                own[(kind, sid)] = (_vanish(st.find(W + "rPr")), _val(st.find(W + "basedOn")))

        def resolved(kind: str, sid: str | None) -> bool:
            seen = 0
            while sid and seen < 20:
                value, based = own.get((kind, sid), (None, None))
                if value is not None:
                    return value
                sid, seen = based, seen + 1
            return False

        chars = {sid for kind, sid in own if kind == "character" and resolved(kind, sid)}
        paras = {sid for kind, sid in own if kind == "paragraph" and resolved(kind, sid)}
        return cls(chars, paras, default_para)

    def _scan_fields_and_notes(self, body: Any) -> None:
        """One pass over every run in document order: runs inside the result of a field
        that is not text (PAGE, PAGEREF, TOC …, also across paragraphs), and the number of
        each footnote/endnote reference (1, 2, 3 … in order of appearance)."""
        stack: list[list[Any]] = []        # [instruction, in_result]
        counters = {"footnote": 0, "endnote": 0}
        for p in _all_paragraphs(body):
            for el in _runs_in_order(p):
                tag = el.tag
                if tag == W + "fldSimple":
                    if _dropped_field(el.get(W + "instr") or ""):
                        self.field_runs.update(el.iter(W + "r"))
                    continue
                if any(result and _dropped_field(instr) for instr, result in stack):
                    self.field_runs.add(el)
                for child in el.iterchildren():
                    ctag = child.tag
                    if ctag == W + "fldChar":
                        kind = child.get(W + "fldCharType")
                        if kind == "begin":
                            stack.append(["", False])
                        elif kind == "separate" and stack:
                            stack[-1][1] = True
                        elif kind == "end" and stack:
                            stack.pop()
                    elif ctag == W + "instrText" and stack and not stack[-1][1]:
                        stack[-1][0] += child.text or ""
                    elif ctag in (W + "footnoteReference", W + "endnoteReference"):
                        which = "footnote" if ctag == W + "footnoteReference" else "endnote"
                        custom = (child.get(W + "customMarkFollows") or "").lower() in ("1", "true", "on")
                        note_id = child.get(W + "id") or ""
                        if not custom:
                            counters[which] += 1
                            self.marks[child] = str(counters[which]).translate(_SUPERSCRIPT)
                        self.notes.append((which, note_id, child))

    def paragraph_default(self, p: Any) -> bool:
        if not self.para_styles:
            return False
        ppr = p.find(W + "pPr")
        sid = _val(ppr.find(W + "pStyle")) if ppr is not None else None
        return (sid or self.default_para or "") in self.para_styles

    def run(self, r: Any, para_hidden: bool) -> bool:
        if self.field_runs and r in self.field_runs:
            return True
        rpr = r.find(W + "rPr")
        hidden = _vanish(rpr)
        if hidden is None:
            style = _val(rpr.find(W + "rStyle")) if rpr is not None else None
            hidden = style in self.char_styles or para_hidden
        if hidden and any((t.text or "").strip() for t in r.iter(W + "t")):
            self.dropped = True
        return hidden

    def label_of(self, p: Any) -> str:
        label = self.labels.get(p)
        return label[0] + label[1] if label else ""

    def note_mark(self, ref: Any) -> str:
        return self.marks.get(ref, "")


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# fields whose result is not the author's text: page numbers, a generated table of contents
_DROPPED_FIELDS = ("PAGE", "NUMPAGES", "SECTIONPAGES", "PAGEREF", "TOC", "SECTION")


def _dropped_field(instr: str) -> bool:
    words = instr.strip().split()
    return bool(words) and words[0].upper() in _DROPPED_FIELDS


def _runs_in_order(p: Any) -> Iterator[Any]:
    """w:r and w:fldSimple of a paragraph in document order (not inside text boxes, deleted
    text or mc:Fallback copies)."""
    for child in p.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in (W + "del", W + "moveFrom", W + "pPr") or tag.endswith("}Fallback"):
            continue
        if tag == W + "r":
            yield child
        elif tag == W + "fldSimple":
            yield child
            yield from _runs_in_order(child)
        elif tag != W + "txbxContent":
            yield from _runs_in_order(child)


def hidden_text_of(document: Any) -> HiddenText:
    """The HiddenText rules of a python-docx Document (for writers that must read paragraphs
    exactly as ``read_docx`` did, such as the tracked-changes writer)."""
    return HiddenText.of(document, _load_styles(document)[1])


# -- altChunk helpers ----------------------------------------------------------------------------

_HTML_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dt", "dd", "pre",
                "blockquote", "div", "caption", "address"}


def _html_texts(blob: bytes) -> list[str]:
    """Block texts of an HTML/XHTML part: innermost block elements in order, script/style
    dropped. lxml's HTML parser reads no DTD, entities or network resources."""
    import lxml.html

    text = decode_html(blob)         # the charset rule of .html files, for altChunk parts too
    if not text.strip():
        return []
    root = lxml.html.document_fromstring(text)
    for bad in root.xpath("//script|//style|//head"):
        bad.drop_tree()
    out: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag.lower() not in _HTML_BLOCKS:
            continue
        if any(isinstance(d.tag, str) and d.tag.lower() in _HTML_BLOCKS for d in el.iterdescendants()):
            continue
        out.append(el.text_content())
    if not out:
        out = root.text_content().split("\n")
    return out


# -- XML helpers -------------------------------------------------------------------------------

def paragraph_text(p: Any, hidden: HiddenText | None = None) -> str:
    """Visible text of a w:p in the current revision (see module docstring); with ``hidden``,
    runs formatted as hidden (w:vanish, directly or through their styles) are left out."""
    return "".join(piece.text for piece in paragraph_pieces(p, hidden))


def table_rows(tbl: Any, hidden: HiddenText | None = None) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = []
    for tr in tbl.iterchildren(W + "tr"):
        cells: list[str] = []
        for tc in table_cells(tr):
            parts: list[str] = []
            for el in body_elements(tc):
                if el.tag == W + "p":
                    parts.append(normalize_safe(paragraph_text(el, hidden)))
                else:
                    parts.append("\n".join(" ".join(r) for r in table_rows(el, hidden)))
            cells.append("\n".join(parts).strip("\n"))
        rows.append(tuple(cells))
    return tuple(rows)


def _table_style(tbl: Any) -> str | None:
    el = tbl.find(f"{W}tblPr/{W}tblStyle")
    return el.get(W + "val") if el is not None else None


def _paragraph_props(p: Any) -> tuple[str | None, int | None, str | None, int | None, str | None, int]:
    ppr = p.find(W + "pPr")
    if ppr is None:
        return None, None, None, None, None, 0
    style = _val(ppr.find(W + "pStyle"))
    outline = _int(_val(ppr.find(W + "outlineLvl")))
    num_id = ilvl = None
    numpr = ppr.find(W + "numPr")
    if numpr is not None:
        num_id = _val(numpr.find(W + "numId"))
        ilvl = _int(_val(numpr.find(W + "ilvl")))
    jc = _val(ppr.find(W + "jc"))
    indent = 0
    ind = ppr.find(W + "ind")
    if ind is not None:
        chars = _int(ind.get(W + "firstLineChars"))
        if chars:
            indent = max(0, round(chars / 100))
        else:
            twips = _int(ind.get(W + "firstLine"))
            if twips:
                indent = max(0, round(twips / 210))  # 10.5 pt body text = 210 twips per character
    return style, outline, num_id, ilvl, jc, indent


def _val(el: Any) -> str | None:
    return el.get(W + "val") if el is not None else None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return int(float(value))
        except ValueError:
            return None


def _load_styles(document: Any) -> tuple[dict[str, _StyleInfo], str | None]:
    styles: dict[str, _StyleInfo] = {}
    default: str | None = None
    try:
        root = document.styles.element
    except Exception:  # noqa: BLE001 - a document without styles.xml is legal
        return styles, None
    for st in root.iterchildren(W + "style"):
        sid = st.get(W + "styleId")
        if not sid or st.get(W + "type", "paragraph") != "paragraph":
            continue
        name = _val(st.find(W + "name")) or sid
        based = _val(st.find(W + "basedOn"))
        ppr = st.find(W + "pPr")
        outline = num_id = ilvl = None
        if ppr is not None:
            outline = _int(_val(ppr.find(W + "outlineLvl")))
            numpr = ppr.find(W + "numPr")
            if numpr is not None:
                num_id = _val(numpr.find(W + "numId"))
                ilvl = _int(_val(numpr.find(W + "ilvl")))
        styles[sid] = _StyleInfo(_pretty_style_name(name), based, outline, num_id, ilvl)
        if st.get(W + "default") in ("1", "true", "on"):
            default = sid
    return styles, default


def _load_table_style_names(document: Any) -> dict[str, str]:
    try:
        root = document.styles.element
    except Exception:  # noqa: BLE001 - no styles part: no styles
        return {}
    return {st.get(W + "styleId"): _val(st.find(W + "name")) or st.get(W + "styleId")
            for st in root.iterchildren(W + "style")
            if st.get(W + "type") == "table" and st.get(W + "styleId")}


def _pretty_style_name(name: str) -> str:
    """Built-in names are stored lower-case ("heading 1"); show them as Word does."""
    m = _HEADING_NAME_RE.match(name)
    if m and name.lower().startswith("heading"):
        return f"Heading {m.group(1)}"
    if name.lower() in ("normal", "title", "subtitle"):
        return name.capitalize()
    return name


def _load_numbering(document: Any) -> dict[tuple[str, int], str]:
    """(numId, ilvl) → numFmt ("bullet", "decimal", …) for list style hints."""
    try:
        root = document.part.numbering_part.element
    except Exception:  # noqa: BLE001 - no numbering part
        return {}
    abstract: dict[str, dict[int, str]] = {}
    for an in root.iterchildren(W + "abstractNum"):
        levels: dict[int, str] = {}
        for lvl in an.iterchildren(W + "lvl"):
            ilvl = _int(lvl.get(W + "ilvl"))
            fmt = _val(lvl.find(W + "numFmt"))
            if ilvl is not None and fmt:
                levels[ilvl] = fmt
        aid = an.get(W + "abstractNumId")
        if aid is not None:
            abstract[aid] = levels
    out: dict[tuple[str, int], str] = {}
    for num in root.iterchildren(W + "num"):
        nid = num.get(W + "numId")
        aid = _val(num.find(W + "abstractNumId"))
        if nid is None or aid not in abstract:
            continue
        for ilvl, fmt in abstract[aid].items():
            out[(nid, ilvl)] = fmt
    return out
