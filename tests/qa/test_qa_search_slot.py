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
