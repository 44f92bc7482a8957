"""起案: templates as data, 公用文 layout hints, required fields, model prose only if faithful."""
from __future__ import annotations

import pytest

from gennai_desktop.core.errors import GennaiError
from gennai_desktop.core.events import Notice
from tests.support.events import run_to_result
from gennai_desktop.tasks.draft import draft, list_templates, wareki_today

from .conftest import fake

FIELDS = {"文書番号": "総第12号", "日付": "令和7年4月1日", "宛先": "各課長", "発信者": "総務課長",
          "件名": "庁舎の停電", "本文の要点": "五月十一日の午前に停電する\n停電中はエレベーターを使用できない"}


def test_the_five_templates_exist_with_fields():
    ts = {t.id: t for t in list_templates()}
    assert list(ts) == ["tsuchi", "irai", "kaitou", "houkoku", "gijiroku"]
    assert [t.name_ja for t in ts.values()] == ["通知", "依頼", "回答", "報告", "議事録"]
    for t in ts.values():
        names = {f.name for f in t.fields}
        assert {"件名", "本文の要点"} <= names
        assert any(f.multiline for f in t.fields)


def test_tsuchi_layout_without_model():
    events = list(draft("tsuchi", FIELDS, None))
    result = events[-1].result
    assert result.method == "template"
    assert any(isinstance(e, Notice) and e.key == "draft.notice.template_only" for e in events)
    rows = [(b.text, b.style, b.kind) for b in result.blocks]
    assert rows[0] == ("総第12号", "align:right", "paragraph")
    assert rows[1] == ("令和7年4月1日", "align:right", "paragraph")
    assert rows[2] == ("各課長　殿", None, "paragraph")
    assert rows[3] == ("総務課長", "align:right", "paragraph")
    assert rows[4] == ("庁舎の停電について（通知）", "align:center", "heading")
    assert ("記", "align:center", "paragraph") in rows and rows[-1] == ("以上", "align:right", "paragraph")
    assert ("１　五月十一日の午前に停電する。", None, "list_item") in rows   # a sentence: 「。」


def test_optional_blocks_and_default_date():
    fields = {k: v for k, v in FIELDS.items() if k not in ("文書番号", "日付")}
    result = run_to_result(draft("tsuchi", fields, None))
    assert result.blocks[0].text == wareki_today() and result.blocks[0].text.startswith("令和")
    assert wareki_today(__import__("datetime").date(2019, 5, 1)) == "令和元年5月1日"


def test_missing_required_field_is_clear():
    with pytest.raises(GennaiError) as exc:
        run_to_result(draft("tsuchi", {"宛先": "各課長"}, None))
    assert exc.value.key == "draft.error.missing_field" and "発信者" in str(exc.value)
    with pytest.raises(GennaiError):
        run_to_result(draft("nope", FIELDS, None))
    with pytest.raises(GennaiError):
        run_to_result(draft("tsuchi", {**FIELDS, "謎": "x"}, None))


def test_faithful_model_prose_is_used_without_repeating_the_items():
    extra = "なお、復旧の見込みは追って連絡します。"
    prose = "五月十一日の午前に庁舎が停電します。停電中はエレベーターを使用できませんので御注意ください。" + extra
    result = run_to_result(draft("tsuchi", FIELDS, fake(lambda p: prose)))
    texts = [b.text for b in result.blocks]
    assert result.method == "model" and extra in texts
    assert texts.index(extra) < texts.index("記")
    before = "".join(texts[:texts.index("記")])
    assert "エレベーター" not in before and "午前" not in before     # each point is said once, under 記


def test_prose_that_only_repeats_the_items_is_left_out():
    prose = "五月十一日の午前に庁舎が停電します。停電中はエレベーターを使用できません。"
    events = list(draft("tsuchi", FIELDS, fake(lambda p: prose)))
    result = events[-1].result
    assert result.method == "template"
    assert any(isinstance(e, Notice) and e.key == "draft.notice.prose_restated" for e in events)
    texts = [b.text for b in result.blocks]
    assert sum("エレベーター" in t for t in texts) == 1


def test_unfaithful_model_prose_is_rejected():
    events = list(draft("tsuchi", FIELDS, fake(lambda p: "新年度の人事異動について、別紙のとおり発令します。")))
    assert events[-1].result.method == "template"
    assert any(isinstance(e, Notice) and e.key == "draft.notice.model_weak" for e in events)


def test_gijiroku_layout():
    fields = {"件名": "第3回連絡会議", "日時": "令和7年4月1日 14時", "場所": "第1会議室", "出席者": "総務課長ほか5名",
              "本文の要点": "予算案を了承した"}
    result = run_to_result(draft("gijiroku", fields, None))
    texts = [b.text for b in result.blocks]
    assert texts[0] == "第3回連絡会議　議事録" and "２　場所　第1会議室" in texts and "(１)　予算案を了承した。" in texts
    assert not any("議題" in t for t in texts)          # optional 議題 left out when empty


def test_saved_docx_keeps_layout(tmp_path):
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from gennai_desktop.tasks.draft import save_draft_docx
    result = run_to_result(draft("tsuchi", FIELDS, None))
    target = tmp_path / "draft.docx"
    save_draft_docx(result, target)
    paras = {p.text: p for p in Docx(target).paragraphs if p.text}
    assert paras["令和7年4月1日"].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert paras["庁舎の停電について（通知）"].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert paras["記"].alignment == WD_ALIGN_PARAGRAPH.CENTER and paras["以上"].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert [p.name for p in tmp_path.iterdir()] == ["draft.docx"]
