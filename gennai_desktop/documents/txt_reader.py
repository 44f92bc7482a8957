"""Plain-text files: decode like a Japanese office PC would, one block per line.

Contract: ``Document.text == decode_text(file bytes)``, i.e. the file's text with "\\n"
newlines (CR LF / CR converted), the BOM dropped, other control characters removed and NFD
kana composed (``normalize_safe``). Proofreading offsets for .txt refer to that string.
Every line — empty ones included — is one block, so joining the blocks with "\\n" gives the
text back exactly. Lines such as 「第一章　総則」 become headings (编/章/節/款/目 levels);
other lines get the kind their characters show (``kinds.text_kind``: numbered or bulleted
items, ※/注 notes, URL lines, 図/表 captions; entries under a 参考文献 heading are
references). A Markdown file (.md) also has ``#`` headings, ``-``/``1.`` items, fenced code
and ``|`` table rows (one row per block, so the text stays the file's).

Encodings (issue 9): a BOM decides (UTF-8/16/32); ISO-2022-JP is recognised by its escape
sequences; BOM-less UTF-16/32 by where the NUL bytes sit; valid UTF-8 is UTF-8; anything
else is detected by charset-normalizer (maintained, pure Python, pinned in pyproject;
chosen over chardet for its mess-based scoring, which tells Shift_JIS/CP932 from EUC-JP on
short texts) among the Japanese encodings only. The result then has to pass a mojibake
check — mostly kana/kanji among the non-ASCII characters, almost no U+FFFD — or the file is
refused with a message instead of being read as garbage.

Memory: the file is decoded in 1 MiB steps and reading stops as soon as the text passes
``Limits.max_text_chars`` characters or ``Limits.max_txt_lines`` lines, so a huge file costs
at most the caps, never its own size.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..core.document import Block, BlockKind, Document
from ..core.errors import DocumentError
from .kinds import reference_sections, text_kind
from .limits import DEFAULT_LIMITS, Limits
from .normalize import normalize_safe

_HEADING_RE = re.compile(
    r"^[\s\u3000]*第[一二三四五六七八九十百千〇0-9０-９]+([編章節款目])(?:の[一二三四五六七八九十0-9０-９]+)*"
    r"(?:[\s\u3000].{0,60})?$"
)
_LEVEL_ORDER = "編章節款目"
_TOC_RE = re.compile(r"（第[^（）]*条[^（）]*）[\s\u3000]*$")  # table-of-contents entry, not a heading

SAMPLE_BYTES = 1024 * 1024          # what encoding detection looks at
_STEP = 1024 * 1024
# Only encodings a Japanese office PC produces; a wider set lets charset-normalizer pick
# e.g. cp1252 for Shift_JIS bytes (mojibake that decodes "successfully").
_JA_ENCODINGS = ["cp932", "euc_jp", "euc_jis_2004", "shift_jis_2004", "iso2022_jp",
                 "utf_16_le", "utf_16_be", "utf_8"]
_ISO2022_ESC = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(B", b"\x1b$(D", b"\x1b$(Q", b"\x1b(I")
_JA_CHAR_RE = re.compile("[\u3000-\u30ff\u31f0-\u31ff\u3200-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
                         "\uf900-\ufaff\uff00-\uffef\u2010-\u2312\u2460-\u24ff\u2500-\u257f"
                         "\u00a7\u00a8\u00b0\u00b1\u00b4\u00b6\u00d7\u00f7\u0391-\u03c9\u0401-\u0451"
                         "\U00020000-\U0003134f]")
_ODD_RE = re.compile("[\ufffd\x80-\x9f\ue000-\uf8ff\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


class EncodingUnknown(ValueError):
    """The bytes are not text in any encoding we read (or decode only to mojibake)."""


def _bom(data: bytes) -> tuple[str, int] | None:
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        return "utf-32", 0           # the codec reads the BOM itself
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8)
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", 0
    return None


def _nul_layout(sample: bytes) -> str | None:
    """UTF-16/32 without BOM: the high bytes of ASCII characters and newlines (UTF-16), or the
    top bytes of every character (UTF-32), are NUL at fixed places of each code unit; real
    8-bit text has no NUL bytes at all, binary files have them anywhere."""
    n = len(sample) - len(sample) % 4
    if n < 4 or sample.count(0, 0, n) * 16 < n:     # fewer than 1 in 16 bytes are NUL
        return None
    units = n // 4
    zeros = [sample[k:n:4].count(0) for k in range(4)]
    if zeros[3] > 0.95 * units and zeros[2] > 0.8 * units and zeros[0] < 0.2 * units:
        return "utf-32-le"
    if zeros[0] > 0.95 * units and zeros[1] > 0.8 * units and zeros[3] < 0.2 * units:
        return "utf-32-be"
    even, odd = zeros[0] + zeros[2], zeros[1] + zeros[3]
    if odd > 9 * even:
        return "utf-16-le"
    if even > 9 * odd:
        return "utf-16-be"
    return None


def looks_japanese_or_plain(text: str) -> bool:
    """Mojibake check for a legacy-encoding decode: almost no U+FFFD / C1 / private-use /
    stray C0 characters, and most non-ASCII characters are Japanese (kana, kanji, full-width,
    Japanese punctuation and symbols)."""
    if not text:
        return True
    odd = len(_ODD_RE.findall(text))
    if odd * 200 > len(text):                      # more than 0.5 % garbage characters
        return False
    non_ascii = sum(1 for ch in text if ord(ch) > 0x7f)
    if not non_ascii:
        return True
    return len(_JA_CHAR_RE.findall(text)) >= 0.8 * non_ascii


def _strict_ok(sample: bytes, enc: str, *, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder(enc)("strict").decode(sample, final)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def detect_encoding(sample: bytes, *, complete: bool = False) -> tuple[str, int]:
    """(codec name, bytes to skip) for text whose first bytes are ``sample``.

    ``complete``: the sample is the whole file (else it may end inside a character).
    Raises EncodingUnknown when no Japanese/Unicode encoding gives sane text.
    """
    bom = _bom(sample)
    if bom:
        return bom
    if b"\x1b" in sample and max(sample, default=0) < 0x80 and any(e in sample for e in _ISO2022_ESC):
        for enc in ("iso2022_jp", "iso2022_jp_2004", "iso2022_jp_ext", "iso2022_jp_2"):
            if _strict_ok(sample, enc, final=complete):
                return enc, 0
    layout = _nul_layout(sample)
    if layout and looks_japanese_or_plain(
            codecs.getincrementaldecoder(layout)("replace").decode(sample, complete)):
        return layout, 0
    if b"\x00" not in sample and _strict_ok(sample, "utf-8", final=complete):
        return "utf-8", 0
    from charset_normalizer import from_bytes  # noqa: PLC0415 - only for non-UTF-8 files
    best = from_bytes(sample, cp_isolation=_JA_ENCODINGS, threshold=0.5,
                      preemptive_behaviour=False).best()
    candidates = ([best.encoding] if best is not None else []) + ["cp932", "euc_jp", "euc_jis_2004"]
    for enc in dict.fromkeys(candidates):
        try:
            text = codecs.getincrementaldecoder(enc)("replace").decode(sample, complete)
        except LookupError:
            continue
        if looks_japanese_or_plain(text):
            return enc, 0
    raise EncodingUnknown("no Japanese or Unicode encoding gives readable text")


def decode_text(data: bytes) -> str:
    """Bytes → text (encoding as ``detect_encoding``); newlines → "\\n", controls removed."""
    enc, skip = detect_encoding(data[:SAMPLE_BYTES], complete=len(data) <= SAMPLE_BYTES)
    try:
        text = data[skip:].decode(enc, "strict" if enc == "utf-8" and not skip else "replace")
        if enc == "utf-8" and not skip and "\x1b" in text and any(e in data for e in _ISO2022_ESC):
            raise UnicodeDecodeError("utf-8", b"", 0, 1, "ISO-2022-JP escapes after the sample")
    except UnicodeDecodeError as exc:   # not UTF-8 after all: detect on the part that failed
        start = max(0, exc.start - 1024) if exc.object else 0
        enc, _ = detect_encoding(data[start:start + SAMPLE_BYTES] if exc.object else data[:SAMPLE_BYTES * 4],
                                 complete=False)
        text = data[skip:].decode(enc, "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return normalize_safe(text)


def _too_large(path: Path, key: str, limit: int, count: str) -> DocumentError:
    return DocumentError(key, path=str(path), limit=f"{limit:,}", count=count)


class _Redetect(Exception):
    """A file detected as UTF-8 from its first MiB turned out not to be (legacy bytes or
    ISO-2022-JP escapes further on): read it again with the encoding of that part."""

    def __init__(self, sample: bytes) -> None:
        super().__init__("re-detect")
        self.sample = sample


def read_text_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """Decode the file at ``path`` in steps, refusing it as soon as it passes the caps."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
        more = fh.read(1)
        try:
            enc, skip = detect_encoding(sample, complete=not more)
        except EncodingUnknown as exc:
            raise DocumentError("documents.error.encoding_unknown", path=str(path)) from exc
    # Only a BOM-less UTF-8 guess can be wrong later in the file; it is decoded strictly.
    guessed_utf8 = enc == "utf-8" and skip == 0
    try:
        return _decode_file(path, enc, skip, limits, strict=guessed_utf8)
    except _Redetect as again:
        try:
            enc, _ = detect_encoding(again.sample, complete=False)
        except EncodingUnknown as exc:
            raise DocumentError("documents.error.encoding_unknown", path=str(path)) from exc
        return _decode_file(path, enc, 0, limits, strict=False)


