"""Ranking's re-rank by the asked slot (search.SearchOptions "slot", round 5): a passage that
holds a number with the asked counter (何社 ↔ 〜件) is lifted, one with another number is not."""
from __future__ import annotations

from dataclasses import replace

from gennai_desktop.qa.index import FolderIndex
from gennai_desktop.qa.search import DEFAULT, rank
from gennai_desktop.qa.store import MemoryStore
from tests.support.events import run_to_result


def _index(tmp_path):
    (tmp_path / "a.txt").write_text("公募の応募は、応募期間として３０日間受け付けた。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("今回の公募への応募は合計３２件であった。\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("説明会は市役所で開催した。\n", encoding="utf-8")
    ix = FolderIndex(tmp_path, MemoryStore())
    run_to_result(ix.update())
    return ix


def test_the_passage_with_the_asked_counter_ranks_first(tmp_path):
    ix = _index(tmp_path)
    question = "公募への応募は何社あったか"
    assert "slot" in DEFAULT.rerank
    assert rank(ix, question, 2)[0].file.endswith("b.txt")
    no_slot = replace(DEFAULT, rerank=DEFAULT.rerank - {"slot"})
    plain = rank(ix, question, 2, options=no_slot)
    assert plain[0].file.endswith("a.txt")           # BM25 alone prefers the passage saying 応募 twice


def test_a_passage_matched_only_through_its_heading_ranks_below_one_that_says_it(tmp_path):
    """「平成元年9月10日　告示第9号」 under the heading 「かつらぎ町表彰規程」 holds none of the
    question's words itself; the article that does is ranked above it."""
    (tmp_path / "kitei.md").write_text(
        "# かつらぎ町表彰規程\n\n平成元年9月10日　告示第9号\n\n"
        "第3条　表彰は、町長が表彰状及び記念品を授与して行うものとし、その授与の方法、時期、場所その他の"
        "細目については、別に町長が定めるところによる。\n", encoding="utf-8")
    (tmp_path / "other.txt").write_text("説明会は市役所で開催した。\n", encoding="utf-8")
    ix = FolderIndex(tmp_path, MemoryStore())
    run_to_result(ix.update())
    question = "かつらぎ町の表彰では何が贈られるのか"
    assert "own_text" in DEFAULT.rerank
    hits = rank(ix, question, 2)
    assert "第3条" in hits[0].passage.text
    without = rank(ix, question, 2, options=replace(DEFAULT, rerank=DEFAULT.rerank - {"own_text"}))
    assert "告示第9号" in without[0].passage.text      # the heading's words alone put it first before
