"""Which sentences of the best passage are quoted (answer._pick, round 6): the one that fills
the asked slot, and a list lead's first item — measured on the development sets (docs/qa.md)."""
from __future__ import annotations

from gennai_desktop.qa.answer import _pick
from gennai_desktop.qa.passages import Passage, PassageSentence
from gennai_desktop.qa.retrieval import terms
from gennai_desktop.qa.search import Hit


def _hit(*sentences: tuple[str, int]) -> Hit:
    p = Passage(tuple(PassageSentence(t, f"b{n}", 1, para) for n, (t, para) in enumerate(sentences)))
    return Hit("doc.pdf", p, 1.0, 1.0, frozenset())


def _idf(_w: str) -> float:
    return 1.0


def test_the_sentence_that_fills_the_asked_slot_is_quoted():
    """「料金はかかりますか」: the sentence that says 無料 is the answer, though the one before it
    repeats more of the question's words."""
    question = "焼津都市情報APIを使うのに料金はかかりますか"
    hit = _hit(("「焼津都市情報API」は、焼津市が公開する地図情報のAPI提供サービスです。", 0),
               ("市民や企業が、目的を問わず無料で利用し、ウェブサイトを作ることができます。", 0),
               ("焼津市では、焼津都市情報APIを活用し、地図サービスの提供を行っています。", 1))
    picked = _pick(hit, terms(question), _idf, "", question)
    assert 1 in picked and 2 not in picked


def test_a_count_asked_with_its_counter_quotes_the_number_not_the_lead_in():
    question = "背景地図は何通りから選べますか"
    hit = _hit(("画面左下のボタンを押すと、背景地図の切り替えができます。", 0),
               ("背景地図は以下の3種類に切り替えができます。", 0))
    assert 1 in _pick(hit, terms(question), _idf, "", question)


def test_a_list_lead_is_quoted_with_the_first_item_of_its_list():
    """「次に掲げる場合には…消滅する。」 says nothing without its first item (its own block)."""
    question = "債権の消滅時効の期間は"
    hit = _hit(("第百六十六条　債権は、次に掲げる場合には、時効によって消滅する。", 0),
               ("一　債権者が権利を行使することができることを知った時から五年間行使しないとき。", 1),
               ("二　権利を行使することができる時から十年間行使しないとき。", 2))
    assert _pick(hit, terms(question), _idf, "", question) == [0, 1]


def test_without_a_slot_or_lead_one_sentence_of_one_paragraph_is_quoted():
    question = "審議会の会長は誰が指名するか"
    hit = _hit(("会長は、委員の互選に基づき、法務大臣が指名する。", 0),
               ("幹事は、学識経験のある者のうちから任命する。", 1))
    assert _pick(hit, terms(question), _idf, "", question) == [0]


def test_a_heading_that_names_the_term_is_quoted_with_its_first_body_sentence():
    """「フィルターバブルとは」 alone answers nothing; the definition is the sentence after it (round 8)."""
    question = "フィルターバブルってどういう意味"
    hit = _hit(("フィルターバブルとは", 0),
               ("見たい情報が優先的に表示され、観点に合わない情報から隔離される情報環境を指す。", 1),
               ("エコーチェンバーも挙げられる。", 2))
    assert _pick(hit, terms(question), _idf, "", question) == [0, 1]


def test_a_lead_that_counts_its_items_is_quoted_with_the_first_item():
    question = "オープンデータ利用の注意点は"
    hit = _hit(("オープンデータを利用する際の注意点は以下の３つです。", 0),
               ("出典を記載すること。", 1),
               ("加工したことを明記すること。", 2))
    assert _pick(hit, terms(question), _idf, "", question) == [0, 1]


def test_a_sentence_ending_in_toha_inside_a_paragraph_is_not_a_heading():
    question = "審議会の会長は誰が指名するか"
    hit = _hit(("会長は、委員の互選に基づき、法務大臣が指名するとは限らない。", 0),
               ("幹事は、学識経験のある者のうちから任命する。", 1))
    assert _pick(hit, terms(question), _idf, "", question) == [0]
