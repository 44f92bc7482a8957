"""要約: cited points, map-reduce over a context-sized split, honest extractive fallback."""
from __future__ import annotations

import threading
import time

import pytest

from gennai_desktop.core.cancel import CancelToken, Cancelled
from gennai_desktop.core.document import Block, Document
from gennai_desktop.core.events import Notice, Progress, TextDelta
from tests.support.events import run_to_result
from gennai_desktop.tasks.extractive import supported_by
from gennai_desktop.tasks.summarize import summarize

from .conftest import chat_spec, fake


def _check_citations(doc, result):
    assert result.points
    for p in result.points:
        assert p.citations, p
        for c in p.citations:
            assert doc.has_block(c.block_id)
            assert c.page == doc.block(c.block_id).page


@pytest.mark.parametrize("style,most", [("bullets", 6), ("three_lines", 3), ("report", 5)])
def test_no_model_is_extractive_and_cited(pdf_doc, style, most):
    events = list(summarize(pdf_doc, None, style=style))
    result = events[-1].result
    assert result.method == "extractive" and 1 <= len(result.points) <= most
    assert any(isinstance(e, Notice) for e in events)
    _check_citations(pdf_doc, result)
    for p in result.points:      # extractive points are the document's own words
        assert p.text.rstrip("…") in pdf_doc.text
        assert f"{p.citations[0].page}ページ" in result.text


def test_model_points_matched_to_their_source(doc):
    reply = "年次休暇は一の年ごとに二十日とする。\n・勤務時間は一週間当たり三十八時間四十五分とする。"
    events = list(summarize(doc, fake(lambda p: reply)))
    result = events[-1].result
    assert result.method == "model"
    texts = [p.text for p in result.points]
    assert "年次休暇は一の年ごとに二十日とする。" in texts
    by_text = {p.text: p for p in result.points}
    assert by_text["年次休暇は一の年ごとに二十日とする。"].citations[0].block_id == "b0004"
    assert by_text["年次休暇は一の年ごとに二十日とする。"].citations[0].heading == "第二章　休暇"
    assert any(isinstance(e, TextDelta) for e in events)


def test_hallucinated_points_fall_back_to_extractive(doc):
    reply = "この規程は、平成十八年十二月三十一日に施行令第三十条により改正された。"
    events = list(summarize(doc, fake(lambda p: reply)))
    result = events[-1].result
    assert result.method == "extractive"
    assert any(isinstance(e, Notice) and e.key == "summary.notice.model_weak" for e in events)
    assert "平成十八年" not in result.text
    _check_citations(doc, result)


def test_degenerate_output_falls_back(doc):
    eng = fake(lambda p: "年次休暇は二十日とする。", stop_reason="degenerate_repetition")
    assert run_to_result(summarize(doc, eng)).method == "extractive"


def test_long_document_is_chunked_to_the_context(doc):
    paras = [f"第{i}条の規定により、職員は年次休暇{i}日を請求することができる。" for i in range(1, 200)]
    big = Document.from_blocks([Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate(paras)])
    eng = fake(lambda p: "職員は年次休暇を請求することができる。", ctx=600)
    events = list(summarize(big, eng, style="three_lines"))
    maps = [e for e in events if isinstance(e, Progress) and e.stage == "summary.stage.map"]
    total = maps[0].total
    assert total > 5 and maps[-1].done == total
    assert len(eng.prompts) == total + 1                  # every chunk, then one reduce
    assert all(eng.count_tokens(p) <= eng.n_ctx() for p in eng.prompts)
    result = events[-1].result
    assert result.method == "model" and len(result.points) <= 3
    _check_citations(big, result)


def test_chat_model_gets_chat_prompts(doc):
    eng = fake(lambda p: "・年次休暇は一の年ごとに二十日とする。", spec=chat_spec())
    result = run_to_result(summarize(doc, eng, style="report"))
    assert all(p.startswith("<system>") for p in eng.prompts)
    assert result.text.splitlines()[0] == "【概要】"        # 報告 is labelled 概要 / 経緯 / 今後の予定
    assert "【経緯】" in result.text and "【今後の予定】" in result.text


def test_cancel_stops_during_generation(doc):
    token = CancelToken()
    eng = fake(lambda p: "年次休暇は二十日とする。" * 50, delay=0.01)
    threading.Timer(0.2, token.cancel).start()
    t0 = time.perf_counter()
    with pytest.raises(Cancelled):
        run_to_result(summarize(doc, eng, cancel=token))
    assert time.perf_counter() - t0 < 1.0


