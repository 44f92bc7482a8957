"""At rest, end to end: after CLI tasks on a real corpus document, a unique sentence from it
is in NO file the app wrote (whole GENNAI_HOME, its temp dir, the encrypted store's raw
bytes) — yet the encrypted history does hold it, so the search is not vacuous. Also the
`gennai history` commands, and tasks with no key: results simply not kept, never plaintext."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gennai_desktop.storage import open_store
from tests.support.plaintext import all_files, assert_nowhere_in_plaintext, files_containing

REPO = Path(__file__).resolve().parents[2]
DOC = "law_denshi-shomei_412AC0000000102.docx"


def _gennai(home: Path, tmpdir: Path, *argv: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, GENNAI_HOME=str(home), TMPDIR=str(tmpdir), TEMP=str(tmpdir), TMP=str(tmpdir),
               PYTHONPATH=str(REPO), **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "gennai_desktop.cli", *argv], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=240)


def _marker(doc_path: Path) -> str:
    """A sentence fragment that occurs exactly once in the document."""
    from gennai_desktop.documents import load_document
    text = load_document(doc_path).text
    for block in load_document(doc_path).blocks:
        frag = block.text.strip()[:24]
        if len(frag) == 24 and text.count(frag) == 1 and block.kind == "paragraph":
            return frag
    raise AssertionError("no unique fragment")


@pytest.fixture
def dirs(_isolated_home, tmp_path):
    t = tmp_path / "apptmp"
    t.mkdir()
    return _isolated_home, t


def test_cli_workflow_leaves_no_plaintext(ja_corpus, dirs):
    home, tmpdir = dirs
    src = ja_corpus / DOC
    marker = _marker(src)
    runs = [
        ("summarize", "--no-model", str(src)),
        ("proofread", "--no-model", str(src)),
        ("translate", "--no-model", str(src)),
        ("draft", "--no-model", "--template", "tsuchi", "--field", "宛先=各課長", "--field", "発信者=総務課長",
         "--field", "件名=照会", "--field", "日付=令和八年一月五日", "--field", f"本文の要点={marker}"),
    ]
    for argv in runs:
        r = _gennai(home, tmpdir, *argv)
        assert r.returncode == 0, (argv, r.stderr[-1500:])
    r = _gennai(home, tmpdir, "history", "search", marker, "--json")
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout)
    assert {e["task"] for e in found} == {"translate", "draft"} | ({"summarize"} & {e["task"] for e in found})
    # the document's own text went into the (encrypted) history ...
    store = open_store(create=False)
    assert any(marker in e.text for e in store.search_results(marker))
    assert {e.task for e in store.list_results()} == {"summarize", "proofread", "translate", "draft"}
    e = store.list_results()[-1]
    assert e.source_name == DOC and e.source_size == src.stat().st_size and len(e.source_sha256) == 64
    store.close()
    # ... and nowhere in plaintext: not in any file under GENNAI_HOME (store included), not in tmp
    written = all_files([home, tmpdir])
    assert any(p.name == "gennai-store.db" for p in written) and any("audit" in p.name for p in written)
    assert_nowhere_in_plaintext(home, tmpdir, marker)
    audit = next(p for p in written if p.name == "audit.jsonl").read_text(encoding="utf-8")
    assert len(audit.splitlines()) == 5 and f'"doc_sha256":"{e.source_sha256}"' in audit
    assert json.loads(audit.splitlines()[-1])["action"] == "history.search"     # audited, without the words


def test_the_scanner_does_find_a_plaintext_leak(dirs):
    """Guard for the test above: the same check fails when the marker lies around."""
    home, tmpdir = dirs
    marker = "漏洩検出テスト用の一意な文字列"
    (tmpdir / "leak.json").write_text(json.dumps({"x": marker}), encoding="utf-8")     # \\u-escaped
    import zipfile
    with zipfile.ZipFile(home / "leak.docx", "w") as z:
        z.writestr("word/document.xml", f"<w:t>{marker}</w:t>")
    assert sorted(p.name for p in files_containing([home, tmpdir], marker)) == ["leak.docx", "leak.json"]
    with pytest.raises(AssertionError):
        assert_nowhere_in_plaintext(home, tmpdir, marker)


def test_history_cli_show_export_delete(ja_corpus, dirs, tmp_path):
    home, tmpdir = dirs
    src = ja_corpus / DOC
    assert _gennai(home, tmpdir, "summarize", "--no-model", str(src)).returncode == 0
    assert _gennai(home, tmpdir, "proofread", "--no-model", str(src)).returncode == 0
    listing = json.loads(_gennai(home, tmpdir, "history", "list", "--json").stdout)
    assert [e["task"] for e in listing] == ["proofread", "summarize"]
    sid = listing[1]["id"]
    shown = _gennai(home, tmpdir, "history", "show", str(sid))
    out = tmp_path / "export.txt"
    r = _gennai(home, tmpdir, "history", "export", str(sid), "--out", str(out))
    assert r.returncode == 0 and out.read_text(encoding="utf-8") == shown.stdout
    assert _gennai(home, tmpdir, "history", "export", str(sid), "--out", str(tmp_path / "e.docx")).returncode == 0
    assert _gennai(home, tmpdir, "history", "show", "9999").returncode == 3
    assert _gennai(home, tmpdir, "history", "delete", str(sid)).returncode == 0
    assert [e["task"] for e in json.loads(_gennai(home, tmpdir, "history", "list", "--json").stdout)] == ["proofread"]
    r = _gennai(home, tmpdir, "history", "delete", "--all")
    assert r.returncode == 0 and "削除しました" in r.stderr
    assert "履歴はありません" in _gennai(home, tmpdir, "history", "list").stdout
    # reading, deletions and exports are audited, and the chain verifies
    from gennai_desktop.cli.admin import main as admin_main
    assert admin_main(["audit", "verify", str(home / "audit" / "audit.jsonl")]) == 0
    actions = [json.loads(line)["action"] for line in (home / "audit" / "audit.jsonl").read_text().splitlines()]
    assert actions == ["task", "task", "history.list", "history.show", "history.export", "history.export",
                       "history.delete", "history.list", "history.delete_all", "history.list"]


def test_retention_zero_keeps_nothing(ja_corpus, dirs):
    home, tmpdir = dirs
    from gennai_desktop.core.settings import Settings, save_settings
    save_settings(Settings(history_retention_days=0))
    assert _gennai(home, tmpdir, "summarize", "--no-model", str(ja_corpus / DOC)).returncode == 0
    assert json.loads(_gennai(home, tmpdir, "history", "list", "--json").stdout) == []


def test_without_any_key_tasks_work_and_nothing_is_kept_in_plaintext(ja_corpus, dirs):
    home, tmpdir = dirs
    src = ja_corpus / DOC
    marker = _marker(src)
    env = {"GENNAI_STORE_PASSPHRASE": "", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    r = _gennai(home, tmpdir, "translate", "--no-model", str(src), env_extra=env)
    assert r.returncode == 0 and marker in r.stdout                  # the task itself still works
    assert "保存されませんでした" in r.stderr and "平文では保存しない" in r.stderr
    assert not (home / "store" / "gennai-store.db").exists()
    assert_nowhere_in_plaintext(home, tmpdir, marker)
    r = _gennai(home, tmpdir, "history", "list", env_extra=env)
    assert r.returncode == 7 and "キーリング" in r.stderr
