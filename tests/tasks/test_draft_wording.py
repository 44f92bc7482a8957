"""Issue 25 item 8: a 宛先 typed with its honorific never becomes 「殿　殿」, and 記 items that
are sentences end with 「。」 while noun phrases do not (tasks.draft_wording states the rule)."""
from __future__ import annotations

import pytest

from gennai_desktop.tasks.draft import draft, get_template
from gennai_desktop.tasks.draft_wording import close_item

from tests.support.events import run_to_result

BASE = {"日付": "令和8年1月5日", "発信者": "デジタル庁総務課長", "件名": "電子署名法の運用"}


def _lines(fields: dict, template: str = "tsuchi") -> list[str]:
    t = get_template(template)
    filled = {f.name: "記入例" for f in t.fields if f.required}      # the template's other fields
    values = {k: v for k, v in {**filled, **BASE, **fields}.items() if k in {f.name for f in t.fields}}
    result = run_to_result(draft(template, values, None))
    return [b.text for b in result.blocks]


@pytest.mark.parametrize("typed, shown", [
    ("各府省庁情報システム担当課長　殿", "各府省庁情報システム担当課長　殿"),
    ("各府省庁情報システム担当課長殿", "各府省庁情報システム担当課長殿"),
    ("株式会社デジタル　御中", "株式会社デジタル　御中"),
    ("関係各位", "関係各位"),
    ("山田太郎 様", "山田太郎 様"),
    ("各府省庁情報システム担当課長", "各府省庁情報システム担当課長　殿"),
])
@pytest.mark.parametrize("template", ["tsuchi", "irai", "kaitou", "houkoku"])
def test_typed_honorific_is_not_doubled(typed, shown, template):
    lines = _lines({"宛先": typed, "本文の要点": "資料を提出する"}, template)
    assert shown in lines
    assert not any("殿　殿" in x or "殿殿" in x or "御中　殿" in x or "様　殿" in x or "各位　殿" in x
                   for x in lines)


def test_sentence_items_end_with_kuten_noun_phrases_do_not():
    points = ("電子署名の利用状況を調査する\n回答期限　令和８年１月３０日\n提出期限を守ること\n"
              "関係資料を添付する（様式１）\n出席者名簿\n既に句点のある文です。")
    lines = _lines({"宛先": "各課長", "本文の要点": points})
    items = lines[lines.index("記") + 1:lines.index("以上")]
    assert items == ["１　電子署名の利用状況を調査する。", "２　回答期限　令和８年１月３０日",
                     "３　提出期限を守ること。", "４　関係資料を添付する（様式１）。", "５　出席者名簿",
                     "６　既に句点のある文です。"]


@pytest.mark.parametrize("item, closed", [
    ("資料を提出してください", True), ("調査の対象は全府省庁である", True), ("費用が高い", True),
    ("異議がないとき", True), ("会議の開催について", False), ("事業の概要及び進捗状況", False),
    ("検討を行う予定", False), ("「電子署名」の定義を確認する", True),
])
def test_close_item_rule(item, closed):
    assert close_item(item) == (item + "。" if closed else item)
