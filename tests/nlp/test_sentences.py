"""nlp.sentences: sentences are split inside one block only; nlp.notes: footnote markers
before a sentence end are found and stripped (the API the 校正/要約/質問 tasks read)."""
from __future__ import annotations

import pytest

from gennai_desktop.core.document import PROSE_KINDS, Block, Document
from gennai_desktop.nlp.notes import note_marker_spans, strip_note_markers
from gennai_desktop.nlp.sentences import body_sentences, sentence_spans


def _doc(*blocks: tuple[str, str]) -> Document:
    return Document.from_blocks([Block(id=f"b{i:04d}", kind=k, text=t) for i, (k, t) in enumerate(blocks)])  # type: ignore[arg-type]


def test_body_sentences_stay_inside_their_block_and_skip_other_kinds():
    doc = _doc(("heading", "第1章　総則"), ("paragraph", "本書は試行である。結果を示す"),
               ("paragraph", "続きの段落である。"), ("reference", "「報告」2026年3月6日。"),
               ("note", "注記である。"), ("table", "a\tb"))
    got = list(body_sentences(doc))
    assert [s.text for s in got] == ["本書は試行である。", "結果を示す", "続きの段落である。"]
    for s in got:
        assert doc.text[s.start:s.end] == s.text
        assert s.block.start <= s.start < s.end <= s.block.end
    # "結果を示す" has no 。 but ends at its block: it does not run into the next paragraph
    assert got[1].block.id == "b0001" and got[2].block.id == "b0002"


def test_body_sentences_by_kind_never_splits_tables():
    doc = _doc(("note", "注記である。"), ("table", "甲である。\t乙である。"), ("paragraph", "本文。"))
    assert [s.text for s in body_sentences(doc, PROSE_KINDS)] == ["注記である。", "本文。"]
    assert [s.text for s in body_sentences(doc, {"table", "note"})] == ["注記である。"]


def test_superscript_marker_after_the_period_stays_with_its_sentence():
    assert [("本文である。¹²", 0)] == [("本文である。¹²"[s:e], s) for s, e in sentence_spans("本文である。¹²")]
    text = "導入した。¹次に述べる。"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["導入した。¹", "次に述べる。"]


@pytest.mark.parametrize("raw,clean", [
    ("…を導入した[43](#)。", "…を導入した。"),
    ("…を導入した[43](#fn43)。", "…を導入した。"),
    ("…を導入した^[1,2]。", "…を導入した。"),
    ("…を導入した^3。", "…を導入した。"),
    ("…を導入した※1。", "…を導入した。"),
    ("…を導入した※。", "…を導入した。"),
    ("…である（注3）。", "…である。"),
    ("…である注３。", "…である。"),
    ("…である[1][2]。", "…である。"),
    ("…である²。", "…である。"),
    ("…である¹,³。", "…である。"),
    ("「…である※2」と述べた。", "「…である」と述べた。"),
    ("…である[12]", "…である"),
])
def test_strip_note_markers_before_the_sentence_end(raw, clean):
    assert strip_note_markers(raw) == clean
    spans = note_marker_spans(raw)
    assert spans and "".join(raw[e:s] for (_, e), (s, _) in zip([(0, 0)] + spans, spans + [(len(raw), 0)])) == clean


@pytest.mark.parametrize("text", [
    "平成2。", "第3条。", "表1のとおり。", "※印の欄を記入する。", "注意する。", "[1]を参照し、次に進む。",
    "1.5倍である。", "(1)の場合である。",
])
def test_text_that_is_not_a_marker_is_kept(text):
    assert strip_note_markers(text) == text
    assert note_marker_spans(text) == []
