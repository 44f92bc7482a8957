"""Plain-text files: decode like a Japanese office PC would, one block per line.

Contract: ``Document.text == decode_text(file bytes)``, i.e. the file's text with "\\n"
newlines (CR LF / CR converted), the BOM dropped, other control characters removed and NFD
kana composed (``normalize_safe``). Proofreading offsets for .txt refer to that string.
Every line — empty ones included — is one block, so joining the blocks with "\\n" gives the
text back exactly. Lines such as 「第一章　総則」 become headings (编/章/節/款/目 levels).
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..core.document import Block, Document
from ..core.errors import DocumentError
from .normalize import normalize_safe

_HEADING_RE = re.compile(
    r"^[\s\u3000]*第[一二三四五六七八九十百千〇0-9０-９]+([編章節款目])(?:の[一二三四五六七八九十0-9０-９]+)*"
    r"(?:[\s\u3000].{0,60})?$"
)
_LEVEL_ORDER = "編章節款目"
_TOC_RE = re.compile(r"（第[^（）]*条[^（）]*）[\s\u3000]*$")  # table-of-contents entry, not a heading


def decode_text(data: bytes) -> str:
    """Bytes → text: BOM (UTF-8/UTF-16/UTF-32), UTF-8, then cp932; newlines → "\\n"."""
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        text = data.decode("utf-32")
    elif data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", "replace")
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        text = data.decode("utf-16", "replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp932")
            except UnicodeDecodeError:
                # Mostly UTF-8 with a few broken bytes beats mojibake of the whole file.
                text = data.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return normalize_safe(text)


def read_txt(path: Path, data: bytes) -> Document:
    try:
        text = decode_text(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DocumentError("documents.error.corrupt", path=str(path), reason=str(exc)) from exc
    if not text.strip():
        raise DocumentError("documents.error.no_text", path=str(path))
    lines = text.split("\n")
    heading_marks = {}
    for i, line in enumerate(lines):
        m = _HEADING_RE.match(line) if len(line) < 80 and not _TOC_RE.search(line) else None
        if m:
            heading_marks[i] = m.group(1)
    used = sorted(set(heading_marks.values()), key=_LEVEL_ORDER.index)
    level_of = {mark: used.index(mark) + 1 for mark in used}
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        bid = f"b{i:04d}"
        if i in heading_marks:
            level = level_of[heading_marks[i]]
            while stack and stack[-1][0] >= level:
                stack.pop()
            blocks.append(Block(id=bid, kind="heading", text=line, level=level,
                                heading_path=tuple(t for _, t in stack)))
            stack.append((level, line.strip(" \t\u3000")))
        else:
            blocks.append(Block(id=bid, kind="paragraph", text=line,
                                heading_path=tuple(t for _, t in stack)))
    title = next((ln.strip() for ln in lines if ln.strip()), path.stem)
    return Document(path=path, format="txt", blocks=blocks, title=title[:200])
