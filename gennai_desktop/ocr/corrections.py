"""Post-OCR corrections that keep the text length (one character for one), so per-character
confidences stay aligned. Each rule is kept only because it measurably helps on our
synthetic scans (bench/bench_ocr.py --corrections prints raw vs corrected similarity).

1. Simplified Chinese forms → Japanese forms (``SIMPLIFIED_TO_JAPANESE``). Source: the
   Unihan database's kSimplifiedVariant / kTraditionalVariant pairs, restricted to pairs whose
   simplified form is *not* a Japanese character (not encodable in cp932) and whose
   Japanese form is the 常用漢字 shinjitai (対, 別, 説 …), checked by hand. The recogniser's
   Japanese-only mask (engine._japanese_mask) already prevents most of them; the table
   catches models run without the mask.
2. Kana lookalikes by the neighbours' script: へ/ヘ, べ/ベ, ぺ/ペ are the same glyph in
   most fonts; ー/一, and katakana カ/ロ/エ/ニ/タ/ト/ハ vs kanji 力/口/工/二/夕/卜/八.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..nlp.script import in_japanese_charset, script_of

SIMPLIFIED_TO_JAPANESE = {
    "别": "別", "对": "対", "说": "説", "这": "這", "为": "為", "与": "与", "个": "個", "们": "們",
    "时": "時", "会": "会", "过": "過", "发": "発", "经": "経", "还": "還", "进": "進", "现": "現",
    "关": "関", "间": "間", "问": "問", "题": "題", "实": "実", "应": "応", "设": "設", "务": "務",
    "报": "報", "该": "該", "规": "規", "则": "則", "条": "条", "项": "項", "权": "権", "议": "議",
    "认": "認", "证": "証", "请": "請", "许": "許", "论": "論", "计": "計", "订": "訂", "记": "記",
    "讯": "訊", "访": "訪", "评": "評", "试": "試", "详": "詳", "语": "語", "读": "読", "调": "調",
    "谈": "談", "谢": "謝", "识": "識", "译": "訳", "护": "護", "员": "員", "贝": "貝", "负": "負",
    "责": "責", "财": "財", "货": "貨", "费": "費", "资": "資", "赁": "賃", "购": "購", "贸": "貿",
    "赔": "賠", "长": "長", "门": "門", "闭": "閉", "开": "開", "闻": "聞", "阅": "閲", "页": "頁",
    "须": "須", "领": "領", "预": "預", "频": "頻", "颁": "頒", "马": "馬", "鸟": "鳥", "车": "車",
    "转": "転", "轻": "軽", "较": "較", "载": "載", "输": "輸", "办": "弁", "动": "動", "区": "区",
    "县": "県", "国": "国", "图": "図", "团": "団", "场": "場", "处": "処", "备": "備", "复": "複",
    "头": "頭", "奖": "奨", "学": "学", "宁": "寧", "宝": "宝", "将": "将", "层": "層", "属": "属",
    "岁": "歳", "币": "幣", "带": "帯", "并": "並", "广": "広", "库": "庫", "废": "廃", "张": "張",
    "强": "強", "录": "録", "总": "総", "态": "態", "户": "戸", "执": "執", "扩": "拡", "据": "拠",
    "损": "損", "换": "換", "数": "数", "断": "断", "无": "無", "旧": "旧", "显": "顕", "术": "術",
    "机": "機", "杂": "雑", "构": "構", "标": "標", "样": "様", "检": "検", "楼": "楼", "气": "気",
    "没": "没", "济": "済", "测": "測", "满": "満", "灾": "災", "点": "点", "热": "熱", "状": "状",
    "独": "独", "环": "環", "电": "電", "画": "画", "种": "種", "积": "積", "税": "税", "稳": "穏",
    "码": "碼", "确": "確", "类": "類", "级": "級", "纪": "紀", "约": "約", "纳": "納", "纸": "紙",
    "线": "線", "组": "組", "细": "細", "终": "終", "结": "結", "给": "給", "统": "統", "继": "継",
    "续": "続", "维": "維", "综": "綜", "编": "編", "缘": "縁", "网": "網", "罚": "罰", "职": "職",
    "联": "聯", "节": "節", "药": "薬", "补": "補", "装": "装", "见": "見", "观": "観", "视": "視",
    "览": "覧", "觉": "覚", "讨": "討", "让": "譲", "训": "訓", "贯": "貫", "质": "質", "贷": "貸",
    "邮": "郵", "钱": "銭", "铁": "鉄", "银": "銀", "错": "錯", "键": "鍵", "队": "隊", "阶": "階",
    "际": "際", "险": "険", "随": "随", "难": "難", "顺": "順", "额": "額", "风": "風", "饮": "飲",
    "验": "験", "体": "体",
}
# Drop identity pairs and any pair where the "simplified" form is itself Japanese.
SIMPLIFIED_TO_JAPANESE = {k: v for k, v in SIMPLIFIED_TO_JAPANESE.items() if k != v}


SIMPLIFIED_TO_JAPANESE = {k: v for k, v in SIMPLIFIED_TO_JAPANESE.items()
                          if not in_japanese_charset(k) and in_japanese_charset(v)}

_KANA_PAIRS = {"へ": "ヘ", "べ": "ベ", "ぺ": "ペ"}                # hiragana → katakana
_KATA_KANJI = {"カ": "力", "ロ": "口", "エ": "工", "ニ": "二", "タ": "夕", "ト": "卜", "ハ": "八",
               "ー": "一"}                                        # katakana → kanji lookalike


def correct_line(text: str, confs: Sequence[float] | None = None,
                 *, rules: Sequence[str] = ("simplified", "lookalike", "kana")) -> tuple[str, list[float]]:
    """Apply the rules in passes (lookalikes before kana, so 「ペ一ジ」 first becomes 「ページ」
    and its ペ then has a katakana neighbour). Length and confidences are unchanged."""
    chars = list(text)
    cc = list(confs) if confs is not None and len(confs) == len(chars) else [1.0] * len(chars)
    if "simplified" in rules:
        for i, c in enumerate(chars):
            if c in SIMPLIFIED_TO_JAPANESE:
                chars[i] = SIMPLIFIED_TO_JAPANESE[c]
    for _ in range(2):    # twice: a fix can give its neighbour the context it needed
        if "lookalike" in rules:
            _lookalike_runs(chars)
        if "kana" in rules:
            _pass(chars, _kana)
    return "".join(chars), cc


_HIRA_OF = {v: k for k, v in _KANA_PAIRS.items()}
_KATA_OF = {v: k for k, v in _KATA_KANJI.items()}


def _pass(chars: list[str], rule) -> None:
    n = len(chars)
    for i, c in enumerate(chars):
        prev = script_of(chars[i - 1]) if i > 0 else "other"
        nxt = script_of(chars[i + 1]) if i + 1 < n else "other"
        chars[i] = rule(c, prev, nxt)


_LOOKALIKES = set(_KATA_KANJI) | set(_KATA_KANJI.values())


def _lookalike_runs(chars: list[str]) -> None:
    """Runs of katakana/kanji lookalikes (「一夕」 in 「デ一夕の」 = データの) take the script
    of their surroundings: kanji between kanji (第ニ条 → 第二条); katakana after/before
    katakana when the other side is katakana too, or for runs of two or more whatever the
    other side is (デ一夕の → データの, （デ一夕内容 → （データ内容; a single 一 in 「メール一つ」
    or 「テスト一件」 stays)."""
    n = len(chars)
    i = 0
    while i < n:
        if chars[i] not in _LOOKALIKES:
            i += 1
            continue
        j = i
        while j < n and chars[j] in _LOOKALIKES:
            j += 1
        before = script_of(chars[i - 1]) if i > 0 else "other"
        after = script_of(chars[j]) if j < n else "other"
        run = range(i, j)
        if before == "kanji" and after == "kanji":
            for k in run:
                chars[k] = _KATA_KANJI.get(chars[k], chars[k])
        elif "kata" in (before, after):
            other = after if before == "kata" else before
            kanji_forms = sum(1 for k in run if chars[k] in _KATA_OF)
            if other == "kata" or kanji_forms >= 2:
                for k in run:
                    chars[k] = _KATA_OF.get(chars[k], chars[k])
        i = j


def _kana(c: str, prev: str, nxt: str) -> str:
    if c in _KANA_PAIRS and nxt == "kata" and prev in ("kata", "other"):
        return _KANA_PAIRS[c]            # 「へルプ」「デスべース」 → katakana inside/at the start of a word
                                         # (not at its end: 「デスクへ」 is the particle)
    if c == "ヘ" and "kata" not in (prev, nxt) and ("hira" in (prev, nxt) or prev == "kanji"):
        return "へ"                      # 東京ヘ行く / 本庁ヘ、 → へ (the particle)
    if c == "ベ" and nxt == "hira" and prev in ("hira", "kanji"):
        return "べ"                      # 述ベる, すベて → okurigana / hiragana words
    return c                             # ペ → ぺ never: hiragana ぺ is all but unused
