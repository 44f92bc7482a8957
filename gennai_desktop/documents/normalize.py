"""Repair text-extraction artefacts without touching legitimate text.

Why not NFKC: the proofreader must still see full-width digits, ①, ㈱ and half-width
katakana exactly as the author typed them (公用文 rules flag those separately). So we only
undo what PDF extraction demonstrably breaks:

* Kangxi radicals (U+2F00–2FDF) and a few CJK Radicals Supplement characters that PDF fonts
  map instead of the ideograph (⾒→見, ⻑→長);
* CJK compatibility ideographs (U+F900–FAFF, U+2F800–2FA1F) → their canonical unified
  ideograph (exactly the canonical NFC mapping, applied to those characters only);
* U+46FE 䛾 emitted for の by some Japanese PDF fonts (a well-known copy/paste artefact);
* NFD kana (か + U+3099) → composed;
* control characters (keeping \\n and \\t), lone surrogates and non-characters;
* line breaks inside a paragraph (a single \\n; a blank line separates paragraphs): removed
  between Japanese characters, "exam-\\nple" de-hyphenated, otherwise one space;
* ASCII spaces that extractors (pypdf) put between two Japanese characters.

``normalize_safe`` is the subset applied to .docx/.txt text, where the text is what the
author typed: control characters, NFD kana, and Word symbol-font characters.

Symbol fonts: Word writes a bullet or check mark from the Symbol/Wingdings fonts as a
private-use character U+F0xx (0xF000 + the font's byte); it shows as a box or nothing
elsewhere, cannot be searched, and the proofreader would see an unknown character. The
common ones become the character the author saw (one for one, so offsets stay):
U+F0B7 (Symbol bullet •) → ・, U+F0A7 (Wingdings ▪) → ■, U+F0D8 → ➢, U+F0FC → ✓ …
Other private-use characters (外字, in-house glyphs) are left alone: we cannot know them.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_text", "normalize_safe", "join_wrapped_lines", "is_cjk"]

# CJK Radicals Supplement characters seen in place of the ideograph in Japanese PDFs. Only two
# of them have a Unicode decomposition (⺟, ⻳), so the table is explicit.
_RADICALS_SUPPLEMENT = {
    "\u2e8c": "小", "\u2e8d": "小", "\u2e95": "彐", "\u2e9c": "日", "\u2e9f": "母",
    "\u2ea0": "民", "\u2ea4": "爫", "\u2ea8": "犭", "\u2eab": "罒", "\u2eb2": "罒",
    "\u2eb9": "耂", "\u2ebc": "肉", "\u2ebe": "艹", "\u2ec1": "虎", "\u2ec4": "西",
    "\u2ec6": "角", "\u2ecc": "辶", "\u2ecd": "辶", "\u2ecf": "阝", "\u2ed1": "長",
    "\u2ed6": "阝", "\u2ed8": "青", "\u2edd": "食", "\u2ee4": "鬼", "\u2ee8": "麦",
    "\u2ee9": "黄", "\u2eeb": "斉", "\u2eed": "歯", "\u2eef": "竜", "\u2ef2": "亀",
    "\u2ef3": "龟",
}
# Word symbol-font characters (U+F000 + byte): Symbol for U+F0B7, Wingdings for the rest —
# the fonts Word's bullet and check-box lists use. ▪ and ❑ map to their JIS X 0208
# counterparts ■ and □ (what Japanese fonts can show); • to the Japanese 中黒 ・.
SYMBOL_FONT_CHARS = {
    "\uf0b7": "・",   # Symbol •  (Word's default level-1 bullet)
    "\uf0a7": "■",    # Wingdings ▪ (level-3 bullet)
    "\uf0d8": "➢",    # Wingdings arrowhead bullet
    "\uf0fc": "✓",    # Wingdings check mark
    "\uf0fb": "✗",    # Wingdings ballot x
    "\uf0fe": "☑",    # Wingdings ballot box with check
    "\uf0fd": "☒",    # Wingdings ballot box with x
    "\uf06c": "●",    # Wingdings l (black circle)
    "\uf06e": "■",    # Wingdings n (black square)
    "\uf06f": "□",    # Wingdings o (white square)
    "\uf071": "□",    # Wingdings q ❑
    "\uf075": "◆",    # Wingdings u (black diamond)
    "\uf076": "❖",    # Wingdings v
    "\uf0a1": "○",    # Wingdings white circle
    "\uf0e8": "➔",    # Wingdings heavy right arrow
    "\uf0f0": "⇨",    # Wingdings white right arrow
}
_SYMBOL_FONT_RE = re.compile("[" + "".join(SYMBOL_FONT_CHARS) + "]")

# Characters some PDF fonts emit instead of the intended kana (demonstrated artefacts only).
_ARTEFACTS = {"\u46fe": "の"}

_CONTROL_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\ufeff]"
)
_NFD_KANA_RE = re.compile("[\u3040-\u30ff\u31f0-\u31ff][\u3099\u309a]")
_IDEO_FIX_RE = re.compile(
    "[\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f\u46fe]"
)

# "Japanese character" for joining/spacing decisions: ideographs, kana, CJK punctuation,
# full-width forms, ideographic space.
_CJK_CLASS = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3200-\u32ff\u3300-\u33ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003134f"
)
_CJK_RE = re.compile(f"[{_CJK_CLASS}]")
_SPACE_BETWEEN_CJK_RE = re.compile(f"(?<=[{_CJK_CLASS}]) +(?=[{_CJK_CLASS}])")
_SPACE_BESIDE_IDEO_SPACE_RE = re.compile(" +(?=\u3000)|(?<=\u3000) +")
_HYPHEN_BREAK_RE = re.compile(r"(?<=[A-Za-z])-\n(?=[a-z])")
_PARA_SPLIT_RE = re.compile(r"(\n[ \t\u3000]*\n+)")


def is_cjk(ch: str) -> bool:
    """True for a Japanese/CJK character (ideograph, kana, CJK punctuation, full-width form)."""
    return bool(ch) and _CJK_RE.match(ch) is not None


def _fix_ideograph(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _ARTEFACTS:
        return _ARTEFACTS[ch]
    if ch in _RADICALS_SUPPLEMENT:
        return _RADICALS_SUPPLEMENT[ch]
    cp = ord(ch)
    if 0x2F00 <= cp <= 0x2FDF:          # Kangxi radicals: compatibility mapping to the ideograph
        mapped = unicodedata.normalize("NFKC", ch)
        return mapped if len(mapped) == 1 else ch
    if 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F:
        return unicodedata.normalize("NFC", ch)  # canonical singleton; unified ones stay
    return ch


def _compose_kana(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFC", m.group(0))


def _remove_controls(s: str) -> str:
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", s)


def normalize_safe(s: str) -> str:
    """The subset for author-typed text (.docx/.txt): control characters, NFD kana.

    Newlines: CR LF and CR become LF; other C0/C1 controls (not \\t, \\n) are removed.
    """
    s = _remove_controls(s)
    if "\u3099" in s or "\u309a" in s:
        s = _NFD_KANA_RE.sub(_compose_kana, s)
    if _SYMBOL_FONT_RE.search(s):
        s = _SYMBOL_FONT_RE.sub(lambda m: SYMBOL_FONT_CHARS[m.group(0)], s)
    return s


def _join_paragraph(para: str) -> str:
    if "\n" not in para:
        return para
    para = _HYPHEN_BREAK_RE.sub("", para)
    lines = para.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        prev = out[-1]
        left = prev.rstrip(" \t")
        right = line.lstrip(" \t")
        if not left:
            out[-1] = left
            out.append(right)
            continue
        if not right:
            out[-1] = left
            continue
        if is_cjk(left[-1]) or is_cjk(right[0]) or left[-1] in "-‐":
            # Japanese: no spaces between characters. "Japan-\nUS": keep the hyphen, join.
            out[-1] = left
            out.append(right)
        else:
            out[-1] = left
            out.append(" " + right)
    return "".join(out)


def join_wrapped_lines(s: str) -> str:
    """Join soft line breaks inside paragraphs; paragraphs are separated by blank lines.

    Between Japanese characters the break disappears, "exam-\\nple" becomes "example",
    between Latin words it becomes one space. Blank-line separators are kept as they are.
    """
    if "\n" not in s:
        return s        # one line (the PDF reader asks for every line): nothing to join
    parts = _PARA_SPLIT_RE.split(s)
    return "".join(p if i % 2 else _join_paragraph(p) for i, p in enumerate(parts))


def normalize_text(s: str, *, drop_cjk_spaces: bool = True) -> str:
    """Full normalisation for extracted (PDF) text. See the module docstring for the rules.

    ``drop_cjk_spaces=False`` keeps ASCII spaces between Japanese characters: pdfium only
    emits one where the page really has a gap (table columns, 「七　栄典」 drawn as a gap,
    「山田 太郎」), so only pypdf-style text should have them removed.
    """
    s = normalize_safe(s)
    s = _IDEO_FIX_RE.sub(_fix_ideograph, s)
    s = join_wrapped_lines(s)
    if drop_cjk_spaces and " " in s:
        s = _SPACE_BETWEEN_CJK_RE.sub("", s)
        s = _SPACE_BESIDE_IDEO_SPACE_RE.sub("", s)
    return s
