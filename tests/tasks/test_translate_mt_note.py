"""A machine-translated .docx says so (page header + document property naming the model),
and translated sentences whose negation flipped are flagged for review."""
from __future__ import annotations

import csv
from pathlib import Path

import docx

from gennai_desktop.core.document import Block, Document
from gennai_desktop.core.events import Notice
from gennai_desktop.tasks.export import export_translation
from gennai_desktop.tasks.mt_review import flipped_sentences
from gennai_desktop.tasks.quality import polarity_flipped
from gennai_desktop.tasks.translate import translate
from tests.support.events import run_to_result

from .conftest import fake

JA_NOTE = "この文書は fake による機械翻訳です。内容を確認してからご利用ください。"
EN_NOTE = "This document was machine-translated by fake. Check its content before use."


def _ja_doc() -> Document:
    blocks = [Block("b0000", "heading", "第一章　総則", level=1),
              Block("b0001", "paragraph", "職員は、許可なく庁舎に立ち入ってはならない。"),
              Block("b0002", "paragraph", "年次休暇は、一の年ごとに二十日とする。")]
    return Document.from_blocks(blocks, fmt="docx", title="規程")


def _reply(prompt: str) -> str:
    src = prompt.rsplit("日本語: ", 1)[1].split("\n")[0]
    return {"第一章　総則": "Chapter 1 General Provisions",
            "職員は、許可なく庁舎に立ち入ってはならない。": "Employees may enter the building without permission.",
            "年次休暇は、一の年ごとに二十日とする。": "Annual leave shall be 20 days per year."}[src]


def test_saved_translation_has_header_note_and_property(tmp_path):
    result = run_to_result(translate(_ja_doc(), fake(_reply)))
    assert result.method == "model" and result.model_id == "fake"
    target = tmp_path / "out.docx"
    export_translation(result, target)
    d = docx.Document(str(target))
    header = [p.text for p in d.sections[0].header.paragraphs]
    assert JA_NOTE in header and EN_NOTE in header
    assert "fake" in d.core_properties.comments and "機械翻訳" in d.core_properties.comments
    body = [p.text for p in d.paragraphs]
    assert "Annual leave shall be 20 days per year." in body
    assert JA_NOTE not in body                      # the note is not mixed into the text


def test_glossary_only_output_is_not_labelled_machine_translation(tmp_path):
    result = run_to_result(translate(_ja_doc(), None))
    target = tmp_path / "out.docx"
    export_translation(result, target)
    d = docx.Document(str(target))
    assert not any("機械翻訳" in p.text for p in d.sections[0].header.paragraphs)
    assert not d.core_properties.comments


def test_flipped_negation_is_flagged_for_review():
    events = list(translate(_ja_doc(), fake(_reply)))
    result = events[-1].result
    assert result.review == ["b0001"]         # 立ち入ってはならない → "may enter": negation lost
    note = [e for e in events if isinstance(e, Notice) and e.key == "translate.notice.polarity_review"]
    assert note and note[0].params["count"] == 1
    assert result.blocks[1].text == "Employees may enter the building without permission."   # flagged, not changed


def test_polarity_check_both_directions():
    assert polarity_flipped("申請することができない。", "The application can be made.", "ja-en")
    assert polarity_flipped("申請することができる。", "The application cannot be made.", "ja-en")
    assert not polarity_flipped("申請しなければならない。", "An application must be made.", "ja-en")
    assert not polarity_flipped("喫煙を禁止する。", "Smoking is prohibited.", "ja-en")
    assert polarity_flipped("Smoking is not allowed.", "喫煙は許可される。", "en-ja")
    assert flipped_sentences("これを行う。これを行わない。", "Do this. Do this.", "ja-en") == [1]


def test_labelled_kftt_pairs_flipped_caught_without_false_alarms():
    path = Path(__file__).resolve().parents[2] / "eval" / "translate" / "polarity_pairs.tsv"
    rows = list(csv.DictReader(open(path, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) >= 20
    flagged = {(r["kftt_line"], r["label"]): polarity_flipped(r["ja"], r["en"], "ja-en") for r in rows}
    assert all(v for (_, lab), v in flagged.items() if lab == "flipped")
    assert not any(v for (_, lab), v in flagged.items() if lab == "ok")
