"""`gennai` end to end: output shapes, exit codes scripts rely on, clean errors and Ctrl-C."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gennai_desktop.cli import main
from gennai_desktop.core import errors as E

REPO = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_documents_exit_codes(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for c in (3, 4, 5, 6, 130):
        assert f"\n  {c:>3}  " in out
    code, out, _ = run(capsys, "--lang", "en", "--help")
    assert "Exit codes:" in out and "cancelled (Ctrl-C)" in out


def test_usage_error_exit_2(capsys):
    assert run(capsys, "summarize")[0] == E.EXIT_USAGE
    assert run(capsys, "summarize", "x.txt", "--style", "poem")[0] == E.EXIT_USAGE


def test_summarize_json_shape(capsys, ja_corpus):
    code, out, err = run(capsys, "summarize", "--no-model", "--json", "--style", "three_lines",
                         str(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.docx"))
    assert code == 0, err
    data = json.loads(out)
    assert data["method"] == "extractive" and data["style"] == "three_lines" and 1 <= len(data["points"]) <= 3
    for p in data["points"]:
        assert p["citations"] and all(c["block_id"] and c["label"] for c in p["citations"])
    assert data["notices"] and "Traceback" not in err


def test_summarize_pdf_cites_pages_that_exist(capsys, ja_corpus):
    from gennai_desktop.documents import load_document
    path = ja_corpus / "law_denshi-shomei_412AC0000000102.pdf"
    code, out, _ = run(capsys, "summarize", "--no-model", "--json", str(path))
    assert code == 0
    pages = set(load_document(path).pages)
    cited = [c["page"] for p in json.loads(out)["points"] for c in p["citations"]]
    assert cited and set(cited) <= pages


def test_proofread_json_offsets_into_txt(capsys, tmp_path):
    src = tmp_path / "memo.txt"
    src.write_text("会議資料を送付して下さい。\r\n出席する事ができます。\r\n", encoding="utf-8")
    code, out, err = run(capsys, "proofread", "--rules-only", "--json", str(src))
    assert code == 0, err
    data = json.loads(out)
    assert data["file"] == str(src) and data["findings"]
    text = src.read_text(encoding="utf-8").replace("\r\n", "\n")
    keys = {"start", "end", "original", "suggestion", "rule", "reason", "message", "source", "origin", "category", "severity"}
    for f in data["findings"]:
        assert keys <= set(f)
        assert text[f["start"]:f["end"]] == f["original"]
    assert {f["original"] for f in data["findings"]} >= {"下さい", "事"}


def test_proofread_profile_is_chosen_or_given(capsys, tmp_path):
    src = tmp_path / "kisoku.txt"
    src.write_text("サンプル規則\n第一条　変更があった時は、届け出るものとする。\n", encoding="utf-8")
    code, out, err = run(capsys, "proofread", "--rules-only", "--json", str(src))
    assert code == 0, err
    data = json.loads(out)
    assert data["profile"] == "horei" and data["findings"] == []
    assert [n["id"] for n in data["notices"]] == ["proofread.notice.profile_horei"]
    code, out, err = run(capsys, "proofread", "--rules-only", "--json", "--profile", "koyobun", str(src))
    data = json.loads(out)
    assert code == 0 and data["profile"] == "koyobun" and {f["original"] for f in data["findings"]} == {"時"}


def test_proofread_docx_out_writes_tracked_changes(capsys, tmp_path):
    from docx import Document as Docx
    src = tmp_path / "memo.docx"
    d = Docx()
    d.add_paragraph("会議資料を送付して下さい。")
    d.save(src)
    out_path = tmp_path / "checked.docx"
    code, _, err = run(capsys, "proofread", "--rules-only", "--out", str(out_path), str(src))
    assert code == 0, err
    import zipfile
    xml = zipfile.ZipFile(out_path).read("word/document.xml").decode()
    assert "w:ins" in xml and "w:del" in xml


def test_translate_out_keeps_structure(capsys, tmp_path, ja_corpus):
    from gennai_desktop.documents import load_document
    src = ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.docx"
    gl = tmp_path / "g.csv"
    gl.write_text("内閣総理大臣,Prime Minister\n国会,the Diet\n", encoding="utf-8")
    target = tmp_path / "out.docx"
    code, _, err = run(capsys, "translate", "--no-model", "--glossary", str(gl), "--out", str(target), str(src))
    assert code == 0, err
    before, after = load_document(src), load_document(target)
    assert [b.kind for b in after.blocks if b.kind == "table"] == [b.kind for b in before.blocks if b.kind == "table"]
    assert "Prime Minister" in after.text and "the Diet" in after.text and "内閣総理大臣" not in after.text


def test_bad_glossary_exit_3(capsys, tmp_path, ja_corpus):
    gl = tmp_path / "bad.csv"
    gl.write_text("a,b,c\n", encoding="utf-8")
    code, out, err = run(capsys, "translate", "--no-model", "--glossary", str(gl),
                         str(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt"))
    assert code == E.EXIT_INPUT and out == "" and "1 行目" in err and "Traceback" not in err


@pytest.mark.parametrize("name", ["gen-empty.docx", "gen-not-a-zip.docx", "gen-truncated.pdf",
                                  "gen-encrypted-aes256.pdf", "gen-zipbomb-1GB.docx", "gen-xxe.docx"])
def test_malformed_input_exit_3(capsys, malformed_corpus, name):
    code, out, err = run(capsys, "summarize", "--no-model", str(malformed_corpus / name))
    assert code == E.EXIT_INPUT, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert out == "" and len(lines) == 1 and lines[0].startswith("エラー: ") and "Traceback" not in err


def test_missing_file_and_english_messages(capsys, tmp_path):
    code, _, err = run(capsys, "--lang", "en", "summarize", "--no-model", str(tmp_path / "nope.docx"))
    assert code == E.EXIT_INPUT and err.startswith("Error: ")


def test_unwritable_output_exit_5(capsys, tmp_path, ja_corpus, monkeypatch):
    from tests.support.fs import deny_writes_in
    ro = tmp_path / "ro"
    ro.mkdir()
    deny_writes_in(monkeypatch, ro)                      # EACCES, also when run as root
    code, _, err = run(capsys, "summarize", "--no-model", "--out", str(ro / "s.docx"),
                       str(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt"))
    assert code == E.EXIT_OUTPUT and "Traceback" not in err
    assert list(ro.iterdir()) == []


def test_draft_list_and_fields(capsys, tmp_path):
    code, out, _ = run(capsys, "draft", "--list", "--json")
    assert code == 0 and [t["id"] for t in json.loads(out)] == ["tsuchi", "irai", "kaitou", "houkoku", "gijiroku"]
    fj = tmp_path / "f.json"
    fj.write_text(json.dumps({"宛先": "各課長", "発信者": "総務課長", "件名": "停電"}, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "draft", "--no-model", "--template", "tsuchi", "--fields-json", str(fj),
                         "--field", "本文の要点=午前に停電する\\n空調を止める", "--json")
    assert code == 0, err
    blocks = json.loads(out)["blocks"]
    assert {"kind": "heading", "text": "停電について（通知）", "style": "align:center"} in blocks
    assert [b["text"] for b in blocks if b["kind"] == "list_item"] == ["１　午前に停電する。", "２　空調を止める。"]
    target = tmp_path / "d.docx"
    assert run(capsys, "draft", "--no-model", "--template", "tsuchi", "--fields-json", str(fj),
               "--field", "本文の要点=x", "--out", str(target))[0] == 0 and target.stat().st_size > 0


def test_draft_missing_field_is_usage_error(capsys):
    code, _, err = run(capsys, "draft", "--no-model", "--template", "tsuchi", "--field", "宛先=各課長")
    assert code == E.EXIT_USAGE and "発信者" in err and "Traceback" not in err


def test_models_lists_bundled_as_dev_default(capsys):
    code, out, _ = run(capsys, "models", "--json")
    assert code == 0
    rows = json.loads(out)
    dev = [r for r in rows if r["dev_default"]]
    assert dev and "開発用の既定モデル" in dev[0]["label"] and not dev[0]["domestic"]


def test_sigint_cancels_cleanly_and_writes_nothing(tmp_path, ja_corpus):
    target = tmp_path / "summary.docx"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "gennai_desktop.cli", "summarize", "--no-model", "--out",
                             str(target), str(ja_corpus / "law_minpo_129AC0000000089.txt")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    first = proc.stderr.readline()         # the first progress line: the task is running
    assert first, proc.stderr.read()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == E.EXIT_CANCELLED, err.decode()
    assert "処理を中止しました" in err.decode()
    assert list(tmp_path.iterdir()) == []          # no output, no temp file


@pytest.mark.bundled
def test_bundled_model_summarize_via_cli(capsys, ja_corpus, bundled_model_file):
    from gennai_desktop.core.settings import Settings, save_settings
    from gennai_desktop.documents import load_document
    save_settings(Settings(base_model_passes=True))     # the base model's map phase runs only when forced
    path = ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt"
    code, out, err = run(capsys, "summarize", "--json", str(path))
    assert code == 0, err          # a model failure (e.g. a crashed runner) is a failure, not a skip
    assert "開発用の既定モデル" in err                     # the active model is named with its label
    doc = load_document(path)
    data = json.loads(out)
    assert data["model"] == "gemma3-270m-dev" and data["points"]
    for p in data["points"]:
        assert all(doc.has_block(c["block_id"]) for c in p["citations"])


def test_packs_command_is_mounted(capsys):
    code, out, _ = run(capsys, "packs", "--help")
    assert code == 0 and "list" in out


def test_proofread_pdf_out_writes_findings_report(capsys, tmp_path, ja_corpus):
    target = tmp_path / "report.docx"
    code, _, err = run(capsys, "proofread", "--rules-only", "--out", str(target),
                       str(ja_corpus / "law_denshi-shomei_412AC0000000102.pdf"))
    assert code == 0, err
    assert target.is_file() and [p.name for p in tmp_path.iterdir()] == ["report.docx"]


def test_json_notices_carry_id_params_and_formatted_text():
    from gennai_desktop.cli import drain
    from gennai_desktop.cli.commands import _notices
    from gennai_desktop.core.events import Done, Notice

    class R:
        notices = ["translate.notice.untranslated", "summary.notice.extractive"]

    events = [Notice("translate.notice.untranslated", {"count": 2, "total": 7}),
              Notice("proofread.notice.model_dropped", {"count": 3}), Done(R())]
    result = drain(iter(events), quiet=True)
    out = _notices(result.notices)
    assert [n["id"] for n in out] == ["translate.notice.untranslated", "summary.notice.extractive",
                                      "proofread.notice.model_dropped"]
    first = out[0]
    assert first["params"] == {"count": 2, "total": 7}
    assert "{" not in first["text"] and "2" in first["text"] and "7" in first["text"]
    assert all("{" not in n["text"] for n in out)


def test_proofread_out_says_how_many_findings_could_not_be_written(capsys, tmp_path, monkeypatch, ja_corpus):
    import dataclasses

    from docx import Document as Docx

    from gennai_desktop.core.events import Done
    from gennai_desktop.core.findings import Finding
    from gennai_desktop.cli import commands
    from gennai_desktop.tasks import proofread as task
    src = tmp_path / "memo.docx"
    d = Docx()
    d.add_paragraph("会議資料を送付して下さい。")
    d.save(src)
    real = task.proofread

    def with_stale(doc, *a, **k):          # a finding whose text no longer matches the document
        for ev in real(doc, *a, **k):
            if isinstance(ev, Done):
                stale = Finding(0, 2, "別文", "別の文", "test.rule", "テスト")
                ev = Done(dataclasses.replace(ev.result, findings=[*ev.result.findings, stale]))
            yield ev
    monkeypatch.setattr(commands, "proofread", with_stale)   # the name the command calls
    out_path = tmp_path / "checked.docx"
    code, _, err = run(capsys, "proofread", "--rules-only", "--out", str(out_path), str(src))
    assert code == 0, err
    assert f"保存しました: {out_path}" in err
    assert "1 件の指摘は文書に書き込めませんでした" in err
    code, _, err = run(capsys, "summarize", "--no-model", "--out", str(tmp_path / "s.docx"),
                       str(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt"))
    assert code == 0, err
    assert "保存しました" in err and "書き込めませんでした" not in err


@pytest.mark.parametrize("argv,key", [(("summarize",), "summary.notice.model_skipped"),
                                      (("proofread",), "proofread.notice.model_skipped")])
def test_base_model_passes_are_skipped_without_opening_the_model(capsys, monkeypatch, ja_corpus, argv, key):
    from gennai_desktop.app.models import ModelService

    def never(self):
        raise AssertionError("the model was opened")

    monkeypatch.setattr(ModelService, "open_engine", never)
    path = ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt"
    code, out, err = run(capsys, *argv, "--json", str(path))
    assert code == 0, err
    data = json.loads(out)
    assert [n["id"] for n in data["notices"]].count(key) == 1
    assert data.get("method", "extractive") == "extractive"


def test_draft_on_the_base_model_uses_the_template_without_opening_it(capsys, monkeypatch):
    from gennai_desktop.app.models import ModelService
    monkeypatch.setattr(ModelService, "open_engine", lambda self: (_ for _ in ()).throw(AssertionError("opened")))
    code, out, err = run(capsys, "draft", "--template", "tsuchi", "--json", "--field", "件名=庁舎の停電",
                         "--field", "宛先=各課長", "--field", "発信者=総務課長",
                         "--field", "本文の要点=五月十一日の午前に停電する")
    assert code == 0, err
    data = json.loads(out)
    assert data["method"] == "template" and "draft.notice.model_skipped" in [n["id"] for n in data["notices"]]


def test_summarize_length_and_report_parts(capsys, ja_corpus):
    path = str(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.docx")
    counts = {}
    for length in ("short", "long"):
        code, out, err = run(capsys, "summarize", "--no-model", "--json", "--length", length, path)
        assert code == 0, err
        data = json.loads(out)
        assert data["length"] == length
        counts[length] = len(data["points"])
    assert counts["short"] < counts["long"]
    code, out, _ = run(capsys, "summarize", "--no-model", "--json", "--style", "report", path)
    data = json.loads(out)
    assert {p["part"] for p in data["points"]} <= {"overview", "background", "next"}
    lines = data["text"].splitlines()
    assert data["info"] is not None and lines[0].startswith("【文書情報】" + data["info"]["text"])
    assert lines[1] == "【概要】"               # the parts follow the 文書情報 line
    assert run(capsys, "summarize", "--no-model", "--length", "huge", path)[0] == E.EXIT_USAGE
