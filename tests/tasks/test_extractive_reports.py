"""Model-free summaries of reports: skip what no person quotes, prefer the document's own
summary section and section leads, cover its main sections."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gennai_desktop.core.document import Block, Document
from gennai_desktop.tasks.extractive import SentenceTable, shorten
from gennai_desktop.tasks.keypoints import key_sentences
from gennai_desktop.tasks.summarize import points_for, summarize
from tests.support.events import run_to_result

ROOT = Path(__file__).resolve().parents[2]


def _doc(lines: list[str]) -> Document:
    blocks = [Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate(lines)]
    return Document.from_blocks(blocks, fmt="txt", title="報告")


REPORT = [
    "令和5年版　地域交通に関する調査報告　3",
    "目次　第1章　概要……………………1",
    "1　概要",
    "本報告は、地域の公共交通の利用者数が10年間で3割減少したことを受け、その維持策を取りまとめたものである。",
    "調査は全国の市町村を対象に実施し、回答率は85％であった 1 。",
    "図表1-1　地域公共交通の利用者数の推移",
    "（出典）国土交通省「地域交通統計」を基に作成",
    "【関連データ】地域公共交通の利用者数",
    "URL：https://www.example.go.jp/data/koutsu.html",
    "1　回答は2023年3月末までに到着したものを集計した。",
    "令和5年版　地域交通に関する調査報告　3",
    "2　利用者の動向",
    "バス路線の利用者は地方部で特に減少しており、運転手不足が路線廃止の主な原因となっている。",
    "鉄道の利用者は都市部で回復しているが、地方部ではコロナ禍前の水準に戻っていない。",
    "地方部のバス事業者の8割が赤字であり、自治体の補助金に依存している。",
    "令和5年版　地域交通に関する調査報告　3",
    "3　今後の取組",
    "国は、自治体と事業者が協議する場を設け、路線の再編と運賃の見直しを支援する。",
    "また、デマンド交通や自動運転の実証事業に対する補助を2025年度まで拡充する。",
    "詳しくは https://www.example.go.jp/koutsu/ を参照されたい。",
]


def test_unquotable_lines_are_never_points():
    doc = _doc(REPORT)
    table = SentenceTable(doc)
    texts = [table.sentences[i].text for i in key_sentences(table, 6)]
    assert texts
    for t in texts:
        assert "http" not in t and not t.startswith(("図表", "（出典）", "【関連データ】", "URL", "目次", "1　回答"))
        assert "調査報告　3" not in t          # running header
        assert t.endswith("。")


def test_report_lead_comes_first_and_parts_are_labelled():
    doc = _doc(REPORT)
    table = SentenceTable(doc)
    texts = [table.sentences[i].text for i in key_sentences(table, 3)]
    assert texts[0].startswith("本報告は、")                      # the 概要 section's lead
    report = run_to_result(summarize(doc, None, style="report"))
    parts = {p.part for p in report.points}
    assert parts == {"overview", "background", "next"}
    nxt = [p.text for p in report.points if p.part == "next"]
    assert nxt and all(t.startswith(("国は、", "また、デマンド交通")) for t in nxt)   # under 3　今後の取組
    assert any(t.startswith("調査は") for t in (p.text for p in report.points if p.part == "background"))
    lines = report.text.splitlines()
    assert lines[0] == "【概要】" and "【経緯】" in lines and "【今後の予定】" in lines


def test_points_drop_footnote_markers_and_figure_references():
    assert shorten("回答率は85％であった 1 。") == "回答率は85％であった。"
    assert shorten("名目GDPは52.7兆円となった（図表4-1-2-1、図表4-1-2-2）。") == "名目GDPは52.7兆円となった。"


def test_law_summary_still_spread_and_law_paragraph_numbers_not_taken_for_footnotes(ja_corpus):
    from gennai_desktop.documents import load_document
    doc = load_document(ja_corpus / "law_rodo-kijun_322AC0000000049.txt")
    result = run_to_result(summarize(doc, None))
    assert len(result.points) == points_for("bullets", "standard", len(doc.text)) == 8   # 66,887 characters
    offsets = [doc.block(p.citations[0].block_id).start for p in result.points]
    # the main text ends at the first 附則 after the articles (35,623: the amendments' 附則 follow);
    # the 「附則」 line of the table of contents is not it
    main_end = next(b.start for b in doc.blocks if b.start > 1000 and b.text.startswith("附\u3000則"))
    assert 30_000 < main_end < 40_000
    assert max(offsets) < main_end and max(offsets) - min(offsets) > main_end // 2


def test_white_paper_key_fact_coverage_does_not_regress():
    """eval/summary: 8 labelled 情報通信白書 sections; before this work 9/40 facts and 26/48
    unquotable points (captions, 出典, URLs, footnotes, headings)."""
    out = subprocess.run([sys.executable, str(ROOT / "eval" / "summary" / "score.py")], capture_output=True,
                         text=True, cwd=ROOT, timeout=300, check=True).stdout
    total = out.strip().splitlines()[-1]
    facts = int(total.split("facts ")[1].split("/")[0])
    junk = int(total.split("junk points ")[1].split("/")[0])
    assert facts >= 16 and junk == 0, total
