"""No pass that cannot help: on a model that is not instruction-tuned (the bundled base model,
a pack that does not say so) 校正, 要約 and 起案 skip the model with one notice and give the
rule / extractive / template result; the setting base_model_passes forces the passes."""
from __future__ import annotations

from dataclasses import replace

import pytest

from gennai_desktop.core.events import Notice
from gennai_desktop.llm.bundled import bundled_model_spec
from gennai_desktop.tasks.draft import draft
from gennai_desktop.tasks.model_passes import SpecOnly, engine_for, model_can_help
from gennai_desktop.tasks.proofread import proofread
from gennai_desktop.tasks.summarize import summarize
from tests.support.fake_engine import FakeEngine, instruct_spec

from .conftest import make_doc

FIELDS = {"文書番号": "総第12号", "日付": "令和7年4月1日", "宛先": "各課長", "発信者": "総務課長",
          "件名": "庁舎の停電", "本文の要点": "五月十一日の午前に停電する\n停電中はエレベーターを使用できない"}
BODY = ("五月十一日の午前に庁舎が停電します。停電中はエレベーターを使用できませんので御注意ください。"
        "なお、復旧の見込みは追って連絡します。")


def base_engine(reply=lambda p: BODY) -> FakeEngine:
    return FakeEngine(reply=reply)          # FakeEngine's own spec: a base model, like the bundled one


def skipped(events, key: str) -> list[Notice]:
    found = [e for e in events if isinstance(e, Notice) and e.key == key]
    assert len(found) == 1 and found[0].params == {"model": "fake"}
    return found


def test_which_models_can_help():
    bundled = bundled_model_spec()
    assert not model_can_help(bundled) and model_can_help(bundled, force=True)
    assert not model_can_help(replace(bundled, instruction_tuned=True))   # the bundled one never
    assert model_can_help(instruct_spec()) and not model_can_help(replace(instruct_spec(), instruction_tuned=False))


def test_engine_for_opens_only_a_model_that_can_help():
    opened = []

    def load():
        opened.append(1)
        return "engine"

    assert engine_for(None, load) is None
    only = engine_for(bundled_model_spec(), load)
    assert isinstance(only, SpecOnly) and only.spec.dev_default and not opened
    assert engine_for(bundled_model_spec(), load, force=True) == "engine" and opened == [1]
    assert engine_for(instruct_spec(), load) == "engine" and opened == [1, 1]


def test_summary_on_a_base_model_is_extractive_at_once():
    eng = base_engine()
    events = list(summarize(make_doc(), eng))
    result = events[-1].result
    assert result.method == "extractive" and result.points and eng.prompts == []
    skipped(events, "summary.notice.model_skipped")
    assert result.notices[0] == "summary.notice.model_skipped"
    forced = list(summarize(make_doc(), eng, base_model_passes=True))
    assert eng.prompts and not any(isinstance(e, Notice) and e.key == "summary.notice.model_skipped" for e in forced)


def test_proofread_on_a_base_model_is_rules_only_and_never_loads_it():
    eng = base_engine(lambda p: '{"findings": []}')
    events = list(proofread(make_doc(), lambda: SpecOnly(eng.spec)))
    result = events[-1].result
    assert not result.used_model and result.used_rules and eng.prompts == []
    skipped(events, "proofread.notice.model_skipped")
    events = list(proofread(make_doc(), eng))                  # an opened base model: skipped too
    assert not events[-1].result.used_model and eng.prompts == []
    forced = list(proofread(make_doc(), eng, base_model_passes=True))
    assert forced[-1].result.used_model and eng.prompts


def test_draft_on_a_base_model_uses_the_template():
    eng = base_engine()
    events = list(draft("tsuchi", FIELDS, SpecOnly(eng.spec)))
    result = events[-1].result
    assert result.method == "template" and eng.prompts == []
    skipped(events, "draft.notice.model_skipped")
    forced = list(draft("tsuchi", FIELDS, eng, base_model_passes=True))
    assert forced[-1].result.method == "model" and eng.prompts


@pytest.mark.parametrize("task", ["summary", "proofread", "draft"])
def test_an_instruction_tuned_model_runs_without_any_setting(task):
    eng = FakeEngine(reply=lambda p: BODY if task != "proofread" else '{"findings": []}', spec=instruct_spec())
    if task == "summary":
        list(summarize(make_doc(), eng))
    elif task == "proofread":
        assert list(proofread(make_doc(), eng))[-1].result.used_model
    else:
        list(draft("tsuchi", FIELDS, eng))
    assert eng.prompts
