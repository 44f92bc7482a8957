"""End to end through the CLI written on top of this package: --rules-only --json and
--out with tracked changes (.docx) or a findings report (other inputs)."""
from __future__ import annotations

import json

import docx

from gennai_desktop import cli


def test_rules_only_json(tmp_path, capsys):
    src = tmp_path / "in.txt"
    src.write_text("資料を送って下さい。\n会議で使用するため、資料を下さい。\n", encoding="utf-8")
    rc = cli.main(["proofread", "--rules-only", "--json", "--quiet", str(src)])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    pairs = [(f["original"], f["suggestion"], f["origin"]) for f in out["findings"]]
    assert pairs == [("下さい", "ください", "rule")]
    assert out["findings"][0]["source"]


def test_out_docx_has_tracked_changes(tmp_path):
    from gennai_desktop.documents import load_document
    src = tmp_path / "in.docx"
    d = docx.Document()
    d.add_paragraph("尚、詳細は下記の通りです。")
    d.add_paragraph("会議で使用するため、資料を下さい。")
    d.save(str(src))
    target = tmp_path / "result.docx"
    rc = cli.main(["proofread", "--rules-only", "--quiet", "--out", str(target), str(src)])
    assert rc == 0
    assert load_document(target).text == "なお、詳細は下記のとおりです。\n会議で使用するため、資料を下さい。"
    body = docx.Document(str(target)).element.body
    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert len(list(body.iter(W + "del"))) == 2
