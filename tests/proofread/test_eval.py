"""The hand-labelled evaluation set must keep the engine above its quality targets."""
from __future__ import annotations

from pathlib import Path

from tests.support.scripts import load_script

REPO = Path(__file__).resolve().parents[2]


def _scorer():
    return load_script(REPO / "eval" / "koyobun" / "score.py", "koyobun_score")


def test_eval_set_shape():
    cases = _scorer().load_cases()
    assert len(cases) >= 200
    correct = [c for c in cases if not c.expected]
    assert len(correct) >= 60
    genres = {c.genre for c in cases}
    assert {"通知", "依頼", "報告", "議事録"} <= genres


import pytest

EVAL = REPO / "eval" / "koyobun"


# sentences.tsv: written with the engine; heldout.tsv: written after freezing it;
# blind.tsv / blind2.tsv: written by people who never read the engine or its rules.
# blind2.tsv was scored for the first time after the last rule change (P 0.989,
# R 0.956, no trap findings), so it is the honest figure; blind.tsv's misses were
# used for development afterwards and it is now a regression set like the others.
#
# Conventions of these older sets that issue 21 replaced with the 2022 建議's rule that a
# document is judged against itself (docs/koyobun.md): full-width digits/Latin were always
# "corrected" to half-width, 「，」 always to 「、」, and the 本則 form of a compound noun of the
# 2010 訓令 2(1)イ list (手続き, 取り扱い) always to its 許容 form (手続, 取扱い). Now only a text
# that mixes the forms gets a finding, so a one-sentence item written consistently has
# nothing to report. And the 長文 hint now needs 150 characters and 4 読点, or 120 and 6
# (2.5 or 2 times the 建議's 50〜60字, with clauses to split at). Those labels are counted as misses by the
# scorer (the tables are in eval/koyobun/results/); the targets below hold for every other label.
def _superseded(exp) -> bool:
    if exp.category in ("全角半角", "句読点"):
        return True
    if exp.category == "長文":
        from gennai_desktop.proofread.ruleset import load_rules
        when = load_rules().long_sentence["hint_when"]
        commas = exp.original.count("、") + exp.original.count("，")
        return not any(len(exp.original) >= n and commas >= c for n, c in when)
    return exp.category == "送り仮名" and exp.suggestion in _kyoyo_forms()


def _kyoyo_forms() -> set[str]:
    from gennai_desktop.proofread.ruleset import load_rules
    return set(load_rules().kyoyo_forms.values())


@pytest.mark.parametrize("name", ["sentences.tsv", "heldout.tsv", "blind.tsv", "blind2.tsv"])
def test_rule_engine_meets_targets(name):
    rep = _scorer().score(path=EVAL / name)
    assert rep.trap_findings == [], rep.trap_findings
    assert rep.precision >= 0.95, (rep.precision, rep.false_pos)
    kept = [(e, ok) for e, ok in rep.expected_items if not _superseded(e)]
    assert sum(ok for _, ok in kept) / len(kept) >= 0.90, (rep.recall, rep.misses)
    by_cat: dict[str, list[bool]] = {}
    for e, ok in kept:
        by_cat.setdefault(e.category, []).append(ok)
    for cat, oks in by_cat.items():
        assert sum(oks) / len(oks) >= 0.75, (cat, oks)


def test_superseded_labels_are_only_the_documented_conventions():
    """The exclusion above cannot hide a regression: every superseded label is one that a
    consistent one-sentence text no longer gets, and a text that mixes the forms still does."""
    from gennai_desktop.proofread.rules import check_text
    mixed = check_text("参加者は１２０名、欠席者は3名であった。手続を終え、手続きの記録を残した。本件は，別途、通知する。")
    assert {f.category for f in mixed} >= {"全角半角", "送り仮名", "句読点"}


def test_scorer_detects_a_broken_engine():
    """The scorer is not a rubber stamp: an engine that finds nothing or everything fails."""
    mod = _scorer()
    assert mod.score(lambda text: []).recall == 0.0
    from gennai_desktop.core.findings import Finding
    noisy = mod.score(lambda text: [Finding(0, 1, text[0], "X", "r", "m", category="補助動詞")])
    assert noisy.precision < 0.5 and noisy.trap_findings
