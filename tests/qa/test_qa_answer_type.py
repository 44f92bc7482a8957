"""Question types and answer spans (the citation that holds the answer is marked by them)."""
from __future__ import annotations

import pytest

from gennai_desktop.qa.answer_type import answer_spans, question_type
from gennai_desktop.qa.synonyms import expand, table


@pytest.mark.parametrize("question, kind", [
    ("この制度はいつから始まりますか", "date"), ("申請の期限はいつまでですか", "date"),
    ("何社が応募しましたか", "count"), ("委員は何人ですか", "count"), ("いくつの段階がありますか", "count"),
    ("手数料はいくらですか", "amount"), ("何点を算定しますか", "amount"),
    ("会長は誰ですか", "name"), ("どの機関が定めましたか", "name"),
    ("なぜ分けるのですか", ""), ("メタデータとは何ですか", ""),
])
def test_question_type(question, kind):
    assert question_type(question) == kind


def test_answer_spans_by_type():
    text = "令和５年３月３１日から、委員２０名のうち１７名が出席し、手数料は１件３００円とした。"
    date = [text[s:e] for s, e in answer_spans(text, "date")]
    assert date and date[0].startswith("令和５年３月３１日")
    counts = [text[s:e] for s, e in answer_spans(text, "count")]
    assert "２０名" in counts and "１７名" in counts and not any("円" in c for c in counts)
    assert [text[s:e] for s, e in answer_spans(text, "amount")] == ["３００円"]
    assert answer_spans(text, "") == []


def test_synonyms_come_from_the_table_at_a_lower_weight():
    syn = table()
    assert syn and all(w not in others for w, others in syn.items())
    word = next(iter(syn))
    out = expand([word, word])
    assert out[0] == (word, 1.0, 0) and len([t for t in out if t[0] == word]) == 1
    assert {t for t, wt, i in out[1:]} == set(syn[word]) and all(wt < 1.0 and i == 0 for _, wt, i in out[1:])


def test_a_number_the_question_gives_is_not_the_answer():
    text = "第１９８回会議を開催します。ウェブ会議システムによる出席委員３名です。"
    spans = [text[s:e] for s, e in answer_spans(text, "count", "第198回会議に参加した委員は何人ですか")]
    assert spans == ["３名"]


def test_a_law_number_is_no_date():
    text = "この法律は、行政不服審査法（平成二十六年法律第六十八号）の施行の日から施行する。"
    assert answer_spans(text, "date") == []
    text = "この法律は、平成十三年四月一日から施行する。"
    assert [text[s:e] for s, e in answer_spans(text, "date")] == ["平成十三年四月一日"]
