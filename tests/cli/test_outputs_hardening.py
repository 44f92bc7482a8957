"""Outputs (hardening round 3): --out / history export never overwrite the app's own store,
settings or audit log, never replace a FIFO, device or link with a file, and file names with
newlines or escapes print on one line."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gennai_desktop.cli import main as gennai
from gennai_desktop.core.errors import EXIT_OUTPUT
from gennai_desktop.storage import open_store, store_dir
from gennai_desktop.storage.store import DB_NAME

LAW = "law_gyosei-kikan-kyujitsu_363AC0000000091.txt"


@pytest.fixture
def history(ja_corpus, capsys):
    assert gennai(["summarize", str(ja_corpus / LAW), "--no-model"]) == 0
    capsys.readouterr()
    st = open_store(create=False)
    entry = st.list_results()[0]
    st.close()
    return entry


def _home() -> Path:
    return Path(os.environ["GENNAI_HOME"])


@pytest.mark.parametrize("target", ["store", "settings", "audit"])
def test_out_never_overwrites_the_apps_own_files(history, ja_corpus, capsys, target):
    path = {"store": store_dir() / DB_NAME, "settings": _home() / "settings.json",
            "audit": _home() / "audit" / "audit.jsonl"}[target]
    if target == "settings":
        path.write_text('{"version": 2}', encoding="utf-8")
    rc = gennai(["summarize", str(ja_corpus / LAW), "--no-model", "--out", str(path)])
    assert rc == EXIT_OUTPUT and "アプリ自身のファイル" in capsys.readouterr().err
    rc = gennai(["history", "export", str(history.id), "--out", str(path)])
    assert rc == EXIT_OUTPUT
    # each file is still what it was (the refusals themselves are audited, so the log and
    # the store's audit anchor grow; nothing was written *over* them)
    if target == "settings":
        assert path.read_text(encoding="utf-8") == '{"version": 2}'
    if target == "audit":
        assert all("hash" in json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    st = open_store(create=False)
    assert st.count_results() == 1 and history.text[:20] in st.get_result(history.id).text
    st.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_out_never_replaces_a_fifo_or_a_link(history, ja_corpus, tmp_path, capsys):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    link = tmp_path / "link.txt"
    os.symlink(tmp_path / "elsewhere.txt", link)
    for target in (fifo, link):
        assert gennai(["summarize", str(ja_corpus / LAW), "--no-model", "--out", str(target)]) == EXIT_OUTPUT
        assert gennai(["history", "export", str(history.id), "--out", str(target)]) == EXIT_OUTPUT
    assert fifo.is_fifo() and link.is_symlink() and not (tmp_path / "elsewhere.txt").exists()
    assert "通常のファイルではありません" in capsys.readouterr().err


def test_names_with_newlines_print_on_one_line(ja_corpus, tmp_path, capsys):
    src = tmp_path / "report\nforged line.txt"
    src.write_text((ja_corpus / LAW).read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out\x1b]0;title\x07.txt"
    assert gennai(["summarize", str(src), "--no-model", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    saved = [ln for ln in err.splitlines() if "保存しました" in ln]
    assert saved and "\x1b" not in err and "\\x1b" in saved[0]
    assert gennai(["history", "list"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert len(rows) == 1 and "report\\nforged line.txt" in rows[0]
