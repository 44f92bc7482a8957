from __future__ import annotations

import os

import pytest

from gennai_desktop.core.atomicio import atomic_path, atomic_write_text
from gennai_desktop.core.cancel import Cancelled, CancelToken
from gennai_desktop.core.document import Block, Document
from gennai_desktop.core.errors import OutputError
from gennai_desktop.core.findings import Finding, merge, validate
from gennai_desktop.core.i18n import tr
from tests.support.fs import deny_writes_in


def test_document_offsets_and_locate():
    d = Document.from_blocks([
        Block("b0000", "heading", "第一章 総則", level=1),
        Block("b0001", "paragraph", "この法律は、目的とする。", heading_path=("第一章 総則",)),
    ])
    assert d.text == "第一章 総則\nこの法律は、目的とする。"
    b = d.blocks[1]
    assert d.text[b.start:b.end] == b.text
    assert d.locate(b.start + 2).block_id == "b0001"
    assert d.locate(b.start).heading == "第一章 総則"


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_unwritable_dir_gives_output_error(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    deny_writes_in(monkeypatch, ro)
    with pytest.raises(OutputError):
        atomic_write_text(ro / "x.txt", "data")
    assert list(ro.iterdir()) == []


def test_findings_validate_and_merge():
    text = "資料を御覧下さい。"
    rule = Finding(5, 8, "下さい", "ください", "hojo.kudasai", "補助動詞はひらがな")
    bad = Finding(0, 3, "違う文", "x", "model", "m", origin="model")
    model_dup = Finding(4, 8, "覧下さい", "覧ください", "model", "m", origin="model")
    assert validate([rule, bad], text) == [rule]
    merged = merge([rule], validate([model_dup], text))
    assert merged == [rule]


def test_cancel_token():
    t = CancelToken()
    t.raise_if_cancelled()
    t.cancel()
    with pytest.raises(Cancelled):
        t.raise_if_cancelled()


def test_i18n_falls_back_and_formats():
    assert "x.docx" in tr("error.output.permission", path="x.docx")
    assert "x.docx" in tr("error.output.permission", lang="en", path="x.docx")
    assert tr("no.such.key") == "no.such.key"


def test_disk_full_gives_clear_error_and_keeps_the_old_file(tmp_path, monkeypatch):
    """ENOSPC while writing: a Japanese 'disk full' message, the previous file intact, no temp left."""
    import errno

    target = tmp_path / "result.docx"
    atomic_write_text(target, "previous version")

    real_fsync = os.fsync

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OutputError) as err:
        atomic_write_text(target, "new version that does not fit")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert err.value.key == "error.output.disk_full"
    assert "ディスク" in str(err.value)
    assert target.read_text() == "previous version"
    assert [p.name for p in tmp_path.iterdir()] == ["result.docx"]


def test_the_one_drain_returns_done_and_forwards_the_rest():
    from gennai_desktop.core.events import Done, Notice, Progress, drain
    seen = []
    assert drain(iter([Progress(0, 1, "s"), Notice("k"), Done(42)]), seen.append) == 42
    assert [type(e).__name__ for e in seen] == ["Progress", "Notice"]
    assert drain(iter([Progress(0, 1, "s")])) is None

    def stop(ev):
        raise Cancelled()

    with pytest.raises(Cancelled):                  # a consumer's Cancelled stops the drain
        drain(iter([Progress(0, 1, "s"), Done(1)]), stop)
