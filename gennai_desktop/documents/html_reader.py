"""Read an .html file (例規集, web pages saved by officials) into blocks with kinds.

lxml's HTML parser reads no DTD, entities or network resources; scripts, styles and the head
are dropped. Block elements become blocks in document order: h1–h6 headings (level = the
number), li list items (with the bullet or number a browser draws as their label), tables
(rows × cells), pre/code as code, caption/figcaption as captions, and every other innermost
block element (p, div, dd …) as a paragraph whose kind is refined from its text like the
other readers do (「第1条」「(1)」 items, ※/注 notes, URL lines: ``kinds``).
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..core.document import Block, BlockKind, Document, table_text
from ..core.errors import DocumentError
from .kinds import reference_sections, text_kind
from .limits import DEFAULT_LIMITS, Limits
from .normalize import normalize_safe
from .txt_reader import EncodingUnknown, detect_encoding

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "blockquote", "div",
               "caption", "figcaption", "address", "td", "th", "table", "section", "article", "header",
               "footer", "main", "ul", "ol", "dl", "tr", "tbody", "thead", "figure", "body", "nav", "form"}
_SKIP_TAGS = {"script", "style", "head", "noscript", "template", "iframe", "object", "svg"}
_WS_RE = re.compile(r"[ \t\r\n\f]+")


def decode_html(blob: bytes) -> str:
    """The text of an HTML file: its declared charset, else the .txt encoding detection."""
    m = _CHARSET_RE.search(blob[:4096])
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
    return _XML_DECL_RE.sub("", text, count=1)   # lxml refuses str input with an encoding declaration


def read_html(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    import lxml.html  # lazy: only .html files need the HTML parser

    blob = path.read_bytes()
    if len(blob) > limits.max_txt_bytes:
        raise DocumentError("documents.error.too_large", path=str(path),
                            limit=f"{limits.max_txt_bytes // 1024 ** 2} MB")
    text = decode_html(blob)
    if not text.strip():
        raise DocumentError("documents.error.no_text", path=str(path))
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # noqa: BLE001 - lxml's errors are not DocumentErrors
        raise DocumentError("documents.error.corrupt", path=str(path), reason=str(exc)[:200]) from exc
    title = normalize_safe(" ".join(root.xpath("//title//text()"))).strip()
    for bad in root.xpath("//script|//style|//head|//noscript|//template"):
        bad.drop_tree()
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    chars = 0
    for kind, level, body, label, rows in _walk(root):
        chars += len(body) + 1
        if chars > limits.max_text_chars:
            raise DocumentError("documents.error.too_many_chars", path=str(path),
                                limit=f"{limits.max_text_chars:,}", count=f"{chars:,}+")
        bid = f"{'t' if kind == 'table' else 'b'}{len(blocks):04d}"
        if kind == "heading":
            while stack and stack[-1][0] >= level:
                stack.pop()
            path_now = tuple(t for _, t in stack)
            stack.append((level, body))
        else:
            path_now = tuple(t for _, t in stack)
        blocks.append(Block(id=bid, kind=kind, text=body, level=level, heading_path=path_now,
                            rows=rows, label=label))
    if not blocks:
        raise DocumentError("documents.error.no_text", path=str(path))
    # the page's own title (<title>), as a 例規集 page repeats it first: 「○かつらぎ町表彰規程」
    if title and blocks[0].kind == "paragraph" and blocks[0].text.lstrip("○◎ ") == title.lstrip("○◎ "):
        blocks[0] = Block(id=blocks[0].id, kind="title", text=blocks[0].text)
    blocks = reference_sections(blocks)
    return Document(path=path, format="html", blocks=blocks, title=(title or blocks[0].text)[:200])


def _text(el: Any) -> str:
    return normalize_safe(_WS_RE.sub(" ", el.text_content())).strip(" ")


def _walk(root: Any) -> Iterator[tuple[BlockKind, int, str, str, tuple[tuple[str, ...], ...] | None]]:
    """(kind, level, text, label, rows) of the innermost block elements, in document order."""
    def has_block_child(el: Any) -> bool:
        return any(isinstance(c.tag, str) and c.tag.lower() in _BLOCK_TAGS for c in el.iterdescendants())

    def visit(el: Any) -> Iterator[tuple[BlockKind, int, str, str, tuple[tuple[str, ...], ...] | None]]:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in _SKIP_TAGS:
            return
        if tag == "table":
            rows = tuple(tuple(_text(c) for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th"))
                         for tr in el.iter("tr"))
            rows = tuple(r for r in rows if any(r))
            if rows:
                yield "table", 0, table_text(rows), "", rows
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            body = _text(el)
            if body:
                yield "heading", int(tag[1]), body, "", None
            return
        if tag == "li" and not has_block_child(el):
            body = _text(el)
            if body:
                label = _li_label(el)
                yield "list_item", _list_depth(el), (label + " " + body) if label else body, label, None
            return
        if tag in ("pre", "code") and not has_block_child(el):
            body = normalize_safe(el.text_content()).strip("\n")
            if body.strip():
                yield "code", 0, body, "", None
            return
        if tag in ("caption", "figcaption"):
            body = _text(el)
            if body:
                yield "caption", 0, body, "", None
            return
        if tag in _BLOCK_TAGS and not has_block_child(el):
            body = _text(el)
            if body:
                yield (*_kind_of(body), None)
            return
        # mixed content: text directly in this element between block children
        if el.text and el.text.strip() and tag in _BLOCK_TAGS:
            yield (*_kind_of(normalize_safe(_WS_RE.sub(" ", el.text)).strip()), None)
        for child in el:
            if isinstance(child.tag, str):
                yield from visit(child)
            if child.tail and child.tail.strip() and tag in _BLOCK_TAGS:
                yield (*_kind_of(normalize_safe(_WS_RE.sub(" ", child.tail)).strip()), None)

    yield from visit(root)


def _kind_of(text: str) -> tuple[BlockKind, int, str, str]:
    kind, label = text_kind(text)
    return kind, (1 if kind == "list_item" else 0), text, label


def _li_label(li: Any) -> str:
    """The bullet or number a browser draws before a list item (not in the text)."""
    parent = li.getparent()
    if parent is None or not isinstance(parent.tag, str):
        return ""
    if parent.tag.lower() == "ol":
        try:
            start = int(parent.get("start") or 1)
        except ValueError:
            start = 1
        items = [c for c in parent if isinstance(c.tag, str) and c.tag.lower() == "li"]
        return f"{start + items.index(li)}."
    if parent.tag.lower() == "ul" and "list-style" not in (parent.get("style") or "") \
            and "none" not in (parent.get("class") or ""):
        return "・"
    return ""


def _list_depth(li: Any) -> int:
    depth = 0
    el = li.getparent()
    while el is not None:
        if isinstance(el.tag, str) and el.tag.lower() in ("ul", "ol"):
            depth += 1
        el = el.getparent()
    return max(1, depth)
