"""Whether a sentence fills the slot a question asks for (gennai_desktop/qa/slots.py): the
signal the round-5 abstention score adds to the share of the question's words."""
from __future__ import annotations

from gennai_desktop.qa.slots import fills, sentence_score, slot_kind


def test_slot_kind_reads_the_question_word():
    assert slot_kind("説明会はいつ開かれるか") == "date"
    assert slot_kind("応募したのは何社か") == "count"
    assert slot_kind("手数料はいくらか") == "amount"
    assert slot_kind("会長は誰が指名するのか") == "name"
    assert slot_kind("なぜ件数が多いのか") == "reason"
    assert slot_kind("申請の方法を教えてください") == ""


def test_a_count_must_carry_the_asked_counter_or_one_like_it():
    q = "応募したのは何社か"
    assert fills("応募は合計３２件あった。", "count", q)          # 何社 ↔ 件
    assert not fills("応募期間は３０日間である。", "count", q)    # a number, but of days
    assert fills("委員は二十人以内で組織する。", "count", "委員は最大で何人か")
    # the question's own number is no answer
    assert not fills("委員は20人以内で組織する。", "count", "20人の委員のうち何人が出席したか")


def test_reason_amount_and_no_slot():
    assert fills("件数を計上しているため、過大である。", "reason", "なぜ過大なのか")
    assert not fills("検査人数は過大である。", "reason", "なぜ過大なのか")
    assert fills("利用は無料です。", "amount", "料金はいくらか")
    assert fills("どんな文でもよい。", "", "方法は")


def test_sentence_score_is_the_best_sentence_and_its_slot():
    idf = {"応募": 2.0, "件数": 1.0}.get
    q = ["応募", "件数"]

    def words(s: str) -> list[str]:
        return [w for w in ("応募", "件数") if w in s]

    sents = ["応募の件数は集計中である。", "応募は３２件だった。"]
    got = sentence_score(sents, set(), q, lambda w: idf(w) or 0.0, {}, "count", "応募の件数は何件か", words, 0.35)
    assert abs(got - 2 / 3) < 1e-9                        # the second sentence: 応募 (2 of 3) and a count
    none = sentence_score(sents[:1], set(), q, lambda w: idf(w) or 0.0, {}, "count", "応募の件数は何件か", words, 0.35)
    assert abs(none - 0.35) < 1e-9                        # all the words, no count


def test_counters_answer_type_does_not_list_still_ask_for_a_count():
    assert slot_kind("背景地図は何通りから選べるか") == "count"
    assert fills("背景地図は3種類から選べます。", "count", "背景地図は何通りから選べるか")
    assert slot_kind("AEDは何か所に設置されているか") == "count"
    assert not fills("AEDは市役所に設置されている。", "count", "AEDは何か所に設置されているか")


def test_a_term_only_in_the_heading_counts_half_for_a_sentence():
    """A bare date line under a heading that names the question's topic (「平成9年9月24日
    条例第20号」 under 「例規集」) does not hold the question by itself."""
    idf = {"例規集": 1.0, "改版": 1.0}

    def words(s: str) -> list[str]:
        return [w for w in idf if w in s]

    got = sentence_score(["平成9年9月24日　条例第20号"], {"例規集", "改版"}, ["例規集", "改版"],
                         lambda w: idf.get(w, 0.0), {}, "date", "例規集はいつ改版されるか", words, 0.35)
    assert abs(got - 0.5) < 1e-9


def test_an_age_and_a_fee_are_slots_too():
    assert slot_kind("遺言は何歳からできるのか") == "count"
    assert fills("十五歳に達した者は、遺言をすることができる。", "count", "遺言は何歳からできるのか")
    assert slot_kind("このAPIを使うのに料金はかかりますか") == "amount"
    assert fills("APIは無料で利用できます。", "amount", "このAPIを使うのに料金はかかりますか")
    assert not fills("APIはドメインを登録して利用できます。", "amount", "このAPIを使うのに料金はかかりますか")