def test_supported_by_rejects_invented_numbers():
    src = ["年次休暇は、一の年ごとに二十日とする。"]
    assert supported_by("年次休暇は一の年ごとに二十日とする。", src)
    assert not supported_by("年次休暇は一の年ごとに三十日とする。", src)
    assert not supported_by("給与は月額で支給する。", src)


def test_large_law_extractive_spread_and_cited(ja_corpus):
    from gennai_desktop.documents import load_document
    doc = load_document(ja_corpus / "law_minpo_129AC0000000089.txt")
    result = run_to_result(summarize(doc, None, style="bullets"))
    _check_citations(doc, result)
    offsets = [doc.block(p.citations[0].block_id).start for p in result.points]
    assert max(offsets) - min(offsets) > len(doc.text) // 2      # not just the first chapter


def test_empty_document_is_a_clear_error():
    from gennai_desktop.core.errors import DocumentError
    with pytest.raises(DocumentError):
        run_to_result(summarize(Document.from_blocks([Block("b0000", "paragraph", "  ")]), None))


def test_summary_docx_round_trip(pdf_doc, tmp_path):
    from gennai_desktop.documents import load_document
    from gennai_desktop.tasks.summarize import save_summary_docx
    result = run_to_result(summarize(pdf_doc, None, style="bullets"))
    target = tmp_path / "summary.docx"
    save_summary_docx(result, target)
    text = load_document(target).text
    for p in result.points:
        assert p.text in text and f"{p.citations[0].page}ページ" in text


def _model_and_filled(doc, result, model_text):
    """The model's supported point is there; every other point is one of the document's own
    sentences (extractive gap filling), each said once."""
    texts = [p.text for p in result.points]
    assert model_text in texts
    others = [t for t in texts if t != model_text]
    assert all(t in doc.text for t in others)
    assert len(set(texts)) == len(texts)
    return others


def test_unsupported_model_points_are_dropped_and_counted(doc):
    reply = "年次休暇は一の年ごとに二十日とする。\n・職員には毎年ボーナスが三回支給される。"
    events = list(summarize(doc, fake(lambda p: reply)))
    result = events[-1].result
    assert "ボーナス" not in result.text
    _model_and_filled(doc, result, "年次休暇は一の年ごとに二十日とする。")
    note = [e for e in events if isinstance(e, Notice) and e.key == "summary.notice.unsupported_dropped"]
    assert note and note[0].params["count"] == 1


def test_copied_captions_are_not_points(doc):
    reply = "（年次休暇）\n・年次休暇は一の年ごとに二十日とする。"
    result = run_to_result(summarize(doc, fake(lambda p: reply)))
    assert all(not p.text.startswith("（") for p in result.points)
    _model_and_filled(doc, result, "年次休暇は一の年ごとに二十日とする。")


def test_gaps_in_model_points_are_filled_with_key_sentences(doc):
    """Five of six model points have no support: the summary still has its six points, the
    gap filled with the document's own sentences (not repeating the one the model point
    rests on), and says so."""
    reply = "年次休暇は一の年ごとに二十日とする。\n" + "\n".join(f"・職員には毎年ボーナスが{n}回支給される。"
                                                          for n in "二三四五六")
    events = list(summarize(doc, fake(lambda p: reply), style="bullets"))
    result = events[-1].result
    others = _model_and_filled(doc, result, "年次休暇は一の年ごとに二十日とする。")
    assert others and not any("年次休暇は、一の年ごとに" in t for t in others)
    assert any(isinstance(e, Notice) and e.key == "summary.notice.gaps_filled" for e in events)
    assert "summary.notice.gaps_filled" in result.notices
    _check_citations(doc, result)


def test_short_combined_answer_is_topped_up_from_chunk_points():
    paras = [f"第{i}条の規定により、職員は年次休暇{i}日を請求することができる。" for i in range(1, 120)]
    big = Document.from_blocks([Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate(paras)])
    eng = fake(lambda p: "職員は年次休暇を請求することができる。", ctx=600)
    result = run_to_result(summarize(big, eng, style="three_lines"))
    assert result.method == "model" and len(result.points) == 3
    cited = [c.block_id for p in result.points for c in p.citations]
    assert len(cited) == len(set(cited))
