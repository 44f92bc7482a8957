"""Every 起案 template: no 「についてについて」, one marker per 記 item, points said once,
and 件名 in the body font (Normal, black) rather than Word's blue Heading style."""
from __future__ import annotations

import pytest

from tests.support.events import run_to_result
from gennai_desktop.tasks.draft import draft, list_templates, save_draft_docx, subject_core

from .conftest import fake

POINTS = "1. 五月十一日の午前に停電する\n・停電中はエレベーターを使用できない\n(3) 復旧後に各課で機器を確認する"
ITEMS = ["五月十一日の午前に停電する", "停電中はエレベーターを使用できない", "復旧後に各課で機器を確認する"]


def _fields(t, subject: str) -> dict[str, str]:
    values = {}
    for f in t.fields:
        if f.name == "件名":
            values[f.name] = subject
        elif f.name == "本文の要点":
            values[f.name] = POINTS
        elif f.required and not f.default:
            values[f.name] = f"{f.label_ja}の例"
    return values


def test_subject_core():
    assert subject_core("庁舎の停電について（通知）") == "庁舎の停電"
    assert subject_core("庁舎の停電について") == "庁舎の停電"
    assert subject_core("庁舎の停電") == "庁舎の停電"
    assert subject_core("第3回会議（第2部）について") == "第3回会議（第2部）"   # only kind labels go
    assert subject_core("について") == "について"


@pytest.mark.parametrize("tid", [t.id for t in list_templates()])
@pytest.mark.parametrize("subject", ["庁舎の停電について", "庁舎の停電について（通知）", "庁舎の停電"])
def test_template_layout(tid, subject, tmp_path):
    t = next(x for x in list_templates() if x.id == tid)
    restating = "五月十一日の午前に停電します。停電中はエレベーターを使用できません。復旧後に各課で機器を確認してください。"
    result = run_to_result(draft(tid, _fields(t, subject), fake(lambda p: restating)))
    texts = [b.text for b in result.blocks]
    joined = "\n".join(texts)
    assert "についてについて" not in joined and "（通知）について" not in joined
    if tid != "gijiroku":
        kind = t.name_ja
        assert f"庁舎の停電について（{kind}）" in texts
    # one marker per item, numbered by the template: 「１　…」 or 「(１)　…」
    # each item is a sentence, so it is closed with 「。」 (tasks.draft_wording)
    item_lines = [x for x in texts if any(x.endswith(i + "。") for i in ITEMS)]
    assert len(item_lines) == 3
    for n, (line, item) in enumerate(zip(item_lines, ITEMS), 1):
        marker = line[:-len(item) - 1]
        assert marker in (f"{'１２３'[n - 1]}　", f"({'１２３'[n - 1]})　"), line
    # each point said once (not repeated in prose before 記)
    for item in ITEMS:
        assert sum(item[:6] in x for x in texts) == 1, (item, texts)
    # Word: 件名 and items are Normal paragraphs: body font, no colour, no list numbering
    from docx import Document as Docx
    target = tmp_path / f"{tid}.docx"
    save_draft_docx(result, target)
    d = Docx(target)
    subj = next(p for p in d.paragraphs if p.text.startswith("庁舎の停電"))
    assert subj.style.name == "Normal"
    assert all(r.font.color.rgb is None for r in subj.runs)
    for p in d.paragraphs:
        if any(p.text.endswith(i + "。") for i in ITEMS):
            assert p.style.name == "Normal" and (p._p.pPr is None or p._p.pPr.numPr is None)
