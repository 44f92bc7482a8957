"""質問 index findings of the hardening round: a namespace that is the same in every process,
old copies removed, indexed text following history deletion and retention, links out of
the folder and special files left out (and never hanging the run)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gennai_desktop.core.events import Done, Notice
from gennai_desktop.qa.index import FolderIndex, IndexOptions
from gennai_desktop.qa.store import EncryptedStore, MemoryStore
from gennai_desktop.storage import open_store
from gennai_desktop.storage.store import INDEX_NAMESPACE
from tests.conftest import REPO

LAW = "law_gyosei-kikan-kyujitsu_363AC0000000091.txt"


@pytest.fixture
def folder(tmp_path, ja_corpus):
    d = tmp_path / "docs"
    d.mkdir()
    shutil.copy(ja_corpus / LAW, d / LAW)
    shutil.copy(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt", d / "shukujitsu.txt")
    return d


def run(ix):
    events = list(ix.update())
    assert isinstance(events[-1], Done)
    return events[-1].result, events


def test_the_namespace_is_the_same_in_every_process(folder):
    code = ("import sys; from gennai_desktop.qa.index import FolderIndex; from gennai_desktop.qa.store import MemoryStore;"
            "print(FolderIndex(sys.argv[1], store=MemoryStore()).ns)")
    seen = set()
    for seed in ("1", "2", "3", "4"):
        out = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}, cwd=REPO, check=True).stdout.strip()
        seen.add(out)
    assert len(seen) == 1, seen


def test_old_copies_of_the_same_folder_are_removed_and_other_options_kept(folder):
    store = MemoryStore()
    root = str(folder.resolve())
    legacy = {"v": 2, "root": root, "files": {"x": "qa/0legacy/file/x"}, "skipped": {}}
    store.put("qa/0legacy/manifest", json.dumps(legacy).encode())
    store.put("qa/0legacy/file/x", b"text of a deleted document")
    other = FolderIndex(folder, store=store, options=IndexOptions(pool=10))
    run(other)
    ix = FolderIndex(folder, store=store)
    run(ix)
    keys = list(store.keys("qa/"))
    assert not any(k.startswith("qa/0legacy/") for k in keys)          # the old copy is gone
    assert any(k.startswith(other.ns) for k in keys)                   # other options: kept
    assert any(k.startswith(ix.ns) for k in keys)
    again = FolderIndex(folder, store=store)                           # a second run reuses it
    report, _ = run(again)
    assert report.unchanged == 2 and not report.added


def test_history_deletion_and_retention_remove_the_indexed_text(folder):
    protected = open_store()
    try:
        run(FolderIndex(folder, store=EncryptedStore(protected)))
        assert protected.blob_keys(INDEX_NAMESPACE)
        protected.delete_all_results()                                 # gennai history delete --all
        assert protected.blob_keys(INDEX_NAMESPACE) == []
        run(FolderIndex(folder, store=EncryptedStore(protected)))
        assert protected.blob_keys(INDEX_NAMESPACE)
        protected.purge_results_older_than(30)                          # younger than 30 days: kept
        assert protected.blob_keys(INDEX_NAMESPACE)
        protected.purge_results_older_than(0)                           # retention 0 = keep nothing
        assert protected.blob_keys(INDEX_NAMESPACE) == []
    finally:
        protected.close()


def test_links_out_of_the_folder_are_left_out_with_a_notice(folder, tmp_path):
    secret = tmp_path / "private" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("社外秘の暗号は青い鳥である。\n" * 3, encoding="utf-8")
    os.symlink(secret, folder / "link.txt")
    os.symlink(folder / LAW, folder / "inside-link.txt")             # a link that stays inside: fine
    ix = FolderIndex(folder, store=MemoryStore())
    report, events = run(ix)
    indexed = {Path(p).name for p in ix.entries}
    assert "link.txt" not in indexed and "inside-link.txt" in indexed
    notices = [e for e in events if isinstance(e, Notice)]
    assert any(n.key == "qa.notice.outside_folder" and n.params["file"] == "link.txt" for n in notices)
    assert not any("青い鳥" in p.passage.text for p in ix.search("社外秘の暗号", k=5))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_ask_on_a_folder_with_a_fifo_and_device_links_finishes(folder, tmp_path):
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/urandom", folder / "random.pdf")
    os.symlink("/dev/zero", folder / "zero.docx")
    proc = subprocess.run([sys.executable, "-m", "gennai_desktop.cli", "ask", str(folder), "休日はいつですか",
                           "--json", "--no-model"], capture_output=True, text=True, timeout=240, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["citations"]
    for name in ("pipe.txt", "random.pdf", "zero.docx"):
        assert name in proc.stderr        # each named in a notice: left out, not hung on