def _decode_file(path: Path, enc: str, skip: int, limits: Limits, *, strict: bool) -> str:
    parts: list[str] = []
    chars = lines = 0
    decoder = codecs.getincrementaldecoder(enc)("strict" if strict else "replace")
    with open(path, "rb") as fh:
        chunk = fh.read(SAMPLE_BYTES)[skip:]
        while True:
            final = len(chunk) == 0
            try:
                piece = decoder.decode(chunk, final)
            except UnicodeDecodeError as exc:
                start = max(0, exc.start - 1024)
                raise _Redetect(chunk[start:start + SAMPLE_BYTES]) from exc
            if strict and "\x1b" in piece and any(e in chunk for e in _ISO2022_ESC):
                raise _Redetect(chunk)
            chars += len(piece)
            lines += piece.count("\n")
            if chars > limits.max_text_chars:
                raise _too_large(path, "documents.error.too_many_chars", limits.max_text_chars,
                                 f"{chars:,}+")
            if lines >= limits.max_txt_lines:
                raise _too_large(path, "documents.error.too_many_lines", limits.max_txt_lines,
                                 f"{lines:,}+")
            parts.append(piece)
            if final:
                break
            chunk = fh.read(_STEP)
    text = "".join(parts)
    if text.startswith("\ufeff"):
        text = text[1:]
    return normalize_safe(text)


