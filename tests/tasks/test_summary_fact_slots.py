"""要約 without a model: each thing a reader must get (purpose, decision, when, how many or how
much, what next, the problem) gets its best sentence before sentences that only repeat the
document's topic; minutes give the chair's decision, not the opening formula; a numbered
footnote line does not start a section."""
from __future__ import annotations

from pathlib import Path

from gennai_desktop.core.document import Block, Document
from gennai_desktop.documents import load_document
from gennai_desktop.tasks import factslots, keyfacts, keypoints, meeting_turns
from gennai_desktop.tasks.extractive import SentenceTable
from gennai_desktop.tasks.summarize import summarize
from tests.support.events import run_to_result


def _doc(blocks: list[tuple[str, str]], fmt: str = "docx") -> Document:
    return Document.from_blocks([Block(f"b{i:04d}", kind, text, page=1)  # type: ignore[arg-type]
                                 for i, (kind, text) in enumerate(blocks)], fmt=fmt, title="文書")


# Eight sentences that repeat the topic (地域交通) with policy wording and section leads, and
# one that says how many, when: on one score the topic sentences took all four places.
TOPIC_AND_ONE_COUNT = [
    ("title", "地域交通の確保に向けた取組について"),
    ("heading", "1　地域交通の現状"),
    ("paragraph", "地域交通は、住民の日常生活を支える基盤であり、地域交通の確保は自治体にとって重要な課題である。"),
    ("paragraph", "地域交通の確保に向けては、自治体と交通事業者が連携して地域交通の在り方を検討する必要がある。"),
    ("paragraph", "地域交通を維持するためには、地域の実情に応じた地域交通の形態を選ぶことが求められる。"),
    ("paragraph", "地域交通の利便性を高めるため、地域交通の情報を住民に分かりやすく示すことも重要である。"),
    ("heading", "2　国の支援"),
    ("paragraph", "地域交通の確保に向けた自治体の取組を、国としても地域交通の視点から支援する必要がある。"),
    ("paragraph", "協議会の設置を支援する補助金は、令和5年度に全国で120件交付された。"),
    ("paragraph", "地域交通の計画づくりを担う人材の育成も、地域交通の確保に欠かせない。"),
    ("paragraph", "地域交通の確保に向けて、関係者が地域交通の課題を共有することが重要である。"),
]


def test_a_dated_count_gets_a_place_before_sentences_that_repeat_the_topic():
    result = run_to_result(summarize(_doc(TOPIC_AND_ONE_COUNT), None, style="bullets", length="short"))
    assert any("120件" in p.text for p in result.points), [p.text for p in result.points]


def test_the_slots_a_sentence_fills():
    def slots(text: str) -> frozenset[str]:
        return factslots.slots_of(text, keyfacts.signals(text))

    assert slots("協議会の運営を支援する補助金は、令和5年度に全国で120件交付された。") == {"when", "amount"}
    assert slots("デジタル庁は、令和5年3月に「データ利活用推進方針」を決定した。") == {"decision", "when"}
    assert "next" in slots("次回の会議は令和6年7月に開催する予定です。")
    assert "purpose" in slots("本報告は、地域交通の維持策を示すことを目的とする。")
    assert "problem" in slots("国内の行政機関にはメタデータの標準が存在しない。")
    # a fiscal year is a date, not a count
    assert factslots.amounts("令和5年度に実施した。") == 0 and factslots.amounts("5億円を計上した。") == 1


def test_a_slot_is_never_filled_by_a_sentence_far_down_the_ranking():
    """A date in an aside (an example, leaning on the sentence before) is no key fact: the
    slot stays open and the place goes to a sentence that ranks well."""
    blocks = [("title", "データ利活用の推進について"),
              ("paragraph", "データの利活用は、行政サービスの質を高めるうえで重要である。"),
              ("paragraph", "各府省は、保有するデータの所在と形式を把握し、利用者に分かりやすく示す必要がある。"),
              ("paragraph", "データを扱う職員の育成は、組織全体でデータの利活用を進めるための前提となる。"),
              ("paragraph", "個人情報を含むデータは、安全管理措置を講じたうえで慎重に取り扱うべきである。"),
              ("paragraph", "データの品質を保つため、作成の段階から形式と定義をそろえることが求められる。"),
              ("paragraph", "自治体と国が同じ形式でデータを公開すれば、利用者は地域を越えて比較できる。"),
              ("paragraph", "例えば、その一例としては、ある町で2019年に開かれた催しの記録などが挙げられる。")]
    doc = _doc(blocks)
    table = SentenceTable(doc)
    chosen = [table.sentences[c.index].text for c in keypoints.pick(table, 3)]
    assert not any("2019年" in t for t in chosen), chosen


