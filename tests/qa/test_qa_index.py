"""Folder index: incremental updates (mtime+size, then SHA-256), restarts through the
IndexStore, corrupt files skipped with a notice, cancellation, nothing written to disk."""
from __future__ import annotations

import os
import shutil

import pytest

from gennai_desktop.core.cancel import CancelToken, Cancelled
from gennai_desktop.core.events import Done, Notice, Progress
from tests.support.events import run_to_result
from gennai_desktop.qa import index as index_mod
from gennai_desktop.qa.index import FolderIndex
from gennai_desktop.qa.store import MemoryStore

FILES = ["law_gyosei-kikan-kyujitsu_363AC0000000091.txt", "law_kokumin-shukujitsu_323AC1000000178.txt",
         "law_nihonkoku-kenpo_321CONSTITUTION.docx"]


@pytest.fixture
def folder(tmp_path, ja_corpus):
    d = tmp_path / "docs"
    (d / "sub").mkdir(parents=True)
    shutil.copy(ja_corpus / FILES[0], d / FILES[0])
    shutil.copy(ja_corpus / FILES[1], d / FILES[1])
    shutil.copy(ja_corpus / FILES[2], d / "sub" / FILES[2])
    return d


@pytest.fixture
def reads(monkeypatch):
    """Count documents actually parsed by the index."""
    seen: list[str] = []
    real = index_mod.load_document

    def counting(path, *a, **kw):
        seen.append(os.path.basename(str(path)))
        return real(path, *a, **kw)

    monkeypatch.setattr(index_mod, "load_document", counting)
    return seen


def update(ix, cancel=None):
    events = list(ix.update(cancel) if cancel else ix.update())
    assert isinstance(events[-1], Done)
    return events[-1].result, events


def test_first_build_then_nothing_to_do(folder, reads):
    ix = FolderIndex(folder, MemoryStore())
    rep, events = update(ix)
    assert len(rep.added) == 3 and not rep.changed and not rep.removed and rep.chars > 10_000
    assert any(isinstance(e, Progress) and e.stage == "qa.stage.index" and e.total == 3 for e in events)
    assert sorted(reads) == sorted(FILES)
    reads.clear()
    rep, _ = update(ix)
    assert rep.unchanged == 3 and not rep.added and reads == []
    assert ix.search("山の日はいつですか", 1)[0].passage.text.find("八月十一日") >= 0


def test_touched_file_is_not_reread_changed_file_is(folder, reads):
    ix = FolderIndex(folder, MemoryStore())
    update(ix)
    reads.clear()
    p = folder / FILES[0]
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))      # same bytes, new mtime
    rep, _ = update(ix)
    assert reads == [] and rep.unchanged == 3
    assert any("行政機関の休日" in h.passage.text for h in ix.search("行政機関の休日", 5))   # ranked before the change
    p.write_text(p.read_text(encoding="utf-8").replace("行政機関の休日", "役所の休み"), encoding="utf-8")
    rep, _ = update(ix)
    assert reads == [FILES[0]] and rep.changed == [str(p)]
    assert any("役所の休み" in h.passage.text for h in ix.search("役所の休み", 3))
    assert not any("行政機関の休日とし" in h.passage.text for h in ix.search("行政機関の休日", 5))


def test_deleted_and_new_files(folder, ja_corpus, reads):
    ix = FolderIndex(folder, MemoryStore())
    update(ix)
    n_before = ix.n_passages
    (folder / FILES[1]).unlink()
    shutil.copy(ja_corpus / "law_denshi-shomei_412AC0000000102.txt", folder / "sub" / "new.txt")
    reads.clear()
    rep, _ = update(ix)
    assert rep.removed == [str(folder / FILES[1])] and rep.added == [str(folder / "sub" / "new.txt")]
    assert reads == ["new.txt"]
    assert not any(h.file.endswith(FILES[1]) for h in ix.search("山の日", 5))
    assert ix.search("電子署名", 1)[0].file.endswith("new.txt")
    assert ix.n_passages != n_before
    assert ix.collection.n_passages == sum(len(e.passages) for e in ix.entries.values())


