"""The degenerate-output detector stops loops and wrong-language drift, not real documents."""
from __future__ import annotations

import pytest

from gennai_desktop.llm.degenerate import DegenerateDetector, find_period, is_empty_output, normalise


def stream(text: str, expect=None, size: int = 2):
    """Feed ``text`` in token-sized pieces; return (reason, characters fed when it fired)."""
    det = DegenerateDetector(expect)
    for i in range(0, len(text), size):
        reason = det.feed(text[i:i + size])
        if reason:
            return reason, i + size
    return det.finish(), len(text)


LOOPS = [
    "日本の行政における人工知能の活用について、" + "学習モデルとして、" * 40,
    "要約：" + "本法律は、国の責務を定めるものである。" * 12,
    "The committee shall review the report. " + "the the the the " * 30,
    "以下の通りです。\n" + "・学習モデルとして、AIモデルとして、機械学習モデルとして、\n" * 15,
    "ああああああああああああああああああああああああああああああああああああああああああああああああああああああ",
    "第一条　" + "この法律は、この法律は、この法律は、" * 10,
]

LEGIT = [
    # enumeration with numbers
    "".join(f"第{i}条　本法律の規定により、第{i}号に掲げる事項を定める。\n" for i in range(1, 25)),
    # a few identical placeholder headings in a drafting template
    "（案）\n第○条　（略）\n第○条　（略）\n第○条　（略）\n第○条　（略）\n附則\nこの法律は、公布の日から施行する。",
    # a table with repeated marks
    "| 項目 | 東京 | 大阪 | 名古屋 |\n|---|---|---|---|\n" + "".join(
        f"| {name} | ○ | ○ | × |\n" for name in ["窓口受付", "電子申請", "郵送申請", "出張相談", "夜間対応",
                                                  "休日対応", "多言語対応", "点字資料", "手話通訳", "オンライン面談"]),
    # ordinary long prose
    "個人情報の保護に関する法律は、高度情報通信社会の進展に伴い個人情報の利用が著しく拡大していることに鑑み、"
    "個人情報の適正な取扱いに関し、基本理念及び政府による基本方針の作成その他の個人情報の保護に関する施策の基本と"
    "なる事項を定め、国及び地方公共団体の責務等を明らかにするとともに、個人情報を取り扱う事業者の遵守すべき義務等を"
    "定めることにより、個人情報の有用性に配慮しつつ、個人の権利利益を保護することを目的とする。" * 1,
    # English prose with repeated function words
    "The Act on the Protection of Personal Information sets out the basic principles, the duties of the State "
    "and local governments, and the obligations of businesses that handle personal information, so that the "
    "usefulness of personal information is respected while the rights and interests of individuals are protected.",
    # bullet list with a shared prefix but different content
    "".join(f"・{x}について検討すること。\n" for x in ["予算の確保", "人員の配置", "研修の実施", "システムの更新",
                                                     "広報の方法", "関係機関との調整", "評価指標の設定", "住民への説明"]),
]


@pytest.mark.parametrize("text", LOOPS)
def test_loops_are_detected_early(text):
    reason, at = stream(text)
    assert reason == "degenerate_repetition"
    assert at < len(text)  # stopped before the end of the loop


@pytest.mark.parametrize("text", LEGIT)
def test_real_text_is_not_flagged(text):
    assert stream(text) == (None, len(text))
    assert stream(text, expect="ja" if any("\u3040" <= c <= "\u9fff" for c in text) else "en")[0] is None


def test_wrong_language():
    english = "This document describes the procedure for applying for a permit in detail and explains each step."
    assert stream(english, expect="ja")[0] == "degenerate_language"
    assert stream(english, expect="en")[0] is None
    japanese = "本書は、許可の申請手続を詳しく説明し、各段階で必要な書類と提出先を示すものです。申請者は事前に窓口へ相談してください。"
    assert stream(japanese, expect="en")[0] == "degenerate_language"
    assert stream(japanese, expect="ja")[0] is None
    korean = "이 문서는 허가 신청 절차를 자세히 설명하고 각 단계에서 필요한 서류와 제출처를 보여줍니다 신청자는 창구에 상담하십시오"
    assert stream(korean, expect="ja")[0] == "degenerate_language"
    # Japanese with some English terms is still Japanese
    mixed = "本市では、DX推進計画に基づき、AI-OCRやRPAを活用して、窓口業務の効率化を図っている。GIGAスクール構想も進めている。"
    assert stream(mixed, expect="ja")[0] is None
    # no expectation: never a language verdict
    assert stream(korean)[0] is None


def test_short_text_gives_no_language_verdict():
    assert stream("Hello world.", expect="ja")[0] is None


def test_empty_output():
    assert is_empty_output("")
    assert is_empty_output("  \n\n　。、…")
    assert not is_empty_output("はい")
    assert not is_empty_output("1")


def test_helpers():
    assert normalise("| ○ | 東京 |\n") == "東京"
    assert find_period("学習モデルとして、" * 8) == 9
    assert find_period("学習モデルとして、" * 2) is None


def test_real_laws_from_the_corpus_do_not_trip(ja_corpus):
    files = sorted(ja_corpus.glob("*.txt"))
    if not files:
        pytest.skip("no .txt laws in the corpus")
    for f in files:
        text = f.read_text(encoding="utf-8")[:20000]
        reason, at = stream(text, expect="ja", size=3)
        assert reason is None, (f.name, reason, text[max(0, at - 200):at])


def test_real_parallel_sentences_do_not_trip(corpus):
    folder = corpus / "translation"
    if not (folder / "kyoto-test.en").is_file():
        pytest.skip("no translation corpus")
    for name, lang in (("kyoto-test.en", "en"), ("kyoto-test.ja", "ja")):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()[:400]
        for i in range(0, len(lines), 20):  # 20-sentence outputs, as a translation would stream
            text = "\n".join(lines[i:i + 20])
            reason, at = stream(text, expect=lang, size=3)
            assert reason is None, (name, i, reason, text[max(0, at - 200):at])