def test_the_problem_under_its_own_heading_gets_a_place():
    blocks = [
        ("title", "メタデータの活用について"),
        ("heading", "1　はじめに"),
        ("paragraph", "メタデータは、データの活用を進めるうえで重要であり、メタデータの整備が求められる。"),
        ("paragraph", "メタデータを整備することで、データの検索や活用が容易になることが期待される。"),
        ("paragraph", "メタデータの活用は、データを使う人にとっても、データを提供する人にとっても有益である。"),
        ("heading", "2　課題"),
        ("paragraph", "現在、国内の行政機関には共通の標準がなく、組織ごとに管理している。"),
        ("heading", "3　方向性"),
        ("paragraph", "メタデータの整備に当たっては、データの活用場面を踏まえてメタデータを設計する必要がある。"),
        ("paragraph", "メタデータの設計では、データの利用者の視点からメタデータの項目を選ぶことが重要である。"),
        ("paragraph", "メタデータの活用を広げるため、メタデータの作成を支援する仕組みを整えることが望ましい。"),
        ("paragraph", "メタデータの共通化を進めることで、分野を越えたデータの活用が可能になる。"),
        ("paragraph", "メタデータの項目は、国際的な標準との対応を示しておくことが重要である。"),
    ]
    result = run_to_result(summarize(_doc(blocks), None, style="three_lines"))
    assert any("共通の標準がなく" in p.text for p in result.points), [p.text for p in result.points]


MINUTES = """第５回地域交通検討会議　議事録

○山田座長　ただいまから第５回地域交通検討会議を開会いたします。
○事務局（佐藤課長）　資料２に基づき、令和５年度の各市町村の路線の利用状況について御説明いたします。
　令和５年度の路線バスの利用者数は前年度比で約５％減少し、特に中山間地域の路線バスでは約１割減少しております。
○鈴木委員　路線バスの運転手不足は深刻であり、地域の路線バスは令和７年度までに約２割の減便が避けられないと考えます。
○田中委員　デマンド交通への転換事例を見ると、利用者の満足度は高い一方で、運行経費が年間約３千万円に上っています。
○鈴木委員　通学需要の多い路線バスについては、ダイヤの見直しによって対応できる余地があると思います。
○田中委員　路線バスの運賃の見直しについても、利用者の理解を得る工夫が必要ではないかと考えております。
○山田座長　ほかに御意見はございませんか。
　それでは、地域公共交通計画の見直し案を事務局で取りまとめ、次回の会議で審議することといたします。
　以上をもちまして、本日の会議を閉会いたします。
"""


def test_minutes_give_the_chairs_decision_not_the_opening_formula(tmp_path: Path):
    path = tmp_path / "gijiroku.txt"
    path.write_text(MINUTES, encoding="utf-8")
    doc = load_document(path)
    texts = [p.text for p in run_to_result(summarize(doc, None, style="three_lines")).points]
    assert any("見直し案を事務局で取りまとめ" in t for t in texts), texts
    assert not any(t.endswith(("開会いたします。", "閉会いたします。", "御説明いたします。")) for t in texts), texts


def test_only_a_text_with_several_speakers_turns_is_minutes(tmp_path: Path):
    path = tmp_path / "gijiroku.txt"
    path.write_text(MINUTES, encoding="utf-8")
    doc = load_document(path)
    chair, minutes = meeting_turns.turns(doc)
    assert minutes
    said = [doc.blocks[n].text.strip() for n in chair]
    assert any(t.startswith("○山田座長") for t in said)
    assert any(t.startswith("それでは、") for t in said)          # the turn goes on over the next block
    assert not any(doc.blocks[n].text.startswith("○鈴木委員") for n in chair)
    assert meeting_turns.speaker_of("○事務局（佐藤課長）　資料２に基づき") == "事務局（佐藤課長）"
    plain = _doc([("paragraph", "本報告は、地域交通の維持策を示す。"),
                  ("paragraph", "○　対象は県内の全市町村である。")]
                 + [("list_item", f"○ 予算額　{n}00億円") for n in range(1, 6)])
    assert meeting_turns.turns(plain) == (set(), False)        # a list of ○ items names no speaker
    assert meeting_turns.CEREMONY.search("以上をもちまして、本日の会議を閉会いたします。")
    assert not meeting_turns.CEREMONY.search("各府省に対して周知徹底をお願いいたします。")
    assert not meeting_turns.CEREMONY.search("新たな制度の運用を令和7年4月から開始します。")


def test_a_numbered_footnote_line_does_not_start_a_section():
    doc = _doc([
        ("heading", "第１節　主要国の研究開発戦略"),
        ("paragraph", "米国政府は、研究開発を戦略的に進めるため、2016年に国家戦略を策定しました。"),
        ("note", "1　Office of Science and Technology Policy"),
        ("paragraph", "英国政府は、2021年9月に、10年計画として国家戦略を発表しました。"),
    ], fmt="pdf")
    table = SentenceTable(doc)
    eligible = set(keypoints.candidates(table))
    sections, leads, top_leads, _ = keypoints._positions(table, eligible)
    second = max(eligible)
    assert second not in leads and second not in top_leads
    assert sections[second] == sections[min(eligible)]