def test_restart_loads_from_the_store_without_reading(folder, reads):
    store = MemoryStore()
    first = FolderIndex(folder, store)
    update(first)
    expected = [(h.file, h.passage.text) for h in first.search("衆議院議員の任期", 3)]
    reads.clear()
    again = FolderIndex(folder, store)          # a new object over the same store: the "restart"
    rep, _ = update(again)
    assert reads == [] and rep.unchanged == 3
    assert [(h.file, h.passage.text) for h in again.search("衆議院議員の任期", 3)] == expected
    assert any(k.endswith("manifest") for k in store.keys("qa/"))


def test_corrupt_file_is_skipped_with_a_notice_and_the_rest_indexed(folder, malformed_corpus, reads):
    shutil.copy(malformed_corpus / "gen-truncated.docx", folder / "broken.docx")
    shutil.copy(malformed_corpus / "gen-encrypted-aes256.pdf", folder / "sub" / "locked.pdf")
    ix = FolderIndex(folder, MemoryStore())
    rep, events = update(ix)
    assert len(rep.added) == 3
    assert set(os.path.basename(p) for p in rep.skipped) == {"broken.docx", "locked.pdf"}
    notices = [e for e in events if isinstance(e, Notice)]
    assert {n.params["file"] for n in notices if n.key == "qa.notice.skipped"} == {"broken.docx", "locked.pdf"}
    assert all(n.params["reason"] for n in notices)
    reads.clear()
    rep, events = update(ix)                     # unchanged broken files are not parsed again …
    assert reads == [] and len(rep.skipped) == 2
    assert sum(isinstance(e, Notice) for e in events) == 2     # … but the user is still told


def test_cancel_stops_between_files_and_keeps_what_was_done(folder, reads):
    store = MemoryStore()
    ix = FolderIndex(folder, store)
    token = CancelToken()
    gen = ix.update(token)
    with pytest.raises(Cancelled):
        for ev in gen:
            if isinstance(ev, Progress) and ev.stage == "qa.stage.index" and ev.done == 1:
                token.cancel()
    assert len(ix.entries) == 1 and len(reads) == 1
    restarted = FolderIndex(folder, store)       # the manifest was saved on the way out
    assert len(restarted.entries) == 1
    reads.clear()
    rep, _ = update(restarted)
    assert len(rep.added) == 2 and len(reads) == 2 and rep.unchanged == 1


def test_nothing_of_the_documents_reaches_the_disk(folder, tmp_path, _isolated_home):
    ix = FolderIndex(folder, MemoryStore())
    update(ix)
    before = {p for p in tmp_path.rglob("*")}
    ix.search("山の日", 3)
    marker = "国民の祝日に関する法律".encode("utf-8")
    for root in (tmp_path, _isolated_home):
        for p in root.rglob("*"):
            if p.is_file() and "docs" not in p.parts:
                assert marker not in p.read_bytes(), p
    assert {p for p in tmp_path.rglob("*")} == before


def test_single_file_source(ja_corpus):
    ix = FolderIndex(ja_corpus / FILES[1], MemoryStore())
    rep, _ = update(ix)
    assert len(rep.added) == 1 and len(ix.entries) == 1


def test_the_index_persists_in_the_encrypted_store_across_processes(tmp_path):
    """The CLI's index lives in the app's SQLCipher store: a second process finds it, and the
    store file holds no document text in plaintext."""
    import json
    from pathlib import Path
    import os
    import subprocess
    import sys
    folder = tmp_path / "docs"
    folder.mkdir()
    marker = "申請期限は令和九年三月三十一日までとする。"
    (folder / "通知.txt").write_text("第一条　この通知は、補助金の申請について定める。\n第二条　" + marker + "\n",
                                      encoding="utf-8")
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "gennai_desktop.cli", "ask", str(folder), "申請期限はいつか", "--json", "--no-model"]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "令和九年三月三十一日" in json.loads(first.stdout)["answer"]
    from gennai_desktop.storage import open_store
    store = open_store()
    keys = store.blob_keys("qa-index")
    assert keys                                            # the index was written to the store
    raw = b"".join(p.read_bytes() for p in Path(os.environ["GENNAI_HOME"]).rglob("*") if p.is_file())
    assert marker.encode("utf-8") not in raw               # …encrypted, nowhere in plaintext
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert second.returncode == 0 and "メモリに保持" not in second.stderr
