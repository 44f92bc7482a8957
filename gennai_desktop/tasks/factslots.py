"""The things a reader must get from a summary, as slots a sentence can fill.

Why: ranking every sentence on one score lets the sentences that repeat the document's
topic (high centrality) take all the places, and the one sentence that says who decided
what, when, how many, how much or what happens next is left out. So the picker first
gives each slot its best sentence — one sentence may fill several slots, and no two
points may state the same fact — and only then fills the remaining places by score.

The slots are the same for every kind of document (通知, 報告書, 議事録, 白書, 規約 …):

* ``purpose`` — why the document exists or what it concludes (目的, 本報告は, 結論, 概要);
* ``decision`` — what was decided, set, published, started or put in force (決定, 定めた,
  策定, 公表, 開始, 施行, 承認 …), the "who decided what";
* ``when`` — a date or fiscal year (令和5年4月1日, 2023年度);
* ``amount`` — a count or amount with its unit (件, 人, 円, %, 億 …), not a year;
* ``next`` — what happens next (今後, 予定, 見込み, までに …);
* ``problem`` — the problem the document answers (課題, 存在しない, 不足, 遅れ …), or a
  sentence under a 課題/問題点 heading: a report's case rests on it.

Bodies (府省庁, 会議, 委員会, 企業) are not a slot of their own: almost every sentence of an
official document names one; they count towards ``decision`` when the sentence says who
decided (a body with a decision predicate fills the slot better than a decision alone).
"""
from __future__ import annotations

import re

from . import keyfacts

SLOTS = ("purpose", "decision", "when", "amount", "next", "problem")

# a decision predicate: what was decided, set, published, started or put in force
DECIDED = re.compile(r"決定|決め|定めた|定める|策定|公表|開始|施行|改正し|承認|了承|採択|可決|議決|答申|合意|"
                     r"全会一致|賛成多数|異議なく|取りまとめ|とりまとめ|設置|創設|発足|任命|選任|実施し")
# a year alone is a date, not a count: 「3年度」「2年間」 are ``when``, 「3件」「5億円」 ``amount``
_NOT_AMOUNT = re.compile(r"(?:年度|年間)$")


def amounts(text: str) -> int:
    """Numbers with a unit of count or amount in ``text`` (a fiscal year is a date)."""
    return sum(1 for m in keyfacts.NUMBER_UNIT.finditer(text) if not _NOT_AMOUNT.search(m.group(0)))


def slots_of(text: str, sig: keyfacts.Signals) -> frozenset[str]:
    """The slots sentence ``text`` (with its ``keyfacts.signals``) can fill."""
    out = set()
    if sig.purpose or sig.self_ref or sig.conclusion:
        out.add("purpose")
    if DECIDED.search(text):
        out.add("decision")
    if sig.dates:
        out.add("when")
    if amounts(text):
        out.add("amount")
    if sig.next_step:
        out.add("next")
    if sig.problem:
        out.add("problem")
    return frozenset(out)


def strength(slot: str, text: str, sig: keyfacts.Signals) -> float:
    """How well a sentence fills ``slot`` beyond merely having it (added to its score when
    choosing the slot's sentence, not to its rank among the other points): a decision with
    the body that took it and its date, a date on a decision or next step, a count with a
    decision — the sentence that carries the whole fact rather than a part of it."""
    if slot == "decision":
        return 0.15 * min(sig.bodies, 1) + 0.15 * min(sig.dates, 1)
    if slot == "when":
        return 0.15 * (sig.decision or sig.next_step)
    if slot == "amount":
        return 0.1 * (sig.decision or sig.dates > 0)
    if slot == "next":
        return 0.1 * (sig.dates > 0) + 0.1 * bool(DECIDED.search(text))
    return 0.0
