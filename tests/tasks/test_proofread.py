"""校正: rule findings + schema-constrained model findings, validated spans, honest merges."""
from __future__ import annotations

import json

from gennai_desktop.core.document import Block, Document
from gennai_desktop.core.events import Notice
from tests.support.events import run_to_result
from gennai_desktop.tasks.proofread import FINDINGS_SCHEMA, apply_findings, proofread

from .conftest import fake

TEXT = "資料を送付して下さい。\n会議は来週の月よう日に開催する予定です。"


def _doc(text=TEXT):
    return Document.from_blocks([Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate(text.split("\n"))])


def _json(*items):
    return json.dumps({"findings": [dict(original=o, suggestion=s, reason=r) for o, s, r in items]}, ensure_ascii=False)


def _spans_ok(doc, findings):
    for f in findings:
        assert 0 <= f.start < f.end <= len(doc.text) and doc.text[f.start:f.end] == f.original


def test_rules_only(doc):
    d = _doc()
    result = run_to_result(proofread(d, None, use_model=False))
    assert [f.original for f in result.findings] == ["下さい"] and result.findings[0].origin == "rule"
    assert not result.used_model
    _spans_ok(d, result.findings)


def test_model_findings_are_located_and_merged():
    d = _doc()
    eng = fake(lambda p: _json(("月よう日", "月曜日", "曜日は漢字で書く"), ("下さい", "ください", "重複"),
                               ("存在しない語", "x", "幻覚")))
    events = list(proofread(d, eng))
    result = events[-1].result
    _spans_ok(d, result.findings)
    by_origin = {f.origin: f for f in result.findings}
    model = by_origin["model"]
    assert (model.original, model.suggestion, model.rule, model.source) == ("月よう日", "月曜日", "model", "fake")
    assert d.text[model.start:model.end] == "月よう日"
    assert [f.origin for f in result.findings].count("rule") == 1      # the rule wins the overlap
    assert any(isinstance(e, Notice) and e.key == "proofread.notice.model_dropped" for e in events)


def test_apply_findings_is_reexported():
    from gennai_desktop.proofread.apply import apply_findings as canonical
    d = _doc()
    eng = fake(lambda p: _json(("月よう日", "月曜日", "曜日は漢字で書く")))
    result = run_to_result(proofread(d, eng))
    assert apply_findings(d.text, result.findings) == "資料を送付してください。\n会議は来週の月曜日に開催する予定です。"
    assert canonical(d.text, result.findings) == apply_findings(d.text, result.findings)


def test_no_model_findings_is_fine():
    events = list(proofread(_doc(), fake(lambda p: '{"findings": []}'), use_rules=False))
    result = events[-1].result
    assert result.findings == [] and result.used_model
    assert any(isinstance(e, Notice) and e.key == "proofread.notice.model_none" for e in events)


def test_rewrites_are_not_accepted_as_corrections():
    eng = fake(lambda p: _json(("会議", "来月に全職員を対象とした説明会を別途開催する", "書き換え")))
    assert run_to_result(proofread(_doc(), eng, use_rules=False)).findings == []


def test_tiny_model_cannot_break_json(tiny_engine):
    """Random weights + the JSON-schema grammar: output always parses; spans stay valid."""
    d = _doc()
    from gennai_desktop.tasks import prompting
    prompt = prompting.build("proofread", "check", tiny_engine, text=TEXT)
    gen = tiny_engine.generate(prompt.text, prompting.params_for(tiny_engine, prompt, json_schema=FINDINGS_SCHEMA,
                                                                  max_tokens=120))
    text = "".join(gen)
    if gen.stop_reason in ("eos", "stop"):
        assert isinstance(json.loads(text)["findings"], list)
    result = run_to_result(proofread(d, tiny_engine, use_rules=True))
    _spans_ok(d, result.findings)
    assert all(f.origin == "rule" or f.source == "tiny" for f in result.findings)


def test_a_law_is_checked_by_the_legislative_standard_and_the_user_is_told():
    law = Document.from_blocks([Block("b0000", "title", "サンプル規則"),
                                Block("b0001", "paragraph", "第一条　届出をした者は、その事項に変更があった時は、届け出るものとする。")])
    events = list(proofread(law, None, use_model=False))
    result = events[-1].result
    assert result.profile == "horei" and result.findings == []          # 時・者・もの are law terms
    notices = [e for e in events if isinstance(e, Notice)]
    assert notices and notices[0].key == "proofread.notice.profile_horei" and notices[0].params["reason"]
    forced = run_to_result(proofread(law, None, use_model=False, profile="koyobun"))
    assert forced.profile == "koyobun" and any(f.original == "時" for f in forced.findings)
