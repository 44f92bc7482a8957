"""Which of the top passages leads the citations (answer.lead_by_coverage, round 8): among
passages whose scores nearly tie, the one that holds most of the question is quoted — measured
on the development sets with eval/qa/dev_quote.py (docs/qa.md)."""
from __future__ import annotations

from gennai_desktop.qa import answer
from gennai_desktop.qa.answer import lead_by_coverage
from gennai_desktop.qa.passages import Passage, PassageSentence
from gennai_desktop.qa.search import Hit


def _hit(name: str, score: float, coverage: float) -> Hit:
    p = Passage((PassageSentence(f"{name}の文。", "b0", 1, 0),))
    return Hit(f"{name}.pdf", p, score, coverage, frozenset())


def test_a_near_tie_is_led_by_the_passage_that_holds_more_of_the_question():
    hits = [_hit("a", 10.0, 0.6), _hit("b", 9.0, 0.9), _hit("c", 8.0, 0.7), _hit("d", 7.0, 1.0)]
    out = lead_by_coverage(hits)
    assert [h.file for h in out] == ["b.pdf", "a.pdf", "c.pdf", "d.pdf"]


def test_a_passage_far_below_the_best_score_does_not_lead():
    far = answer.COVERAGE_NEAR * 10.0 - 0.5
    hits = [_hit("a", 10.0, 0.5), _hit("b", far, 1.0), _hit("c", 5.0, 1.0)]
    assert lead_by_coverage(hits) == hits


def test_the_best_passage_stays_first_when_no_other_holds_more():
    hits = [_hit("a", 10.0, 0.9), _hit("b", 9.9, 0.9), _hit("c", 9.8, 0.5)]
    assert lead_by_coverage(hits) == hits


def test_only_the_top_three_compete():
    hits = [_hit("a", 10.0, 0.5), _hit("b", 9.0, 0.5), _hit("c", 8.9, 0.5), _hit("d", 9.5, 1.0)]
    assert lead_by_coverage(hits) == hits
