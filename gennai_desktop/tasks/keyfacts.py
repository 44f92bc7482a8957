"""What an official looks for in a sentence: cue words, dates, numbers, bodies, next steps.

Why: a summary an official would forward carries who decided what, when, how many, how
much and what happens next. How central a sentence is to the document's vocabulary
(TF-IDF) finds the topic but not these facts; so each sentence also gets the signals
below — plain regular expressions over its text, cheap enough for the 233,000-character
民法. They name kinds of statement that every kind of official document uses (通知,
報告書, 議事録, 白書, 規約 …), never the wording of one document or series.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"[0-9０-９][0-9０-９,，.．]*"
_KANJI_NUM = r"[元一二三四五六七八九十百千〇]+"

# 目的・趣旨: why the document or measure exists (この法律は、…を目的とする。)
PURPOSE = re.compile(r"目的と(?:する|し)|目的は|目的で|趣旨|ねらい|狙い|背景として")
# the document speaking of itself: 本報告は / 本ガイドラインは / この通知は / 本ディスカッションペーパーでは
SELF = re.compile(r"^(?:本|この|当)(?:書|報告書?|稿|ペーパー|ディスカッションペーパー|ガイドライン|指針|通知|事務連絡|"
                  r"資料|文書|規約|"
                  r"要綱案?|試案|方針|計画|規程|規則|法律|政令|省令|条例|サービス|API|取組|調査|会議|提言|考え方|フレームワーク|案)"
                  r"(?:は|では|において(?!「)|の目的)")   # (「この法律において「…」とは」 defines a word)
# 結論・まとめ・概要 and what the document settles
CONCLUSION = re.compile(r"結論|まとめ|総括|要旨|概要|整理した|取りまとめ|とりまとめ|明らかになった|明らかにした|"
                        r"(?:調査|検討|審議|分析|試行|実証)の結果|結果、")
# decisions: 決定, 了承, 承認, 策定, 施行 …
DECISION = re.compile(r"決定|決まっ|了承|承認|採択|可決|決議|議決|答申|合意|策定|公表|閣議|定めた|改正|施行|適用|廃止|"
                      r"創設|開始|発足|設置|任命|選任|指名|告示|発出|通知した|提案|全会一致|賛成多数|異議なく")
# policy statements: what is to be done (こととする, べきである, 必要がある)
POLICY = re.compile(r"方針|基本的な?考え方|原則|こととする|ものとする|べきである|べきだ|必要がある|必要である|"
                    r"求められる|"
                    r"重要である|推進する|進める|提案する|示す|図る|することとした|ことができる|してはならない|しなければならない")
# the problem a document answers: what is missing, late, hard or at risk (課題, 存在しない, 不足)
PROBLEM = re.compile(r"課題|問題|存在しない|存在せず|不足|遅れ|困難|懸念|支障|不十分|十分でない|進んでいない|"
                     r"にとどまる|"
                     r"増加して|減少して|急増|急速に|重要性が増")
# requests of a 通知/事務連絡: 周知, 依頼, 留意
REQUEST = re.compile(r"お願い|依頼|周知|留意|了知|配慮|協力を|遺漏")
# what happens next: future time, plans, aims (not 「検討する」 alone, which laws and 試案 use for anything)
NEXT = re.compile(r"今後|予定|見込み|見通し|引き続き|次回|目指す|目指して|目指し|検討を進め|検討していく|進めていく|"
                  r"取り組んでいく|"
                  r"していく|ていく|までに|年度中|年度末まで|将来的|以降")
DATE = re.compile(rf"(?:令和|平成|昭和)\s*(?:{_NUM}|{_KANJI_NUM})\s*年(?:度)?(?:\s*(?:{_NUM}|{_KANJI_NUM})\s*月)?"
                  rf"(?:\s*(?:{_NUM}|{_KANJI_NUM})\s*日)?|(?:19|20)[0-9]{{2}}\s*年(?:度)?(?:\s*{_NUM}\s*月)?|"
                  rf"{_NUM}\s*月\s*{_NUM}\s*日")
NUMBER_UNIT = re.compile(rf"{_NUM}\s*(?:件|人|名|円|万円|億円|兆円|%|％|パーセント|年度|点|割|倍|社|団体|項目|回|"
                         rf"か所|箇所|カ所|"
                         rf"ヶ所|機関|校|台|時間|日間|か月|カ月|ヶ月|年間|万|億|千|ドル|都道府県|市町村|省庁|本|冊|部|歳|床)"
                         rf"|{_KANJI_NUM}(?:件|人|名|円|万円|億円|割|倍|社|団体|項目|回|歳)")
# named bodies: 府省庁, 会議, 審議会, 企業, 自治体 (a name ending in what the body is)
BODY = re.compile(r"[^\s、。「」（）()]{1,14}?(?:省|庁|内閣府|内閣官房|局|委員会|会議|審議会|部会|本部|協議会|機構|"
                  r"研究所|センター|"
                  r"株式会社|公社|事業団|大学|学会|協会|チーム|補佐官|大臣|知事|市長|会長|議長)")
# sentences that need the sentence before them, examples, questions
# a connective adds to the sentence before; a smaller penalty than what points back
CONNECTIVE = re.compile(r"^(?:また|さらに|なお|一方|他方|加えて|しかし|しかしながら)")
# (a connective alone — また, なお, しかし, 一方 — adds or contrasts a statement that stands on
# its own words; what it points back to — これ, その, このため, 前項 — it cannot say itself)
ANAPHORA = re.compile(r"^(?:ただし|このため|そのため|これ|それ|この|その|こうした|そうした|"
                      r"このような|そのような|同様に|ここで|具体的には|すなわち|つまり|"
                      r"前項|前条|前各項|前二項|前三項|同項|同条|当該)")
# a conjunction built on a demonstrative (そのため, その後, このうち) links to the sentence before
# as また does; the sentence still states its own fact — a connective's cost, not anaphora's
LINKING = re.compile(r"^(?:このため|そのため|その後|そこで|その結果|その上|そのうえ|このうち|こうした中|この中で)")
EXAMPLE = re.compile(r"^例えば|^たとえば|例として|などが挙げられる|のような例")
QUESTION = re.compile(r"(?:か|のか|でしょうか|ですか)[。？?]$|[？?]$")
META = re.compile(r"^(?:本|この)(?:章|節|項)(?:では|において)"
                  r"|(?:について|を)(?:述べる|概観する|紹介する|説明する|解説する)。$")
# the chair of a meeting puts a decision to it as a question (「原案のとおり決定することとして
# よろしいでしょうか。」「御異議ございませんか。」): in 議事録 that question IS the decision
PUT_TO_MEETING = re.compile(r"(?:よろしいでしょうか|よろしいですか"
                            r"|(?:御|ご)?異議(?:は)?(?:ございませんか|ありませんか))[。？?]$")


@dataclass(frozen=True)
class Signals:
    """Which kinds of key fact a sentence states (each a yes/no, plus counts of facts)."""

    purpose: bool
    self_ref: bool
    conclusion: bool
    decision: bool
    policy: bool
    request: bool
    next_step: bool
    problem: bool
    dates: int
    numbers: int
    bodies: int
    anaphora: bool
    connective: bool
    example: bool
    question: bool
    meta: bool


def signals(text: str) -> Signals:
    t = text.strip()
    return Signals(
        purpose=bool(PURPOSE.search(t)),
        self_ref=bool(SELF.search(t)),
        conclusion=bool(CONCLUSION.search(t)),
        decision=bool(DECISION.search(t)),
        policy=bool(POLICY.search(t)),
        request=bool(REQUEST.search(t)),
        next_step=bool(NEXT.search(t)),
        problem=bool(PROBLEM.search(t)),
        dates=len(DATE.findall(t)),
        numbers=len(NUMBER_UNIT.findall(t)),
        bodies=len(BODY.findall(t)),
        anaphora=bool(ANAPHORA.search(t)) and not LINKING.search(t),
        connective=bool(CONNECTIVE.search(t) or LINKING.search(t)),
        example=bool(EXAMPLE.search(t)),
        question=bool(QUESTION.search(t)) and not (PUT_TO_MEETING.search(t) and DECISION.search(t)),
        meta=bool(META.search(t)),
    )


# How much each kind of statement adds to a sentence's worth (on top of its centrality,
# which is ranked 0–1 within the document). Set on eval/summary (情報通信白書 sections),
# the laws of ../shared/corpus/ja and the real documents that are not in the frozen set.
WEIGHTS = {
    "purpose": 0.45, "self_ref": 0.7, "conclusion": 0.3, "decision": 0.3, "policy": 0.3,
    "request": 0.3, "next_step": 0.35, "problem": 0.25, "date": 0.3, "number": 0.25, "body": 0.15,
    "anaphora": -0.2, "connective": -0.1, "example": -0.5, "question": -0.6, "meta": -0.3,
}


def fact_bonus(s: Signals) -> float:
    """The weight of the key facts a sentence states (negative for sentences that lean on
    the one before, give an example or ask a question)."""
    w = WEIGHTS
    bonus = (w["purpose"] * s.purpose + w["self_ref"] * s.self_ref + w["conclusion"] * s.conclusion
             + w["decision"] * s.decision + w["policy"] * s.policy + w["request"] * s.request
             + w["next_step"] * s.next_step + w["problem"] * s.problem
             + w["date"] * min(s.dates, 2) + w["number"] * min(s.numbers, 2)
             + w["body"] * min(s.bodies, 2))
    return (bonus + w["anaphora"] * s.anaphora + w["connective"] * s.connective + w["example"] * s.example
            + w["question"] * s.question + w["meta"] * s.meta)


def states_a_fact(s: Signals) -> bool:
    """Does the sentence carry anything concrete (a purpose, decision, date, number, body,
    request or next step), not only the document's topic?"""
    return (s.purpose or s.self_ref or s.conclusion or s.decision or s.request or s.next_step
            or s.dates > 0 or s.numbers > 0 or s.bodies > 0)


def fact_keys(text: str) -> frozenset[str]:
    """The dates, numbers with units and named bodies of a sentence, whitespace removed:
    two sentences with the same keys most likely state the same fact."""
    keys = DATE.findall(text) + NUMBER_UNIT.findall(text) + BODY.findall(text)
    return frozenset(re.sub(r"\s+", "", k) for k in keys)


# The parts of a 報告 (概要 / 経緯 / 今後の予定): what is still to happen, what has happened.
_PAST = re.compile(r"(?:した|された|行った|行われた|開催した|開催された|実施した|実施された|設置された|決定した|"
                   r"決定された|"
                   r"始まった|至った|なった|あった|きた|てきた|ました|でした)(?:。|が、|ものの)|経緯|これまで|従来|当初")


def report_part(text: str, sig: Signals | None = None) -> str:
    """'next' (今後の予定), 'background' (経緯) or 'overview' (概要) for a 報告-style summary
    (``sig``: the text's signals when the caller has them — 民法 has 2,800 candidates)."""
    s = sig if sig is not None else signals(text)
    if s.next_step and not _PAST.search(text[-12:]):
        return "next"
    if _PAST.search(text) or (s.dates and s.decision):
        return "background"
    return "overview"
