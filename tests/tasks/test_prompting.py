"""Prompts are data: both forms exist, the model's style picks one, packs can override."""
from __future__ import annotations

from dataclasses import replace

import pytest

from gennai_desktop.tasks import prompting
from gennai_desktop.tasks.quality import copied_from, language_ok, repetitive, weakness

from .conftest import chat_spec, fake

TASKS = {"summarize": ["map", "reduce_bullets", "reduce_three_lines", "reduce_report"],
         "translate": ["ja-en", "en-ja"], "proofread": ["check"], "draft": ["body"]}


@pytest.mark.parametrize("task", sorted(TASKS))
def test_every_prompt_has_both_forms(task):
    table = prompting.load_prompts(task)
    for name in TASKS[task]:
        assert {"completion", "chat_user"} <= set(table[name]), (task, name)


def test_base_model_gets_completion_prompt():
    eng = fake(lambda p: "")
    p = prompting.build("summarize", "map", eng, text="本文です。")
    assert p.style == "completion" and "本文です。" in p.text and "<user>" not in p.text


def test_instruction_tuned_chat_model_gets_rendered_chat():
    eng = fake(lambda p: "", spec=chat_spec())
    p = prompting.build("summarize", "map", eng, text="本文です。")
    assert p.style == "chat" and p.text.startswith("<system>") and "<user>" in p.text and "本文です。" in p.text


def test_model_pack_overrides_one_key():
    spec = replace(chat_spec(), prompt_style="completion", prompts={"summarize": {"map.completion": "要約せよ:{text}=>"}})
    p = prompting.build("summarize", "map", fake(lambda p: "", spec=spec), text="ABC")
    assert p.text == "要約せよ:ABC=>"


def test_fill_keeps_other_braces():
    assert prompting.fill('{"a": 1} {text}', text="x") == '{"a": 1} x'


def test_weakness_checks():
    assert weakness("", "eos") == "empty"
    assert weakness("良い要約です。", "degenerate_repetition") == "degenerate"
    assert weakness("学習モデルとして、" * 20, "length") == "repetition"
    assert weakness("This is English.", "eos", lang="ja") == "wrong_language"
    assert weakness("次の文書の要点を書きなさい。文書の言葉を使う。", "eos",
                    scaffold="次の文書の要点を書きなさい。文書の言葉を使う。例") == "echo"
    assert weakness("勤務時間は三十八時間四十五分とする。", "eos", lang="ja") is None
    assert language_ok("The rules apply.", "en") and not language_ok("規則を適用する。", "en")
    assert not repetitive("勤務時間は三十八時間四十五分とする。") and copied_from("abc", "") == 0.0


def test_in_order_streams_the_earliest_open_sequence_and_holds_the_rest():
    from gennai_desktop.tasks.prompting import InOrder
    order = InOrder(3, "x")
    out = []
    for k, p in [(1, "B1"), (0, "A1"), (2, "C1"), (1, None), (0, "A2"), (0, None), (2, "C2"), (2, None)]:
        out.append("".join(d.text for d in order.feed(k, p)))
    assert out == ["", "A1", "", "", "A2", "\nB1\nC1", "C2", "\n"]
