"""A process that reads many PDFs keeps one child waiting for the next document
(``sandbox._Spares``): the waiting child must be the one that reads the next request, must
never be used once the command line or environment a fresh start would get has changed,
and a dead one must be replaced without the caller seeing an error."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from gennai_desktop.core import sandbox
from gennai_desktop.documents import load_document


@pytest.fixture(autouse=True)
def _fresh_spares():
    sandbox._SPARES.clear()
    yield
    sandbox._SPARES.clear()


@pytest.fixture
def law_pdf(corpus: Path) -> Path:
    return corpus / "ja" / "law_nihonkoku-kenpo_321CONSTITUTION.pdf"


def _text(doc) -> str:
    return "\n".join(b.text for b in doc.blocks)


def test_one_document_starts_no_waiting_child(law_pdf: Path) -> None:
    load_document(law_pdf)
    assert sandbox._SPARES.waiting("pdf") is None


def test_from_the_second_document_on_the_waiting_child_reads_the_next_request(law_pdf: Path) -> None:
    first = _text(load_document(law_pdf))
    load_document(law_pdf)
    waiting = sandbox._SPARES.waiting("pdf")
    assert waiting is not None and waiting.poll() is None
    seen: list[int] = []
    real_start = sandbox.start

    def spy(*args, **kwargs):
        proc = real_start(*args, **kwargs)
        seen.append(proc.pid)
        return proc

    sandbox.start = spy
    try:
        third = _text(load_document(law_pdf))
    finally:
        sandbox.start = real_start
    assert seen == [waiting.pid]
    assert waiting.poll() is not None                       # it did its one document and ended
    assert third == first
    assert sandbox._SPARES.waiting("pdf") is not None      # and the next one waits


def test_a_changed_environment_never_reuses_the_waiting_child(law_pdf: Path, monkeypatch, tmp_path) -> None:
    load_document(law_pdf)
    load_document(law_pdf)
    stale = sandbox._SPARES.waiting("pdf")
    assert stale is not None
    monkeypatch.setenv("GENNAI_HOME", str(tmp_path / "other-home"))
    doc = load_document(law_pdf)
    assert doc.blocks
    assert stale.poll() is not None                        # ended, not used
    fresh = sandbox._SPARES.waiting("pdf")
    assert fresh is not None and fresh.pid != stale.pid


def test_a_dead_waiting_child_is_replaced_without_an_error(law_pdf: Path) -> None:
    expected = _text(load_document(law_pdf))
    load_document(law_pdf)
    waiting = sandbox._SPARES.waiting("pdf")
    assert waiting is not None
    waiting.kill()
    waiting.wait()
    assert _text(load_document(law_pdf)) == expected


def test_a_waiting_child_holds_no_request_and_no_sandbox_yet(law_pdf: Path) -> None:
    """It is an interpreter blocked on its first stdin line: closing that line ends it with
    the bad-request status, before any limit or document."""
    load_document(law_pdf)
    load_document(law_pdf)
    waiting = sandbox._SPARES.waiting("pdf")
    assert waiting is not None and waiting.stdin is not None
    waiting.stdin.close()
    assert waiting.wait(timeout=30) == 2
    assert os.path.basename(str(law_pdf)).encode() not in b" ".join(map(os.fsencode, waiting.args))
