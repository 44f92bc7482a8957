"""load_document raises only DocumentError, with a message in Japanese and English."""
from __future__ import annotations

import os

import pytest

from gennai_desktop.core.errors import DocumentError
from gennai_desktop.core.i18n import has_key, tr
from gennai_desktop.documents import load_document


def _key(path, **kw):
    with pytest.raises(DocumentError) as err:
        load_document(path, **kw)
    assert has_key(err.value.key), err.value.key
    assert tr(err.value.key, lang="ja", **err.value.params) != tr(err.value.key, lang="en", **err.value.params)
    return err.value.key


def test_not_found(tmp_path):
    assert _key(tmp_path / "missing.docx") == "documents.error.not_found"


def test_directory(tmp_path):
    assert _key(tmp_path) == "documents.error.not_a_file"


def test_empty(tmp_path):
    p = tmp_path / "e.pdf"
    p.write_bytes(b"")
    assert _key(p) == "documents.error.empty"


def test_unsupported_binary(tmp_path):
    p = tmp_path / "x.gif"          # (.png/.jpg/.tif are read by OCR since issue 11)
    p.write_bytes(b"GIF89a" + b"\x00" * 100)
    assert _key(p) == "documents.error.unsupported"


def test_broken_png_is_corrupt(tmp_path):
    p = tmp_path / "x.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert _key(p) == "documents.error.corrupt"


def test_too_large(tmp_path):
    from gennai_desktop.documents.limits import Limits

    p = tmp_path / "big.txt"
    p.write_text("あ" * 1000, encoding="utf-8")
    assert _key(p, limits=Limits(max_file_bytes=100)) == "documents.error.too_large"


def test_text_named_docx_is_corrupt(malformed_corpus):
    assert _key(malformed_corpus / "gen-not-a-zip.docx") == "documents.error.corrupt"


def test_permission_denied(tmp_path, monkeypatch):
    """EACCES on open (simulated: root and Windows ACLs would otherwise let the read through)."""
    import builtins
    import errno

    from gennai_desktop.documents import loader
    p = tmp_path / "secret.txt"
    p.write_text("秘密", encoding="utf-8")
    real_open = builtins.open

    def denied(file, *a, **k):
        if os.fspath(file) == os.fspath(p):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return real_open(file, *a, **k)
    monkeypatch.setattr(loader, "open", denied, raising=False)
    assert _key(p) == "documents.error.permission"


def test_unexpected_exception_is_wrapped(tmp_path, monkeypatch):
    from gennai_desktop.documents import loader

    def broken(*a, **k):
        raise KeyError("internal bug")

    monkeypatch.setattr(loader, "read_txt", broken)   # the reader the loader calls for .txt
    p = tmp_path / "a.txt"
    p.write_text("本文", encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        load_document(p)
    assert err.value.key == "documents.error.corrupt"
    assert "KeyError" in str(err.value)


def test_renamed_pdf_is_read_as_pdf(ja_corpus, tmp_path):
    p = tmp_path / "actually_pdf.docx"
    p.write_bytes((ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf").read_bytes())
    assert load_document(p).format == "pdf"
