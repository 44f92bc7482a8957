"""Scanned-looking test pages made from text: for measuring OCR (tests, bench); not part of the app.

``render_lines`` draws lines of Japanese text with Noto CJK at a given dpi (10.5 pt body, like
an A4 report); ``degrade`` adds what scanners and FAX machines do: a slight skew, noise, blur
and JPEG q70. Everything is deterministic (seeded).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
JP_FACE_INDEX = 0   # index 0 of NotoSansCJK-Regular.ttc is "Noto Sans CJK JP"


def font_path() -> Path | None:
    for p in FONT_CANDIDATES:
        if Path(p).is_file():
            return Path(p)
    return None


def render_lines(lines: Sequence[str], *, dpi: int = 200, pt: float = 10.5, margin_mm: float = 8,
                 width_chars: int | None = None, font: Path | None = None) -> Image.Image:
    fp = font or font_path()
    if fp is None:
        raise FileNotFoundError("no Noto CJK font (apt install fonts-noto-cjk)")
    px = max(8, int(round(pt * dpi / 72)))
    f = ImageFont.truetype(str(fp), px, index=JP_FACE_INDEX)
    margin = int(margin_mm / 25.4 * dpi)
    pitch = int(px * 1.7)
    n = width_chars or max(len(s) for s in lines)
    w = margin * 2 + int(n * px * 1.02)
    h = margin * 2 + pitch * len(lines)
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    for i, s in enumerate(lines):
        d.text((margin, margin + i * pitch), s, font=f, fill=0)
    return img


def degrade(img: Image.Image, *, skew: float = 0.8, noise: float = 18.0, jpeg: int = 70,
            seed: int = 7) -> Image.Image:
    rng = np.random.default_rng(seed)
    g = img.convert("L").rotate(skew, resample=Image.BILINEAR, expand=True, fillcolor=255)
    g = g.filter(ImageFilter.GaussianBlur(0.6))
    a = np.asarray(g, np.float32) + rng.normal(0, noise, (g.height, g.width))
    speck = rng.random((g.height, g.width)) < 0.0015
    a[speck] = 0
    g = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    g.save(buf, "JPEG", quality=jpeg)
    buf.seek(0)
    return Image.open(buf).convert("L")


def to_fax(img: Image.Image, threshold: int = 150) -> Image.Image:
    """1-bit, as a G3/G4 FAX TIFF stores it."""
    return img.convert("L").point(lambda v: 255 if v > threshold else 0).convert("1")


def corpus_lines(path: Path, n: int, *, start: int = 0, min_len: int = 15, max_len: int = 38) -> list[str]:
    """``n`` body lines of a corpus .txt (wrapped at ``max_len`` characters)."""
    out: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        s = raw.strip().replace("\u3000", " ")
        while len(s) >= min_len:
            out.append(s[:max_len])
            s = s[max_len:]
    return out[start:start + n]
