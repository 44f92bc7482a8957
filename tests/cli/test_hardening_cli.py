"""Issue 9.7: --out must not silently destroy the input, replaced files keep their mode, and
names/texts from documents cannot drive the terminal."""
from __future__ import annotations

import json
import os
import stat

import pytest

from gennai_desktop.cli import main
from gennai_desktop.core import errors as E
from gennai_desktop.core.atomicio import atomic_write_text

TEXT = "第一条　この法律は、行政手続に関し、共通する事項を定めることを目的とする。\n申請書を提出すること。\n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _docx(path):
    import docx
    d = docx.Document()
    d.add_paragraph("第一条　この法律は、行政手続に関し、共通する事項を定めることを目的とする。")
    d.save(str(path))
    os.chmod(path, 0o644)
    return path


@pytest.mark.parametrize("command", [["proofread", "--rules-only"], ["translate", "--no-model"],
                                     ["summarize", "--no-model"]])
def test_out_equal_to_input_is_refused(capsys, tmp_path, command):
    src = _docx(tmp_path / "X.docx")
    before = src.read_bytes()
    code, _, err = run(capsys, *command, str(src), "--out", str(src))
    assert code == E.EXIT_USAGE, err
    assert "--overwrite-input" in err and "同じファイル" in err
    assert src.read_bytes() == before and stat.S_IMODE(src.stat().st_mode) == 0o644


def test_out_hard_link_or_other_spelling_of_input_is_refused(capsys, tmp_path):
    src = _docx(tmp_path / "X.docx")
    link = tmp_path / "alias.docx"
    os.link(src, link)
    before = src.read_bytes()
    code, _, _ = run(capsys, "proofread", "--rules-only", str(src), "--out", str(link))
    assert code == E.EXIT_USAGE
    (tmp_path / "sub").mkdir()
    code, _, _ = run(capsys, "proofread", "--rules-only", str(src), "--out", f"{tmp_path}/./sub/../X.docx")
    assert code == E.EXIT_USAGE
    assert src.read_bytes() == before


def test_overwrite_input_flag_allows_it_and_keeps_the_mode(capsys, tmp_path):
    src = tmp_path / "X.txt"
    src.write_text("行政手続の申請書を提出することとする。\n", encoding="utf-8")
    os.chmod(src, 0o644)
    code, _, err = run(capsys, "proofread", "--rules-only", str(src), "--out", str(src), "--overwrite-input")
    assert code == 0, err
    assert stat.S_IMODE(src.stat().st_mode) == 0o644


def test_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    atomic_write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_terminal_safe_escapes_controls_keeps_text():
    from gennai_desktop.cli import terminal_safe
    s = "a\x1b]0;pwned\x07b\u009b31mc\td\ne\u202eé漢"
    out = terminal_safe(s)
    assert "\x1b" not in out and "\x07" not in out and "\u009b" not in out and "\u202e" not in out
    assert out.startswith("a\\x1b]0;pwned\\x07b") and "\td\ne" in out and out.endswith("é漢")


def test_osc_in_file_name_does_not_reach_the_terminal(capsys, tmp_path):
    name = tmp_path / "\x1b]0;pwned\x07\u009b2J.txt"
    name.write_text(TEXT, encoding="utf-8")
    out_path = tmp_path / "out\x1b[31m.txt"
    code, out, err = run(capsys, "summarize", "--no-model", str(name), "--out", str(out_path))
    assert code == 0, err
    assert "\x1b" not in err and "\x07" not in err and "\u009b" not in err
    assert "\\x1b[31m" in err                     # the saved-to line shows the name, escaped
    code, out, err = run(capsys, "summarize", "--no-model", str(tmp_path / "\x1b]0;missing\x07.txt"))
    assert code == E.EXIT_INPUT and "\x1b" not in err and "\\x1b]0;missing" in err


def test_json_output_escapes_c1_and_keeps_the_value(capsys, tmp_path):
    name = tmp_path / "memo\u009b\u202e.txt"
    name.write_text(TEXT, encoding="utf-8")
    code, out, err = run(capsys, "summarize", "--no-model", "--json", str(name))
    assert code == 0, err
    assert "\u009b" not in out and "\u202e" not in out
    assert json.loads(out)["file"] == str(name)


def test_document_warnings_reach_stderr(capsys, tmp_path):
    import docx
    d = docx.Document()
    p = d.add_paragraph("この規則は、行政手続に関し共通する事項を定めることを目的とする。")
    p.add_run("非公開の内部メモ").font.hidden = True
    src = tmp_path / "hidden.docx"
    d.save(str(src))
    code, out, err = run(capsys, "summarize", "--no-model", str(src))
    assert code == 0, err
    assert "隠し文字" in err and "内部メモ" not in out
