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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..core.document import Block, Document, table_text
from ..core.errors import DocumentError
from .limits import DEFAULT_LIMITS, Limits
from .normalize import normalize_safe
from .ooxml import R_ID, W, body_elements, paragraph_pieces, table_cells
from .txt_reader import decode_text, detect_encoding, EncodingUnknown
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

    def selector(content_type: str, reltype: str):  # noqa: ANN202
        if reltype == _RT_ALT_CHUNK:
            return Part
        return previous(content_type, reltype) if previous is not None else None

    selector._gennai_alt_chunk = True  # type: ignore[attr-defined]
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
        title = next((b.text for b in blocks if b.kind == "heading" and (b.style or "").split(";")[0].lower()
                      in _TITLE_NAMES), "") or next((b.text for b in blocks if b.kind == "heading"), "")
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
        style = name
        align = {"center": "center", "right": "right", "end": "right"}.get(jc or "")
        if align:
            style += ";align:" + align
        if indent:
            style += f";indent:{indent}"
        index = len(self.blocks)
        bid = f"b{index:04d}"
        if kind == "heading":
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
        self._add(Block(id=bid, kind=kind, text=text, level=level,
                        heading_path=path_now, style=style))

    def _classify(self, info: _StyleInfo | None, outline: int | None, num_id: str | None,
                  ilvl: int | None) -> tuple[str, int]:
        chain = list(self._chain(info))
        for st in chain:
            m = _HEADING_NAME_RE.match(st.name.strip())
            if m:
                return "heading", int(m.group(1))
            if st.name.strip().lower() in _TITLE_NAMES:
                return "heading", 1
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
        self._add(Block(id=f"t{index:04d}", kind="table", text=table_text(rows),
                        heading_path=tuple(t for _, t in self.stack),
                        rows=rows, style=self._table_style_name(tbl)))

    def _table_style_name(self, tbl: Any) -> str | None:
        sid = _table_style(tbl)
        return self.table_styles.get(sid, sid) if sid else None


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
    """Which runs Word does not show: w:vanish on the run, on its character style, or on
    the paragraph's style (styles resolved through w:basedOn). Hidden text is not part of
    the document the reader sees, so no task may summarise, translate or quote it."""

    def __init__(self, char_styles: set[str], para_styles: set[str], default_para: str | None) -> None:
        self.char_styles = char_styles
        self.para_styles = para_styles
        self.default_para = default_para
        self.dropped = False

    @classmethod
    def of(cls, document: Any, default_para: str | None) -> "HiddenText":
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

        def resolved(kind: str, sid: str) -> bool:
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

    def paragraph_default(self, p: Any) -> bool:
        if not self.para_styles:
            return False
        ppr = p.find(W + "pPr")
        sid = _val(ppr.find(W + "pStyle")) if ppr is not None else None
        return (sid or self.default_para or "") in self.para_styles

    def run(self, r: Any, para_hidden: bool) -> bool:
        rpr = r.find(W + "rPr")
        hidden = _vanish(rpr)
        if hidden is None:
            style = _val(rpr.find(W + "rStyle")) if rpr is not None else None
            hidden = style in self.char_styles or para_hidden
        if hidden and any((t.text or "").strip() for t in r.iter(W + "t")):
            self.dropped = True
        return hidden


def hidden_text_of(document: Any) -> HiddenText:
    """The HiddenText rules of a python-docx Document (for writers that must read paragraphs
    exactly as ``read_docx`` did, such as the tracked-changes writer)."""
    return HiddenText.of(document, _load_styles(document)[1])


# -- altChunk helpers ----------------------------------------------------------------------------

_HTML_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dt", "dd", "pre",
                "blockquote", "div", "caption", "address"}


_HTML_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


def _html_texts(blob: bytes) -> list[str]:
    """Block texts of an HTML/XHTML part: innermost block elements in order, script/style
    dropped. lxml's HTML parser reads no DTD, entities or network resources."""
    import codecs

    import lxml.html

    m = _HTML_CHARSET_RE.search(blob[:4096])
    enc = None
    if m:
        try:
            enc = codecs.lookup(m.group(1).decode("ascii")).name
        except LookupError:
            enc = None
    if enc is None:        # no (usable) declaration: lxml would assume Latin-1
        try:
            enc, _ = detect_encoding(blob[:1024 * 1024], complete=len(blob) <= 1024 * 1024)
        except EncodingUnknown:
            enc = "utf-8"
    text = blob.decode(enc, "replace").lstrip("\ufeff")
    text = _XML_DECL_RE.sub("", text, count=1)   # lxml refuses str input with an encoding decl
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

def paragraph_text(p: Any, hidden: "HiddenText | None" = None) -> str:
    """Visible text of a w:p in the current revision (see module docstring); with ``hidden``,
    runs formatted as hidden (w:vanish, directly or through their styles) are left out."""
    return "".join(piece.text for piece in paragraph_pieces(p, hidden))


def table_rows(tbl: Any, hidden: "HiddenText | None" = None) -> tuple[tuple[str, ...], ...]:
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
    except Exception:  # noqa: BLE001
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
