"""Kinds from characters (documents.kinds) and the structure of .txt / .md / .html files."""
from __future__ import annotations

import json

import pytest

from gennai_desktop.documents import load_document
from gennai_desktop.documents import kinds as K


@pytest.mark.parametrize("text,rank,label", [
    ("第１章　総則", 2, "第１章"), ("第三条　この法律は", 5, "第三条"), ("第十七条（指定）", 5, "第十七条"),
    ("１　はじめに", 6, "１"), ("１.１　背景と目的", 7, "１.１"), ("１－１．基盤モデル", 7, "１－１．"),
    ("（1）対象", 9, "（1）"), ("1) 概要", 10, "1)"), ("ア　本文", 11, "ア"), ("（ア）本文", 12, "（ア）"),
    ("①当該", 13, "①"), ("一　憲法改正", 15, "一"), ("二　個人識別符号", 15, "二"), ("【甲案】", 16, "【甲案】"),
])
def test_numbering_labels(text, rank, label):
    assert K.numbering(text) == (rank, label)


@pytest.mark.parametrize("text", ["2020 年 6 月", "1.5倍である", "第１章で見てきたように", "第三者に", "12 月",
                                  "インターネット", "一定の要件"])
def test_quantities_references_and_words_are_not_labels(text):
    assert K.numbering(text) is None


def test_bullets_speakers_notes_captions_urls():
    assert K.list_label("・項目") == "・" and K.list_label("**強調**") == "" and K.list_label("-1 度") == ""
    assert K.list_label("○藤田部会長　ありがとう") == "○藤田部会長" and K.is_speaker("○藤田部会長")
    assert [K.note_label(t) for t in ("※1 注記", "（注）本文", "（注２）本文", "注：本文", "注意事項", "注文する")] == \
        ["※1", "（注）", "（注２）", "注：", "", ""]
    assert all(K.is_caption(t) for t in ("■第１-１-２図／概念図", "資料：文部科学省", "表 １-1 用語の定義", "図3 構成"))
    assert not K.is_caption("１-１-４図）、モデルの超大規模化")   # a figure reference wrapped to a line start
    assert K.is_url_only("https://example.go.jp/a") and K.is_url_only("URL: https://map.example.jp")
    assert not K.is_url_only("詳細は https://example.go.jp を参照")
    assert K.bare_label("イ当該保険医療機関", hanging=False) == "イ"
    assert K.bare_label("一保険医療機関", hanging=True) == "一" and K.bare_label("一定の", hanging=False) == ""
    assert K.ends_sentence("…である。」") and K.ends_sentence("…した¹。") and not K.ends_sentence("…であり、")


def test_text_file_lines_keep_the_text_and_get_kinds(tmp_path):
    src = "第一章　総則\n（目的）\n第一条　この規程は目的を定める。\n一　項目である。\n※　注記である。\nhttps://example.go.jp/\n\n参考文献\n（1）「報告」2024年\n"
    path = tmp_path / "k.txt"
    path.write_text(src, encoding="utf-8")
    doc = load_document(path)
    assert doc.text == src                                             # the file's text, offset for offset
    kinds = [(b.kind, b.label) for b in doc.blocks if b.text]
    assert kinds[0] == ("heading", "") and kinds[2] == ("list_item", "第一条") and kinds[3] == ("list_item", "一")
    assert kinds[4] == ("note", "※") and kinds[5] == ("url", "")
    assert kinds[-1][0] == "reference"                                 # an entry under 参考文献


def test_markdown_headings_items_code_and_tables(tmp_path):
    src = "# 表題\n\n## 節\n- 項目一\n1. 番号\n```\ncode line\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n**強調**で始まる文。\n"
    path = tmp_path / "r.md"
    path.write_text(src, encoding="utf-8")
    doc = load_document(path)
    got = [(b.kind, b.level, b.label) for b in doc.blocks if b.text.strip()]
    assert got == [("heading", 1, ""), ("heading", 2, ""), ("list_item", 1, "-"), ("list_item", 1, "1."),
                   ("code", 0, ""), ("code", 0, ""), ("code", 0, ""), ("table", 0, ""), ("paragraph", 0, ""),
                   ("table", 0, ""), ("paragraph", 0, "")]
    assert next(b for b in doc.blocks if b.text == "| 1 | 2 |").rows == (("1", "2"),)
    assert doc.text == src                                            # still the file's text


def test_html_blocks_kinds_and_drawn_labels(tmp_path):
    html = ("<html><head><title>○表彰規程</title><script>var x='本文ではない';</script></head><body>"
            "<div><p>○表彰規程</p></div><h2>第1章 総則</h2><p>本文の段落です。</p>"
            "<ol><li>一つ目</li><li>二つ目</li></ol><ul><li>中黒</li></ul>"
            "<p>第1条　目的を定める。</p><table><tr><th>区分</th><th>期限</th></tr><tr><td>申請</td><td>五月</td></tr></table>"
            "<pre>code()</pre><p>https://example.go.jp/x</p></body></html>")
    path = tmp_path / "r.html"
    path.write_text(html, encoding="utf-8")
    doc = load_document(path)
    got = [(b.kind, b.label, b.text) for b in doc.blocks]
    assert got[0] == ("title", "", "○表彰規程")
    assert ("heading", "", "第1章 総則") in got and ("paragraph", "", "本文の段落です。") in got
    assert ("list_item", "1.", "1. 一つ目") in got and ("list_item", "2.", "2. 二つ目") in got
    assert ("list_item", "・", "・ 中黒") in got and ("list_item", "第1条", "第1条　目的を定める。") in got
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == (("区分", "期限"), ("申請", "五月"))
    assert ("code", "", "code()") in got and ("url", "", "https://example.go.jp/x") in got
    assert "本文ではない" not in doc.text and doc.format == "html"


def test_real_reiki_html(corpus):
    doc = load_document(corpus / "real" / "kitei_katsuragi_hyosho.html")
    assert doc.blocks[0].kind == "title" and doc.blocks[0].text == "○かつらぎ町表彰規程"
    items = [b for b in doc.blocks if b.kind == "list_item"]
    assert [b.label for b in items[:3]] == ["第1条", "第2条", "(1)"]


def test_extract_json_shows_kinds_and_furniture_separately(corpus, capsys):
    from gennai_desktop.cli import main
    assert main(["extract", str(corpus / "real" / "report_cio_zerotrust.pdf"), "--json", "--no-ocr"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    blocks = [r for r in rows if not r.get("furniture")]
    furniture = [r for r in rows if r.get("furniture")]
    assert {"page", "page_end", "block", "kind", "level", "label", "text", "bbox", "anchor"} <= set(blocks[0])
    assert {r["kind"] for r in blocks} >= {"title", "heading", "paragraph", "table", "list_item"}
    table = next(r for r in blocks if r["kind"] == "table")
    assert table["rows"][0] == ["用語", "意味"] and len(table["bbox"]) == 4
    assert {r["kind"] for r in furniture} == {"header", "page_number"}
    # furniture comes after every block, and its text is not block text
    assert rows.index(furniture[0]) == len(blocks)
