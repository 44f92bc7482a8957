"""Does a sentence FILL the slot a question asks for, and how much of the question it holds.

Why: on real documents the share of the question's words a passage carries does not tell an
answerable question from an unanswerable one (docs/qa.md, rounds 3–4: AUC ≈ 0.70 on
eval/qa/calib) — an unanswerable near miss (「幹事の人数の上限は」) finds a passage full of
its words that simply does not state the asked fact. What separates them is whether ONE
sentence holds the question's key terms AND the kind of thing asked: a date for いつ, a
number with the asked counter for 何人/何社, an amount for いくら, a reason clause for なぜ.

``slot_kind`` reads the question; ``fills`` tests one sentence; ``sentence_score`` is the
best sentence's key-term share, lowered when the slot is empty there. The abstention
score in answer.py combines it with the passage coverage (eval/qa/calib/score.py chose
the combination by a rule stated in docs/qa.md before the frozen set was scored).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import cast

from .answer_type import AnswerType, _numbers, answer_spans, question_type

SlotKind = str        # "date" | "count" | "amount" | "name" | "reason" | ""

_Q_REASON = re.compile(r"なぜ|何故|どうして|理由|原因|目的は|ために何")
_REASON = re.compile(r"ため[、。にでの]?|ので|から[、。]|により|によって|による|理由|目的|原因")
_Q_FEE = re.compile(r"料金|手数料|費用|有料|無料|お金")
_FREE = re.compile(r"無料|無償|有料|不要|要しない|かからない|負担")
_COUNTER_Q = re.compile(r"何(人|名|件|社|校|か国|カ国|ヶ国|回|種類|段階|時間|日間?|年間?|か月|カ月|ヶ月|"
                        r"か所|カ所|ヶ所|箇所|文字|桁|枚|歳|個|台|つ|団体|自治体|機関|項目|都市|倍|通り)")
# a question's counter and the counters a text may answer it with (何社 ↔ 〜件, 何人 ↔ 〜名)
_COUNTER_ALIKE: dict[str, tuple[str, ...]] = {
    "人": ("人", "名", "者"), "名": ("人", "名", "者"), "社": ("社", "件", "者", "団体", "機関"),
    "件": ("件", "社", "者"), "か国": ("か国", "カ国", "ヶ国", "国"), "カ国": ("か国", "カ国", "ヶ国", "国"),
    "ヶ国": ("か国", "カ国", "ヶ国", "国"), "年": ("年",), "年間": ("年",), "日": ("日",), "日間": ("日",),
    "か月": ("か月", "カ月", "ヶ月", "箇月", "月"), "カ月": ("か月", "カ月", "ヶ月", "箇月", "月"),
    "ヶ月": ("か月", "カ月", "ヶ月", "箇月", "月"), "通り": ("通り", "種類", "つ"), "種類": ("種類", "つ", "通り"),
    "つ": ("つ", "種類", "項目", "点"), "団体": ("団体", "自治体", "者", "件"),
    "自治体": ("自治体", "団体", "市", "件"), "歳": ("歳", "才"), "か所": ("か所", "カ所", "ヶ所", "箇所", "件", "台"),
    "カ所": ("か所", "カ所", "ヶ所", "箇所", "件", "台"), "ヶ所": ("か所", "カ所", "ヶ所", "箇所", "件", "台"),
    "箇所": ("か所", "カ所", "ヶ所", "箇所", "件", "台"), "文字": ("文字", "字", "桁"), "桁": ("桁", "文字", "字"),
}
# factor for a sentence that leaves the slot empty (docs/qa.md, round 5: chosen on the development sets)
MISSING = 0.35
# a question term only in the passage's heading counts this much for a sentence (round 5:
# dev_real AUC 0.840 → 0.880, law 0.987 → 0.990, calib 0.752 → 0.767 against 1.0)
CONTEXT_WEIGHT = 0.5
_N = r"[0-9０-９〇一二三四五六七八九十百千万億,，.．]+"


def slot_kind(question: str) -> SlotKind:
    """What the question asks to be filled: answer_type's kinds, or "reason" for なぜ."""
    want: AnswerType = question_type(question)
    if want:
        return want
    q = question.replace(" ", "").replace("\u3000", "")
    if _COUNTER_Q.search(q):
        return "count"          # 何通り, 何か所, 何文字, 何歳: counters answer_type does not list
    if _Q_FEE.search(q):
        return "amount"         # 「料金はかかりますか」: an amount, or 無料
    return "reason" if _Q_REASON.search(q) else ""


def fills(text: str, kind: SlotKind, question: str = "") -> bool:
    """Does ``text`` hold something of ``kind`` (not merely a number the question gives)?"""
    if not kind:
        return True
    if kind == "reason":
        return bool(_REASON.search(text))
    if kind == "count":
        m = _COUNTER_Q.search(question)
        if m:
            alike = _COUNTER_ALIKE.get(m.group(1), (m.group(1),))
            pat = re.compile(rf"{_N}\s*(?:{'|'.join(map(re.escape, alike))})")
            given = _numbers(question)
            return any(not (_numbers(mm.group()) and _numbers(mm.group()) <= given) for mm in pat.finditer(text))
        return bool(answer_spans(text, "count", question))
    if kind == "amount":
        return bool(answer_spans(text, "amount", question) or _FREE.search(text))
    return bool(answer_spans(text, cast(AnswerType, kind), question))     # "date" or "name" here


def sentence_score(sentences: Sequence[str], context_terms: set[str], q: Sequence[str],
                   idf: Callable[[str], float], expanded: dict[str, set[str]], kind: SlotKind,
                   question: str, term_fn: Callable[[str], list[str]],
                   missing: float = MISSING) -> float:
    """The best sentence's share of the question's idf weight (its heading's terms count for
    it; a synonym stands for its word), × ``missing`` when the asked slot is empty there."""
    base = list(dict.fromkeys(q))
    total = sum(idf(w) for w in base) or 1.0
    best = 0.0

    def held(w: str, have: set[str]) -> bool:
        return w in have or bool(expanded.get(w, set()) & have)

    for s in sentences:
        own = set(term_fn(s))
        share = sum(idf(w) * (1.0 if held(w, own) else CONTEXT_WEIGHT if held(w, context_terms) else 0.0)
                    for w in base) / total
        if not fills(s, kind, question):
            share *= missing
        best = max(best, share)
    return best
