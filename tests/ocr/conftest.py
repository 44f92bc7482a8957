"""OCR test inputs are made at test time (corpus text rendered with Noto CJK, then rotated,
noised, JPEG'd, 1-bit'd); they are kept small — a few lines of a page at 200 dpi — so the
whole OCR test set stays well under a minute on two cores."""
from __future__ import annotations

import difflib

import pytest

from tests.support import ocr_synth as synth

LAW = "law_kojin-joho-hogo_415AC0000000057.txt"


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@pytest.fixture(scope="session")
def scan_lines(ja_corpus) -> list[str]:
    assert synth.font_path() is not None, "fonts-noto-cjk is needed to make test scans"
    return synth.corpus_lines(ja_corpus / LAW, 4, start=40)


@pytest.fixture(scope="session")
def engine():
    from gennai_desktop.ocr.engine import OcrEngine
    return OcrEngine(threads=2)


@pytest.fixture(scope="session")
def raw_engine():
    """The engine without the options this code adds (no Japanese-only mask, no cleaning)."""
    from gennai_desktop.ocr.engine import OcrEngine
    return OcrEngine(threads=2, japanese_only=False, clean_background="none")