def read_txt(path: Path, data: bytes | None = None, limits: Limits = DEFAULT_LIMITS) -> Document:
    """The file at ``path`` (or ``data``, already read) as a Document of one block per line."""
    try:
        if data is None:
            text = read_text_file(path, limits)
        else:
            text = decode_text(data)
    except EncodingUnknown as exc:
        raise DocumentError("documents.error.encoding_unknown", path=str(path)) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise DocumentError("documents.error.corrupt", path=str(path), reason=str(exc)) from exc
    if not text.strip():
        raise DocumentError("documents.error.no_text", path=str(path))
    if len(text) > limits.max_text_chars:
        raise _too_large(path, "documents.error.too_many_chars", limits.max_text_chars, f"{len(text):,}")
    lines = text.split("\n")
    if len(lines) > limits.max_txt_lines:
        raise _too_large(path, "documents.error.too_many_lines", limits.max_txt_lines, f"{len(lines):,}")
    markdown = path.suffix.lower() == ".md"
    heading_marks = {}
    for i, line in enumerate(lines):
        m = _HEADING_RE.match(line) if len(line) < 80 and not _TOC_RE.search(line) else None
        if m:
            heading_marks[i] = m.group(1)
        elif _SECTION_WORD_RE.match(line):
            heading_marks[i] = "節"      # 「参考文献」「出典」 on a line of their own head a section
    used = sorted(set(heading_marks.values()), key=_LEVEL_ORDER.index)
    level_of = {mark: used.index(mark) + 1 for mark in used}
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    fenced = False
    for i, line in enumerate(lines):
        bid = f"b{i:04d}"
        md = _markdown_kind(line, fenced) if markdown else None
        if markdown and _FENCE_RE.match(line):
            fenced = not fenced
        if md is not None and md[0] == "heading" or i in heading_marks:
            level = md[1] if md is not None and md[0] == "heading" else level_of[heading_marks[i]]
            while stack and stack[-1][0] >= level:
                stack.pop()
            blocks.append(Block(id=bid, kind="heading", text=line, level=level,
                                heading_path=tuple(t for _, t in stack)))
            stack.append((level, line.strip(" \t\u3000#")))
            continue
        path_now = tuple(t for _, t in stack)
        if md is not None:
            kind, level, label, rows = md
        elif line.strip():
            kind, label = text_kind(line.strip(" \t"))
            level, rows = (1 if kind == "list_item" else 0), None
            label = label if line.lstrip(" \t").startswith(label) and line.startswith(label) else ""
        else:
            kind, level, label, rows = "paragraph", 0, "", None
        blocks.append(Block(id=bid, kind=kind, text=line, level=level, heading_path=path_now,
                            label=label, rows=rows))
    blocks = reference_sections(blocks)
    title = next((ln.strip() for ln in lines if ln.strip()), path.stem)
    return Document(path=path, format="txt", blocks=blocks, title=title[:200])


_SECTION_WORD_RE = re.compile(
    r"^[\s\u3000]*(?:参考文献|引用文献|参考資料|参考情報|出典|References?|Bibliography)[\s\u3000]*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+\S")
_MD_ITEM_RE = re.compile(r"^(\s*)([-*+]|[0-9]{1,3}[.)])\s+\S")
_MD_TABLE_RE = re.compile(r"^\s*\|.*\|\s*$")
_MD_RULE_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _markdown_kind(line: str, fenced: bool) -> tuple[BlockKind, int, str, tuple | None] | None:
    """(kind, level, label, rows) of a Markdown line, or None where plain-text rules apply."""
    if fenced or _FENCE_RE.match(line):
        return "code", 0, "", None
    m = _MD_HEADING_RE.match(line)
    if m:
        return "heading", min(len(m.group(1)), 4), "", None
    m = _MD_ITEM_RE.match(line)
    if m:
        label = m.group(2) if not m.group(1) else ""
        return "list_item", 1 + len(m.group(1)) // 2, label, None
    if _MD_TABLE_RE.match(line):
        if _MD_RULE_RE.match(line):
            return "paragraph", 0, "", None
        cells = tuple(c.strip() for c in line.strip().strip("|").split("|"))
        return "table", 0, "", (cells,)
    return None
