"""The labelled set eval/qa/questions.tsv over the whole shared corpus: retrieval hit@3 on
the answerable questions and abstention of the extractive ask path on the unanswerable ones."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.events import run_to_result
from tests.support.scripts import load_script
from gennai_desktop.qa.answer import ask
from gennai_desktop.qa.index import FolderIndex
from gennai_desktop.qa.store import MemoryStore

REPO = Path(__file__).resolve().parents[2]


def _score_module():
    return load_script(REPO / "eval" / "qa" / "score.py", "qa_score")


@pytest.fixture(scope="module")
def scored(ja_corpus):
    mod = _score_module()
    ix = FolderIndex(ja_corpus, MemoryStore())
    run_to_result(ix.update())
    return mod, ix, mod.load_questions()


def test_labelled_set_is_big_enough(scored):
    _, _, qs = scored
    assert sum(q["answerable"] for q in qs) >= 40
    assert sum(not q["answerable"] for q in qs) >= 10
    for q in qs:
        if q["answerable"]:
            assert q["file"] and q["answer"], q["id"]


def test_every_labelled_answer_exists_in_its_file(scored, ja_corpus):
    """A label that matches nothing would make a miss look like a retrieval failure."""
    mod, ix, qs = scored
    texts = {Path(p).name: "".join(p2.text for p2 in e.passages) for p, e in ix.entries.items()}
    for q in qs:
        if q["answerable"]:
            assert any(mod.is_hit(q, name, t) for name, t in texts.items()), q["id"]


def test_hit_at_3_on_answerable_questions(scored):
    mod, ix, qs = scored
    ans = [q for q in qs if q["answerable"]]
    hits = [mod.hit_at(q, ix.search(q["question"], 3)) for q in ans]
    missed = [q["id"] for q, h in zip(ans, hits) if not h]
    # 0.938 with the "definition" re-ranker fitted to this set; it was dropped because it did not
    # help on the independent blind set (eval/qa/README.md), and this set measures 0.896 without it.
    assert sum(hits) / len(ans) >= 0.85, missed


def test_extractive_path_abstains_on_unanswerable_and_answers_answerable(scored, ja_corpus):
    mod, ix, qs = scored
    una = [q for q in qs if not q["answerable"]]
    results = [run_to_result(ask(ja_corpus, q["question"], None, index=ix)) for q in una]
    assert sum(r.abstained for r in results) / len(una) >= 0.8
    for r in results:
        if r.status == "not_found":
            assert r.answer == "ご質問の内容は、これらの文書には見当たりませんでした。" and r.citations == []
        elif r.status == "unsure":          # the closest passages, with the note, never as an answer
            assert r.answer.startswith("文書の中にご質問の答えがないかもしれません") and 1 <= len(r.citations) <= 3
    ans = [q for q in qs if q["answerable"]]
    res_a = [run_to_result(ask(ja_corpus, q["question"], None, index=ix)) for q in ans]
    # the threshold does not give up too often: round 6's answer threshold (≥ 80 % of the pool's
    # unanswerables under it, docs/qa.md) leaves 6 of these 48 "unsure" (round 5: 2) — its stated price
    assert sum(r.abstained for r in res_a) / len(ans) <= 0.15
    good = sum((not r.abstained) and any(mod.is_hit(q, c.file, c.passage_text) for c in r.citations[:3])
               for q, r in zip(ans, res_a))
    assert good / len(ans) >= 0.75
