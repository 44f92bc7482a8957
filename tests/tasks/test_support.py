"""Support that means support: a model's summary point is shown only when one sentence of
the document says it — same numbers, names, content words and polarity — and its
citation names that sentence."""
from __future__ import annotations

import pytest

from gennai_desktop.core.document import Document
from gennai_desktop.core.events import Notice
from gennai_desktop.tasks.extractive import SentenceTable, grounded_in, support
from gennai_desktop.tasks.quality import polarity_agrees_ja, polarity_ja
from gennai_desktop.tasks.summarize import summarize
from tests.support.events import run_to_result

from .conftest import fake

FABRICATED = "抵当権の規定は、債務者の行為について準用する。"
ART_372 = "第二百九十六条、第三百四条及び第三百五十一条の規定は、抵当権について準用する。"


@pytest.fixture(scope="module")
def minpo(ja_corpus):
    from gennai_desktop.documents import load_document
    return load_document(ja_corpus / "law_minpo_129AC0000000089.txt")


@pytest.fixture(scope="module")
def minpo_table(minpo):
    return SentenceTable(minpo)


def test_fabricated_point_has_no_support_in_minpo(minpo, minpo_table):
    assert FABRICATED not in minpo.text
    # the old word-overlap check accepted it (4 of its 6 words occur in the 372条 heading +
    # text); the strict check finds no sentence that says it
    assert support(minpo_table, FABRICATED) == ()


def test_real_point_cites_the_sentence_it_came_from(minpo, minpo_table):
    ids = support(minpo_table, ART_372)
    assert len(ids) == 1
    s = minpo_table.sentences[ids[0]].text
    assert ART_372 in s and s.startswith("第三百七十二条")
    assert minpo.block_at(minpo_table.sentences[ids[0]].start).kind != "heading"


@pytest.mark.parametrize("point", [
    "第二百九十六条、第三百四条及び第三百五十一条の規定は、抵当権について準用しない。",   # polarity
    "第二百九十七条、第三百四条及び第三百五十一条の規定は、抵当権について準用する。",     # number
    "第二百九十六条、第三百四条及び第三百五十一条の規定は、質権について準用する。",       # wrong entity
])
def test_perturbed_points_are_not_supported(minpo_table, point):
    assert support(minpo_table, point) == ()


def _minpo_part(minpo) -> Document:
    """The 抵当権 chapter region of 民法 (small enough for a quick map-reduce run)."""
    i = minpo.text.index("第三百七十二条\u3000") - 3000
    blocks = [b for b in minpo.blocks if i <= b.start < i + 6000]
    return Document.from_blocks(blocks, fmt="txt", title="民法（抵当権）")


def test_summary_drops_the_fabricated_point_and_keeps_the_real_one(minpo):
    doc = _minpo_part(minpo)
    assert ART_372 in doc.text
    reply = f"・{FABRICATED}\n・{ART_372}"
    events = list(summarize(doc, fake(lambda p: reply)))
    result = events[-1].result
    texts = [p.text for p in result.points]
    assert FABRICATED not in texts
    assert ART_372 in texts
    cited = result.points[texts.index(ART_372)].citations[0]
    assert ART_372 in doc.block(cited.block_id).text
    dropped = [e for e in events if isinstance(e, Notice) and e.key == "summary.notice.unsupported_dropped"]
    assert dropped and dropped[0].params["count"] >= 1


def test_flipped_polarity_point_is_dropped_from_summary(doc):
    reply = "・年次休暇は一の年ごとに二十日とする。\n・病気休暇は、職員が負傷又は疾病のため療養する必要がある場合に与えない。"
    result = run_to_result(summarize(doc, fake(lambda p: reply)))
    texts = [p.text for p in result.points]
    assert "年次休暇は一の年ごとに二十日とする。" in texts
    assert not any(t.endswith("与えない。") for t in texts)       # gaps are filled from the document itself


def test_polarity_parity_and_prohibition():
    assert polarity_ja("職員は、これを行ってはならない。")
    assert not polarity_ja("職員は、これを行わなければならない。")       # obligation, not negation
    assert polarity_ja("何人も、これを禁止する。")
    assert polarity_ja("前項の場合には、申請することができない。")
    assert not polarity_ja("ただし、届出をしない者は、申請することができる。")
    assert not polarity_agrees_ja("申請することができる。", "申請することができない。")
    assert not polarity_agrees_ja("届出をしない者は、申請できない。", "届出をした者は、申請できない。")


def test_grounded_in_checks_numbers_in_context():
    src = "次の各号のいずれかに該当する者は、二年以下の拘禁刑若しくは二百万円以下の罰金に処する。"
    assert grounded_in(src, src)
    assert not grounded_in(src.replace("二年", "三年"), src)
    assert not grounded_in("第一項及び第一項の規定は、適用しない。", "第一項及び第二項の規定は、適用しない。")


def _long_doc() -> Document:
    from gennai_desktop.core.document import Block
    texts = [f"第{n}条の規定により、職員は毎月{n}日までに勤務の状況を所属長に報告しなければならない。" for n in range(1, 41)]
    blocks = [Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate(texts)]
    return Document.from_blocks(blocks, fmt="txt", title="報告規程")


def _small_ctx_engine(reply, **kw):
    eng = fake(reply, **kw)
    eng.n_ctx = lambda: 400           # several chunks for the 40 paragraphs
    return eng


def test_time_limit_returns_the_points_it_has_marked_partial():
    import time as _time
    doc = _long_doc()

    def reply(prompt):
        _time.sleep(0.15)
        first = next(s for s in prompt.split("\n") if s.startswith("第") and "報告しなければ" in s)
        return "・" + first.split("。")[0] + "。"
    eng = _small_ctx_engine(reply)
    events = list(summarize(doc, eng, time_limit=0.5))
    result = events[-1].result
    assert result.partial
    assert "summary.notice.partial_time" in result.notices
    note = next(e for e in events if isinstance(e, Notice) and e.key == "summary.notice.partial_time")
    assert 0 < note.params["done"] < note.params["total"]
    assert result.points and all(p.text in doc.text for p in result.points)


def test_cancel_after_some_chunks_returns_partial_points():
    from gennai_desktop.core.cancel import CancelToken
    doc = _long_doc()
    token = CancelToken()
    calls = [0]

    def reply(prompt):
        calls[0] += 1
        if calls[0] == 3:
            token.cancel()
        first = next(s for s in prompt.split("\n") if s.startswith("第") and "報告しなければ" in s)
        return "・" + first.split("。")[0] + "。"
    result = run_to_result(summarize(doc, _small_ctx_engine(reply), cancel=token))
    assert result.partial and "summary.notice.partial_cancel" in result.notices
    assert result.points


def test_who_does_it_must_match_the_source(ja_corpus):
    """A bundled-model point from 電子署名法 第八条: the law says the successor takes over the
    認定認証事業者's status; the point says the 認定認証事業者 takes over the business."""
    from gennai_desktop.documents import load_document
    table = SentenceTable(load_document(ja_corpus / "law_denshi-shomei_412AC0000000102.txt"))
    assert support(table, "認定認証事業者は、その認定に係る業務を行う事業の全部を承継する。") == ()
