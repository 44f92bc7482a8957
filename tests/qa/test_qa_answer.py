"""ask(): abstention, extractive answers with real citations, the instruction-tuned model path
(FakeEngine) with its per-sentence support check, cancellation, and the Sudachi spelling merge."""
from __future__ import annotations

from pathlib import Path

import pytest

from gennai_desktop.core.cancel import CancelToken, Cancelled
from gennai_desktop.core.errors import DocumentError, GennaiError
from gennai_desktop.core.events import Done, Notice, Progress
from tests.support.events import run_to_result
from gennai_desktop.documents import load_document
from gennai_desktop.llm.base import ModelSpec
from gennai_desktop.qa.answer import ask
from gennai_desktop.qa.index import FolderIndex
from gennai_desktop.qa.retrieval import terms
from gennai_desktop.qa.store import MemoryStore
from tests.support.fake_engine import FakeEngine

ABSTAIN = "ご質問の内容は、これらの文書には見当たりませんでした。"
KENPO_PDF = "law_nihonkoku-kenpo_321CONSTITUTION.pdf"
ROUDOU = "law_rodo-kijun_322AC0000000049.txt"


def it_spec(**kw):
    return ModelSpec(id="fake-it", path=Path("/dev/null"), name_ja="テスト", name_en="Test",
                     instruction_tuned=True, prompt_style="chat", **kw)


def run(source, question, engine=None, **kw):
    events = list(ask(source, question, engine, store=MemoryStore(), **kw))
    assert isinstance(events[-1], Done)
    return events[-1].result, events


def test_spelling_variants_meet():
    assert set(terms("申し込み")) == set(terms("申込み")) == set(terms("申込"))


def test_pdf_answer_cites_existing_pages(ja_corpus):
    path = ja_corpus / KENPO_PDF
    res, events = run(path, "衆議院議員の任期は何年ですか")
    assert not res.abstained and res.method == "extractive"
    assert "【文書からの抜粋】" in res.answer and "衆議院議員の任期は、四年とする" in res.answer
    pages = set(load_document(path).pages)
    assert res.citations and all(c.page in pages for c in res.citations)
    assert res.citations[0].to_json()["page"] == res.citations[0].page and "block" not in res.citations[0].to_json()
    for sentence, cite in res.sentences:                 # one citation per answer sentence, its own text
        assert sentence == cite.text and f"{cite.page}ページ" in res.answer
    assert "qa.notice.extractive" in res.notices
    assert any(isinstance(e, Progress) and e.stage == "qa.stage.index" for e in events)


def test_txt_answer_cites_blocks(ja_corpus):
    path = ja_corpus / ROUDOU
    doc = load_document(path)
    res, _ = run(path, "休憩時間は最低何分与える必要があるか")
    assert not res.abstained
    assert any("四十五分" in c.passage_text for c in res.citations[:3])
    for c in res.citations:
        assert c.page is None and doc.has_block(c.block) and c.text in doc.block(c.block).text
        assert c.to_json()["block"] == c.block


def test_abstains_when_the_documents_do_not_answer(ja_corpus):
    res, _ = run(ja_corpus / ROUDOU, "消費税の税率は何パーセントですか")
    assert res.abstained and res.answer == ABSTAIN and res.citations == [] and res.status == "not_found"
    data = res.to_json()
    assert data["status"] == "not_found" and data["citations"] == [] and data["confidence"] < 0.15


def test_weak_model_is_not_asked_and_answer_is_extractive(ja_corpus):
    eng = FakeEngine(reply=lambda p: "衆議院議員の任期は、四年とする。")      # base model spec (not instruction-tuned)
    res, events = run(ja_corpus / KENPO_PDF, "衆議院議員の任期は何年ですか", eng)
    assert eng.prompts == [] and res.method == "extractive"
    assert any(isinstance(e, Notice) and e.key == "qa.notice.model_not_instruction" for e in events)
    assert "fake" in res.notice_texts()[0]


def test_instruction_tuned_model_keeps_supported_sentences_only(ja_corpus):
    reply = "衆議院議員の任期は四年とする。衆議院議員の任期は九年とし、毎年改選する。"
    eng = FakeEngine(reply=lambda p: reply, spec=it_spec())
    res, events = run(ja_corpus / KENPO_PDF, "衆議院議員の任期は何年ですか", eng)
    assert res.method == "model" and not res.abstained
    assert len(eng.prompts) == 1 and "衆議院議員の任期は、四年とする" in eng.prompts[0]   # grounded in passages
    assert [s for s, _ in res.sentences] == ["衆議院議員の任期は四年とする。"]
    assert "九年" not in res.answer
    assert res.sentences[0][1].page is not None and "四年" in res.sentences[0][1].text
    assert any(isinstance(e, Notice) and e.key == "qa.notice.unsupported_dropped" and e.params["count"] == 1
               for e in events)
    assert res.citations[0] == res.sentences[0][1]


