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

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

_HEADING_NAME_RE = re.compile(r"^(?:heading|見出し)\s*([1-9])$", re.IGNORECASE)
_TITLE_NAMES = {"title", "表題"}
_LIST_NAME_RE = re.compile(r"^list (bullet|number)(?: ([2-9]))?$", re.IGNORECASE)

# Subtrees that never contribute to the visible text of the current revision.
_SKIP = {W + "pPr", W + "rPr", W + "del", W + "moveFrom", W + "rt", W + "instrText",
         W + "delText", W + "fldChar", W + "sectPr", MC_FALLBACK}


@dataclass
class _StyleInfo:
    name: str
    based_on: str | None
    outline: int | None
    num_id: str | None
    ilvl: int | None


def read_docx(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    import docx  # python-docx; imported lazily so txt/pdf users do not pay for it
    from docx.opc.exceptions import PackageNotFoundError

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
    return Document(path=path, format="docx", blocks=blocks, title=(title or path.stem)[:200])


class _BodyReader:
    def __init__(self, document: Any, limits: Limits, path: Path) -> None:
        self.limits = limits
        self.path = path
        self.body = document.element.body
        self.styles, self.default_style = _load_styles(document)
        self.table_styles = _load_table_style_names(document)
        self.num_formats = _load_numbering(document)
        self.blocks: list[Block] = []
        self.stack: list[tuple[int, str]] = []

    # -- body walk -------------------------------------------------------------------------
    def read(self) -> list[Block]:
        for el in body_elements(self.body):
            if len(self.blocks) >= self.limits.max_docx_blocks:
                raise DocumentError("documents.error.too_large", path=str(self.path),
                                    limit=f"{self.limits.max_docx_blocks} blocks")
            if el.tag == W + "p":
                self._paragraph(el)
            elif el.tag == W + "tbl":
                self._table(el)
        return self.blocks

    def _paragraph(self, p: Any) -> None:
        text = normalize_safe(paragraph_text(p)).strip("\n")
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
        self.blocks.append(Block(id=bid, kind=kind, text=text, level=level,
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
        rows = table_rows(tbl)
        if not any(cell.strip() for row in rows for cell in row):
            return
        index = len(self.blocks)
        self.blocks.append(Block(id=f"t{index:04d}", kind="table", text=table_text(rows),
                                 heading_path=tuple(t for _, t in self.stack),
                                 rows=rows, style=self._table_style_name(tbl)))

    def _table_style_name(self, tbl: Any) -> str | None:
        sid = _table_style(tbl)
        return self.table_styles.get(sid, sid) if sid else None


# -- XML helpers -------------------------------------------------------------------------------

def body_elements(parent: Any) -> Iterator[Any]:
    """Block-level w:p / w:tbl in reading order, descending into content controls.

    Public because the tracked-changes writer must walk the body exactly the same way:
    block ids and offsets in ``Document.text`` depend on this order. For
    mc:AlternateContent only the first Choice is read (as Word does), never the Fallback.
    """
    for child in parent.iterchildren():
        tag = child.tag
        if tag in (W + "p", W + "tbl"):
            yield child
        elif tag in (W + "sdt", W + "customXml", W + "sdtContent", W + "ins", W + "moveTo"):
            yield from body_elements(child)
        elif tag == "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent":
            for choice in child.iterchildren():
                if choice.tag != MC_FALLBACK:
                    yield from body_elements(choice)
                    break
                    break


def paragraph_text(p: Any) -> str:
    """Visible text of a w:p in the current revision (see module docstring)."""
    out: list[str] = []
    _collect(p, out)
    return "".join(out)


def _collect(el: Any, out: list[str]) -> None:
    for child in el.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == W + "t":
            if child.text:
                out.append(child.text)
        elif tag == W + "tab":
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            if child.get(W + "type") not in ("page", "column"):
                out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "p":   # text box paragraph nested inside a run
            if out and out[-1] != "\n":
                out.append("\n")
            _collect(child, out)
        else:
            _collect(child, out)


def table_rows(tbl: Any) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = []
    for tr in tbl.iterchildren(W + "tr"):
        cells: list[str] = []
        for tc in _cells(tr):
            parts: list[str] = []
            for el in body_elements(tc):
                if el.tag == W + "p":
                    parts.append(normalize_safe(paragraph_text(el)))
                else:
                    parts.append("\n".join(" ".join(r) for r in table_rows(el)))
            cells.append("\n".join(parts).strip("\n"))
        rows.append(tuple(cells))
    return tuple(rows)


def _cells(tr: Any) -> Iterator[Any]:
    for child in tr.iterchildren():
        if child.tag == W + "tc":
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            for sub in child.iter(W + "tc"):
                yield sub


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
