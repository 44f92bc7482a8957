"""The four tasks on the real bundled Gemma 3 270M and real corpus documents (few, short).

They assert properties that must hold whatever the weak model writes: citations exist,
structure and glossary terms survive, finding spans are real, cancellation is prompt. The
base model's passes are skipped by default (tasks.model_passes); these tests force them, as
the setting base_model_passes does, to exercise the model path itself.
"""
from __future__ import annotations

import threading
import time

import pytest

from gennai_desktop.core.cancel import CancelToken, Cancelled
from gennai_desktop.core.document import Document
from gennai_desktop.core.events import Done, TextDelta
from tests.support.events import run_to_result
from gennai_desktop.tasks.glossary import Glossary

pytestmark = pytest.mark.bundled


def _small_docx(tmp_path, src, n_blocks, with_table=False) -> Document:
    """A short real document: the first blocks (and the first table rows) of a corpus .docx."""
    from dataclasses import replace

    from gennai_desktop.core.document import table_text
    from gennai_desktop.documents import load_document
    from gennai_desktop.documents.docx_writer import write_docx
    full = load_document(src)
    blocks = [b for b in full.blocks if b.kind != "table"][:n_blocks]
    if with_table:
        t = next(b for b in full.blocks if b.kind == "table")
        rows = t.rows[:2]
        blocks.append(replace(t, rows=rows, text=table_text(rows)))
    path = tmp_path / "small.docx"
    write_docx(blocks, path)
    return load_document(path)


@pytest.mark.slow      # a whole document through the model on the CPU: over 10 s
def test_summary_citations_exist(bundled_engine, tmp_path, ja_corpus):
    from gennai_desktop.tasks.summarize import summarize
    doc = _small_docx(tmp_path, ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.docx", 18)
    result = run_to_result(summarize(doc, bundled_engine, style="bullets", base_model_passes=True))
    assert result.points and result.method in ("model", "extractive")
    for p in result.points:
        assert p.citations
        for c in p.citations:
            assert doc.has_block(c.block_id)
            assert c.heading is None or c.heading in {b.text for b in doc.blocks if b.kind == "heading"} \
                or any(c.heading in b.heading_path for b in doc.blocks)


@pytest.mark.slow      # a whole document through the model on the CPU: over 10 s
def test_translation_docx_keeps_blocks_tables_and_glossary(bundled_engine, tmp_path, ja_corpus):
    from gennai_desktop.documents import load_document
    from gennai_desktop.tasks.translate import save_translation_docx, translate
    doc = _small_docx(tmp_path, ja_corpus / "law_kojin-joho-hogo_415AC0000000057.docx", 6, with_table=True)
    glossary = Glossary((("個人情報", "personal information"), ("法律", "Act")))
    result = run_to_result(translate(doc, bundled_engine, glossary=glossary))
    target = tmp_path / "translated.docx"
    save_translation_docx(result, target)
    back = load_document(target)
    assert len(back.blocks) == len(doc.blocks)
    assert [b.kind for b in back.blocks] == [b.kind for b in doc.blocks]
    src_tables = [b.rows for b in doc.blocks if b.kind == "table"]
    out_tables = [b.rows for b in back.blocks if b.kind == "table"]
    assert [len(r) for r in src_tables] == [len(r) for r in out_tables]
    assert [[len(c) for c in r] for r in src_tables] == [[len(c) for c in r] for r in out_tables]
    for a, b in zip(doc.blocks, back.blocks):
        for term, target_term in glossary.occurring(a.text).items():
            assert target_term.casefold() in b.text.casefold(), (a.text, b.text)


@pytest.mark.slow      # a whole document through the model on the CPU: over 10 s
def test_proofread_model_spans_are_real(bundled_engine, ja_corpus):
    from gennai_desktop.core.document import Block
    from gennai_desktop.tasks.proofread import proofread
    text = (ja_corpus / "law_gyosei-tetsuzuki_405AC0000000088.txt").read_text(encoding="utf-8")[:400]
    text += "\n申請書を提出して下さい。"
    doc = Document.from_blocks([Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate(text.split("\n"))])
    result = run_to_result(proofread(doc, bundled_engine, base_model_passes=True))
    assert result.used_model and any(f.original == "下さい" for f in result.findings)
    for f in result.findings:
        assert 0 <= f.start < f.end <= len(doc.text) and doc.text[f.start:f.end] == f.original
        assert f.origin == "rule" or (f.rule == "model" and f.source == bundled_engine.spec.id)


@pytest.mark.slow      # a whole document through the model on the CPU: over 10 s
def test_cancel_during_generation_stops_within_a_second(bundled_engine, ja_corpus):
    from gennai_desktop.documents import load_document
    from gennai_desktop.tasks.summarize import summarize
    doc = load_document(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.txt")
    token = CancelToken()
    outcome: dict = {}
    started = threading.Event()

    def work():
        try:
            for ev in summarize(doc, bundled_engine, cancel=token, base_model_passes=True):
                if isinstance(ev, TextDelta):
                    started.set()
                if isinstance(ev, Done):
                    outcome["done"] = True
        except Cancelled:
            outcome["cancelled"] = time.perf_counter()

    th = threading.Thread(target=work)
    th.start()
    assert started.wait(120), "no token was generated"
    t0 = time.perf_counter()
    token.cancel()
    th.join(10)
    assert "cancelled" in outcome and outcome["cancelled"] - t0 < 1.0