def test_model_answer_without_support_falls_back_to_extractive(ja_corpus):
    eng = FakeEngine(reply=lambda p: "任期は三十年で、国王が任命する。", spec=it_spec())
    res, events = run(ja_corpus / KENPO_PDF, "衆議院議員の任期は何年ですか", eng)
    assert res.method == "extractive" and "衆議院議員の任期は、四年とする" in res.answer
    assert any(isinstance(e, Notice) and e.key == "qa.notice.model_unsupported" for e in events)


def test_model_saying_not_found_shows_the_passages_as_unsure(ja_corpus):
    """The passages hold the question's key terms: never a flat "not found" over them."""
    eng = FakeEngine(reply=lambda p: "見当たりません。", spec=it_spec())
    res, _ = run(ja_corpus / KENPO_PDF, "衆議院議員の任期は何年ですか", eng)
    assert res.abstained and res.status == "unsure" and res.method == "model"
    assert res.answer != ABSTAIN and "衆議院議員の任期は、四年とする" in res.answer
    assert 1 <= len(res.citations) <= 3


def test_model_is_not_called_when_retrieval_abstains(ja_corpus):
    eng = FakeEngine(reply=lambda p: "十パーセントです。", spec=it_spec())
    res, _ = run(ja_corpus / KENPO_PDF, "消費税の税率は何パーセントですか", eng)
    assert res.abstained and eng.prompts == []


def test_cancel_during_generation(ja_corpus):
    token = CancelToken()
    eng = FakeEngine(reply=lambda p: "衆議院議員の任期は四年とする。" * 5, spec=it_spec())
    gen = ask(ja_corpus / KENPO_PDF, "衆議院議員の任期は何年ですか", eng, store=MemoryStore(), cancel=token)
    with pytest.raises(Cancelled):
        for ev in gen:
            if type(ev).__name__ == "TextDelta":
                token.cancel()


def test_cancel_before_start(ja_corpus):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_to_result(ask(ja_corpus, "山の日は", None, store=MemoryStore(), cancel=token))


def test_bad_inputs(tmp_path):
    with pytest.raises(GennaiError):
        run_to_result(ask(tmp_path, "  ", None))
    with pytest.raises(DocumentError):
        run_to_result(ask(tmp_path / "missing", "質問", None))
    with pytest.raises(DocumentError):          # a folder with nothing readable
        run_to_result(ask(tmp_path, "質問です", None, store=MemoryStore()))


def test_folder_answer_names_the_right_law(ja_corpus):
    ix = FolderIndex(ja_corpus, MemoryStore())
    res = run_to_result(ask(ja_corpus, "行政手続法の目的は", None, index=ix))
    assert not res.abstained and Path(res.citations[0].file).name.startswith("law_gyosei-tetsuzuki")
    assert "公正の確保と透明性" in res.citations[0].passage_text


def test_passage_markers_in_a_model_answer_are_not_taken_as_numbers(ja_corpus):
    eng = FakeEngine(reply=lambda p: "衆議院議員の任期は四年とする[1]。", spec=it_spec())
    res, _ = run(ja_corpus / KENPO_PDF, "衆議院議員の任期は何年ですか", eng)
    assert res.method == "model" and [s for s, _ in res.sentences] == ["衆議院議員の任期は四年とする。"]


def test_answer_is_whole_sentences_with_three_citations_and_the_answer_span(ja_corpus):
    res, _ = run(ja_corpus / KENPO_PDF, "衆議院議員の任期は何年ですか")
    assert res.status == "answered"
    quoted = res.sentences[0][0]
    assert quoted.endswith("。") and "衆議院議員の任期は、四年とする" in quoted
    assert 1 <= len(res.citations) <= 3
    marked = [c for c in res.citations if c.holds_answer]
    assert len(marked) == 1 and marked[0].answer_span is not None
    s, e = marked[0].answer_span
    assert "四年" in marked[0].text[s:e]
    assert all(c.text[a:b] for c in res.citations for a, b in c.highlights)     # spans inside the text
    j = res.citations[0].to_json()
    assert {"file", "page", "text", "highlights", "holds_answer"} <= set(j)


def test_unsure_question_shows_passages_not_a_flat_not_found(ja_corpus):
    """Key terms present but not confident: the closest passages, with the note."""
    res, events = run(ja_corpus / KENPO_PDF, "衆議院議員の任期の延長を決めた年は西暦何年ですか")
    assert res.status in ("unsure", "answered")
    assert res.citations and res.answer != ABSTAIN
    if res.status == "unsure":
        assert res.abstained and any(isinstance(e, Notice) and e.key == "qa.notice.unsure" for e in events)


def test_model_is_given_only_the_passages_it_may_cite(ja_corpus):
    """The prompt numbers at most three passages, and every one of them is a cited source."""
    import re
    eng = FakeEngine(reply=lambda p: "衆議院議員の任期は四年とする。", spec=it_spec())
    res, _ = run(ja_corpus / KENPO_PDF, "衆議院議員の任期は何年ですか", eng)
    assert res.method == "model" and res.status == "answered"
    given = re.findall(r"^\[(\d)\] (.+)$", eng.prompts[0], flags=re.M)
    assert 1 <= len(given) <= 3
    cited = {"".join(c.passage_text.split()) for c in res.citations}
    assert all("".join(text.split()) in cited for _, text in given)
