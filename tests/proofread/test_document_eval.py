"""The whole-document evaluation: findings exported with their sentence, and the scorer of
the blind judgement (right / debatable / wrong) computed from the judged file alone."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.scripts import load_script

DOCS = Path(__file__).resolve().parents[2] / "eval" / "koyobun" / "documents"


def _load(name: str):
    return load_script(DOCS / f"{name}.py", f"koyobun_{name}")


def test_export_writes_every_finding_with_its_sentence_and_an_empty_judgement(tmp_path):
    src = tmp_path / "memo.txt"
    src.write_text("会議資料を送付して下さい。\n出席する事ができます。\n", encoding="utf-8")
    out = tmp_path / "findings.tsv"
    assert _load("export_findings").main([str(src), "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    doc = [ln for ln in lines if ln.startswith("#doc\t")]
    from gennai_desktop.documents import load_document
    assert doc and doc[0].split("\t")[4] == str(len(load_document(src).text))
    header = next(ln for ln in lines if ln.startswith("id\t")).split("\t")
    rows = [dict(zip(header, ln.split("\t"))) for ln in lines if ln.startswith("F")]
    assert {r["original"] for r in rows} == {"下さい", "事"}
    assert all("【" + r["original"] + "】" in r["sentence"] and r["judgement"] == "" for r in rows)


def _judged(tmp_path, judgements: list[str]) -> Path:
    head = "\t".join(("id", "document", "page", "location", "sentence", "original", "suggestion", "rule",
                      "category", "severity", "message", "judgement", "note"))
    lines = ["#doc\ta.pdf\t報告書\tpdf\t2000\tkoyobun", "#doc\tb.docx\t通知\tdocx\t3000\tkoyobun", head]
    for i, j in enumerate(judgements):
        doc = "a.pdf" if i % 2 else "b.docx"
        cat, rule = ("全角半角", "width.mixed") if i == 0 else ("補助動詞", "hojo.kudasai")
        lines.append(f"F{i:04d}\t{doc}\t1\tp.1\t…【下さい】…\t下さい\tください\t{rule}\t{cat}\twarning\tm\t{j}\t")
    p = tmp_path / "judged.tsv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_scorer_counts_shares_rates_and_targets(tmp_path):
    mod = _load("score_judged")
    chars, rows = mod.load(_judged(tmp_path, ["wrong"] + ["right"] * 8 + ["debatable"]))
    s = mod.summarise(chars, rows)
    assert s["findings"] == 10 and s["characters"] == 5000
    assert s["right_share"] == 0.8 and s["wrong_share"] == 0.1 and not s["targets_met"]   # 10 % wrong
    assert s["wrong_per_1000_chars"] == 0.2 and s["wrong_or_debatable_per_1000_chars"] == 0.4
    assert s["consistency_findings_judged_wrong"] == ["F0000"]
    assert s["by_rule"]["hojo.kudasai"] == {"right": 8, "debatable": 1}
    chars, rows = mod.load(_judged(tmp_path, ["正"] + ["r"] * 9))
    assert mod.summarise(chars, rows)["targets_met"]


def test_scorer_refuses_an_unjudged_line(tmp_path):
    with pytest.raises(ValueError, match="judgement"):
        _load("score_judged").load(_judged(tmp_path, ["right", ""]))


def test_scorer_counts_rows_still_to_judge_when_asked(tmp_path):
    """After a carry the new rows are shown to readers before they are judged: with pending they
    count as findings, as not right, and as wrong in the target check, never silently dropped."""
    mod = _load("score_judged")
    chars, rows = mod.load(_judged(tmp_path, ["right"] * 38 + ["", "wrong"]), pending=True)
    s = mod.summarise(chars, rows)
    assert s["findings"] == 40 and s["to_judge"] == 1 and s["right_share"] == 0.95
    assert s["wrong_share"] == 0.025 and s["wrong_share_if_all_to_judge_wrong"] == 0.05
    assert not s["targets_met"] and s["targets_met_on_judged"]
    assert s["by_document"]["b.docx"][mod.PENDING] == 1


def _row(id_, sentence, original="毎", rule="hyogai.goto", severity="warning", judgement="", doc="a.pdf"):
    return {"id": id_, "document": doc, "page": "1", "location": "", "sentence": sentence, "original": original,
            "suggestion": "", "rule": rule, "category": "", "severity": severity, "message": "",
            "judgement": judgement, "note": ""}


def test_carry_keeps_verdicts_of_the_same_findings_and_sends_the_rest_to_the_judge(tmp_path):
    cj = _load("carry_judgement")
    judged = [_row("F1", "１日分製剤する【毎】に加算する。", judgement="right"),
              _row("F2", "介達【牽引】は、", original="牽引", rule="hyogai.kenin", judgement="wrong"),
              _row("F3", "指針に加えて主体【毎】に重要となる事項", judgement="right"),
              _row("F4", "上記について報告し【ます】。", original="ます", rule="style.mixed", judgement="wrong")]
    after = [_row("N1", "１日分製剤する 【毎】 に加算する。"),                        # PDF spacing only: carried
             _row("N2", "介達【牽引】は、", original="牽引", rule="hyogai.kenin", severity="hint"),  # now a hint
             _row("N3", "以上は「共通の指針に加えて主体【毎】に重要となる事項」のとおり"),  # read with more context
             _row("N4", "１回ごとに【毎】回", doc="b.pdf")]                          # another document: new
    carried, new, gone, restated = cj.carry(judged, after)
    assert [r["judgement"] for r in carried] == ["right", "", "", ""]
    assert [r["id"] for r in new] == ["N2", "N3", "N4"] and [r["id"] for r in restated] == ["F2"]
    assert [r["reread_of"] for r in new] == ["", "F3 right", ""]
    assert [r["id"] for r in gone] == ["F4"]
