"""What kind of answer a question asks for, and where such an answer sits in a sentence.

Used to mark the citation that holds the answer span (numbers, dates, names) and to pick
the quoted sentence inside a passage. Ranking and abstention read the asked slot through
slots.py, which builds on these patterns (docs/qa.md, round 5).
A question's type comes from its question word (いつ → a date; 何人/何件/何社/いくつ → a
count; いくら/何円/何点 → an amount; 誰/どこ/どの機関 → a name); other questions (なぜ,
どのように, とは) get no span.
"""
from __future__ import annotations

import re
from typing import Literal

AnswerType = Literal["date", "count", "amount", "name", ""]

_N = r"[0-9０-９〇一二三四五六七八九十百千万億,，.．]+"
_ERA = r"(?:令和|平成|昭和|大正|明治)"
# 「平成二十六年法律第六十八号」 is no date
_NUMBERED_ACT = r"(?!法律|政令|省令|府令|告示|条例|規則|厚生労働省令|[^。、]{0,8}第{_N}号)"
_DATE = re.compile(
    rf"(?:{_ERA}(?:元|{_N})年(?:度)?(?:{_N}月)?(?:{_N}日)?{_NUMBERED_ACT}|{_N}年(?:度)?{_N}月(?:{_N}日)?"
    rf"|{_N}年(?:度)?{_NUMBERED_ACT}|{_N}月{_N}日"
    rf"|{_N}月(?:上旬|中旬|下旬|末|頃)?|{_N}日(?:以内|まで|から)|{_N}時間以内|毎年{_N}月)")
_COUNTERS = ("人", "名", "件", "社", "校", "か国", "カ国", "ヶ国", "箇国", "回", "つ", "種類", "段階", "時間", "日",
             "年",
             "か月", "カ月", "ヶ月", "箇月", "団体", "自治体", "機関", "項目", "個", "台", "本", "部", "者", "分", "週",
             "国", "地域", "都市", "割", "％", "%", "倍")
_COUNT = re.compile(rf"(?:約|計|合計|全|延べ)?{_N}(?:{'|'.join(map(re.escape, _COUNTERS))})")
_AMOUNT = re.compile(rf"{_N}(?:億|万|千)?(?:円|ドル|ユーロ|ポンド|元|点|％|%|パーセント|割)")
_NAME = re.compile(r"[一-龥々ァ-ヴー・Ａ-Ｚａ-ｚA-Za-z0-9０-９]{2,}"
                   r"(?:委員|大臣|局長|課長|部長|会長|博士|氏|さん|省|庁|局|課|室|部|"
                   r"機構|研究所|委員会|審議会|会議|大学|協会|法人|株式会社|社|市|町|村|県|都|府|国)")

_Q_DATE = re.compile(r"いつ|何年|何月|何日から|何日まで|時期|期日|期限|日付|年月日|何時から")
_Q_AMOUNT = re.compile(r"いくら|何円|金額|額は|費用は|何点|何ドル|何ユーロ|予算|何%|何％|何パーセント|何割|率は")
_Q_COUNT = re.compile(r"何(?:人|名|件|社|校|か国|カ国|ヶ国|回|種類|段階|時間|日|年間|か月|カ月|ヶ月|個|台|つ|"
                      r"団体|自治体|機関|項目|都市|倍)"
                      r"|いくつ|幾つ|どのくらい|どれくらい|どれだけ|何か国")
_Q_NAME = re.compile(r"誰|だれ|どこ|どの(?:機関|組織|団体|省|自治体|国|会社|部署)|何という|何処")


def question_type(question: str) -> AnswerType:
    """The answer type ``question`` asks for ("" when it asks for no span)."""
    q = question.replace(" ", "").replace("\u3000", "")
    if _Q_DATE.search(q):
        return "date"
    if _Q_AMOUNT.search(q):
        return "amount"
    if _Q_COUNT.search(q):
        return "count"
    if _Q_NAME.search(q):
        return "name"
    return ""


_PATTERNS = {"date": _DATE, "count": _COUNT, "amount": _AMOUNT, "name": _NAME}


_DIGITS = re.compile(r"[0-9０-９]+")
_WIDE = str.maketrans("０１２３４５６７８９", "0123456789")


def _numbers(text: str) -> set[str]:
    return {m.group().translate(_WIDE).lstrip("0") for m in _DIGITS.finditer(text)}


def answer_spans(text: str, kind: AnswerType, question: str = "") -> list[tuple[int, int]]:
    """[start, end) spans in ``text`` of the answer type ``kind`` (empty for ""). A number the
    question itself gives (「第198回会議で…何人」) is not the answer: such spans are left out."""
    pat = _PATTERNS.get(kind)
    if pat is None:
        return []
    spans = [(m.start(), m.end()) for m in pat.finditer(text) if m.end() - m.start() >= 2]
    if kind == "count":      # an amount or a date is no count
        spans = [s for s in spans if not _AMOUNT.match(text, s[0])]
    given = _numbers(question)
    if given and kind != "name":
        spans = [(a, b) for a, b in spans if not (_numbers(text[a:b]) and _numbers(text[a:b]) <= given)]
    return spans
