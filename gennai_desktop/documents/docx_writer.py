"""Write blocks as a Word document (drafts, translations, corrected copies).

Kinds map to Word's built-in styles so the result looks native and reads back as the same
blocks: headings → "Heading N" (a block styled "Title" → "Title"), list items → "List
Bullet"/"List Number" (+ " 2"/" 3" for nesting), tables → a grid table. Layout hints in
``Block.style`` (tokens separated by ";", e.g. ``"Normal;align:right;indent:1"``):
``align:left|center|right`` and ``indent:N`` (first-line indent of N characters) — the
drafting task uses them for 日付・宛先・発信者・記・以上. ``list:number`` / ``list:bullet``
choose the list kind. Japanese text gets an East Asian font (游明朝, Word substitutes MS
明朝 where it is missing) and ja-JP language so Word breaks lines correctly. The page is A4.

Output goes through ``core.atomicio.atomic_path``: the target appears complete or not at all.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

from ..core.atomicio import atomic_path
from ..core.document import Block
from .normalize import normalize_safe

EAST_ASIAN_FONT = "游明朝"
EAST_ASIAN_HEADING_FONT = "游ゴシック"
BODY_PT = 10.5
_LIST_NAME_RE = re.compile(r"^list (bullet|number)(?: ([2-9]))?$", re.IGNORECASE)


def parse_style_hints(style: str | None) -> tuple[str | None, dict[str, str]]:
    """``"Normal;align:right;indent:1"`` → ("Normal", {"align": "right", "indent": "1"})."""
    if not style:
        return None, {}
    name: str | None = None
    hints: dict[str, str] = {}
    for token in (t.strip() for t in style.split(";")):
        if not token:
            continue
        key, sep, value = token.partition(":")
        if sep and key.strip().lower() in ("align", "indent", "list"):
            hints[key.strip().lower()] = value.strip().lower()
        elif name is None:
            name = token
    return name, hints


def write_docx(blocks: Sequence[Block], target: str | Path, *, title: str | None = None) -> None:
    """Write ``blocks`` in order to ``target`` (.docx), atomically. ``title`` → document properties."""
    import docx

    document = docx.Document()
    _setup_document(document)
    if title:
        document.core_properties.title = normalize_safe(title)[:255]
    for block in blocks:
        _add_block(document, block)
    with atomic_path(target) as tmp:
        document.save(str(tmp))


def _clean(text: str) -> str:
    return normalize_safe(text or "")


def _add_block(document: Any, block: Block) -> None:
    name, hints = parse_style_hints(block.style)
    if block.kind == "table":
        _add_table(document, block, name)
        return
    text = _clean(block.text)
    if block.kind == "heading":
        if name and name.strip().lower() in ("title", "表題"):
            paragraph = document.add_paragraph(text, style="Title")
        else:
            level = min(max(block.level or 1, 1), 9)
            paragraph = document.add_paragraph(text, style=f"Heading {level}")
    elif block.kind == "list_item":
        paragraph = document.add_paragraph(text, style=_list_style(block, name, hints))
    else:
        paragraph = document.add_paragraph(text, style=_existing_style(document, name) or "Normal")
    _apply_hints(paragraph, hints)


def _list_style(block: Block, name: str | None, hints: dict[str, str]) -> str:
    numbered = hints.get("list") == "number"
    if "list" not in hints and name:
        m = _LIST_NAME_RE.match(name.strip())
        numbered = bool(m and m.group(1).lower() == "number")
    level = min(max(block.level or 1, 1), 3)
    base = "List Number" if numbered else "List Bullet"
    return base if level == 1 else f"{base} {level}"


def _existing_style(document: Any, name: str | None) -> str | None:
    if not name:
        return None
    try:
        style = document.styles[name]
    except KeyError:
        return None
    return name if style.type == 1 else None  # WD_STYLE_TYPE.PARAGRAPH


def _apply_hints(paragraph: Any, hints: dict[str, str]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    align = hints.get("align")
    if align in ("left", "start"):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    elif align in ("center", "centre"):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align in ("right", "end"):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    indent = hints.get("indent")
    if indent:
        try:
            chars = max(0, min(int(float(indent)), 40))
        except ValueError:
            chars = 0
        if chars:
            paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * chars)
            ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
            if ind is not None:  # character units make Word keep the indent when fonts change
                ind.set(qn("w:firstLineChars"), str(chars * 100))


def _add_table(document: Any, block: Block, name: str | None) -> None:
    rows = block.rows
    if rows is None:
        rows = tuple(tuple(line.split("\t")) for line in (block.text or "").split("\n"))
    n_cols = max((len(r) for r in rows), default=0)
    if not rows or n_cols == 0:
        return
    table = document.add_table(rows=len(rows), cols=n_cols)
    style = name if name and _table_style_exists(document, name) else "Table Grid"
    table.style = style
    for row, values in zip(table.rows, rows):
        cells = row.cells
        for cell, value in zip(cells, values):
            cell.text = _clean(value)


def _table_style_exists(document: Any, name: str) -> bool:
    try:
        return document.styles[name].type == 3  # WD_STYLE_TYPE.TABLE
    except KeyError:
        # A style id like "TableGrid" read from another document: try the display name.
        return False


def _setup_document(document: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(30)

    for style in document.styles:
        if style.type != 1:  # paragraph styles only
            continue
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:eastAsiaTheme",):
            if fonts.get(qn(attr)) is not None:
                del fonts.attrib[qn(attr)]
        is_heading = style.name.startswith(("Heading", "Title", "Subtitle"))
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_HEADING_FONT if is_heading else EAST_ASIAN_FONT)
        if style.name == "Normal":
            fonts.set(qn("w:hint"), "eastAsia")
            style.font.size = Pt(BODY_PT)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:eastAsia"), "ja-JP")
