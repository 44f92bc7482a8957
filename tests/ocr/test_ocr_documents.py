"""OCR through load_document / the sandboxed child: image-only PDF pages, TIFF FAX, image
bombs, cancellation between pages, proofreading on uncertain characters, gennai extract."""
from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from gennai_desktop.core.cancel import CancelToken, Cancelled
from gennai_desktop.core.document import Block, Document
from gennai_desktop.core.errors import DocumentError
from gennai_desktop.core.findings import Finding
from gennai_desktop.documents.loader import load_document
from tests.support import ocr_synth as synth
from gennai_desktop.ocr.pages import page_needs_ocr
from gennai_desktop.ocr.proofread_filter import drop_uncertain
from gennai_desktop.ocr.runner import run_ocr

from .conftest import similarity


def _image_pdf(path: Path, images) -> Path:
    images[0].save(path, resolution=200, save_all=True, append_images=list(images[1:]))
    return path


def test_partly_scanned_pdf_ocrs_only_the_image_page(tmp_path, ja_corpus, scan_lines):
    scan = _image_pdf(tmp_path / "scan.pdf", [synth.render_lines(scan_lines[:3])])
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(str(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf")), [0])
    mixed.import_pages(pdfium.PdfDocument(str(scan)), [0])
    target = tmp_path / "mixed.pdf"
    mixed.save(str(target))
    doc = load_document(target)
    p1 = [b for b in doc.blocks if b.page == 1]
    p2 = [b for b in doc.blocks if b.page == 2]
    assert p1 and not any(b.ocr for b in p1) and all(b.confidence is None for b in p1)
    assert p2 and all(b.ocr for b in p2)
    assert all(0.8 <= b.confidence <= 1.0 for b in p2)
    width, height = pdfium.PdfDocument(str(target))[1].get_size()
    for b in p2:   # line boxes on the page, in PDF points (y up)
        assert b.boxes and all(0 <= x0 < x1 <= width + 1 and 0 <= bottom < top <= height + 1
                               for x0, top, x1, bottom in b.boxes)
    assert "ocr.warning.pages_ocr" in doc.warnings
    got = "".join(b.text for b in p2).replace(" ", "")
    assert similarity("".join(scan_lines[:3]).replace(" ", ""), got) >= 0.95
    offset = p2[0].start + 3
    assert doc.locate(offset).page == 2          # citations point at the scanned page


def test_multipage_fax_tiff(tmp_path, scan_lines):
    # G4 FAX in "normal" resolution: 204 × 98 dpi (pixels twice as tall as wide).
    frames = []
    for line in scan_lines[:2]:
        img = synth.render_lines([line], dpi=204)
        frames.append(synth.to_fax(img.resize((img.width, img.height * 98 // 204))))
    tif = tmp_path / "fax.tif"
    frames[0].save(tif, save_all=True, append_images=frames[1:], compression="group4", dpi=(204, 98))
    doc = load_document(tif)
    assert doc.format == "image" and doc.page_count == 2
    # The sentence runs on from the first frame to the second, so it is one block spanning
    # pages 1–2 (Block.page_end): both frames must be read and the text whole, in order.
    pages = {p for b in doc.blocks for p in range(b.page or 0, (b.page_end or b.page or 0) + 1)}
    text = "".join(b.text for b in doc.blocks)
    assert pages == {1, 2}
    assert similarity("".join(scan_lines[:2]).replace(" ", ""), text.replace(" ", "")) >= 0.9, text
    assert all(b.ocr for b in doc.blocks)


def _png_header(width: int, height: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_100k_by_100k_png_header_is_refused(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header(100_000, 100_000, zlib.compress(b"\x00" * 1000)))
    with pytest.raises(DocumentError) as err:
        load_document(bomb)
    assert err.value.key == "ocr.error.image_too_large"


def test_decompression_bomb_is_refused(tmp_path):
    # 9,000 × 9,000 white pixels (81 Mpx, 81 MB decoded) in a file of a few hundred kB.
    row = b"\x00" + b"\xff" * 9000
    bomb = tmp_path / "white.png"
    bomb.write_bytes(_png_header(9000, 9000, zlib.compress(row * 9000, 1)))
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(DocumentError) as err:
        load_document(bomb)
    assert err.value.key == "ocr.error.image_too_large"


def test_garbage_image_is_a_document_error(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00garbage" * 50)
    with pytest.raises(DocumentError):
        load_document(bad)


def test_cancel_between_pages_stops_the_child(tmp_path, scan_lines):
    pdf = _image_pdf(tmp_path / "three.pdf", [synth.render_lines([line]) for line in scan_lines[:3]])
    token = CancelToken()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 1:
            token.cancel()

    with pytest.raises(Cancelled):
        run_ocr(pdf, "pdf", progress=progress, cancel=token)
    assert seen == [(0, 3), (1, 3)]


def test_cancelled_load_is_cancelled_not_corrupt(tmp_path, scan_lines):
    from gennai_desktop.ocr.runner import ocr_context
    png = tmp_path / "page.png"
    synth.render_lines(scan_lines[:1]).save(png)
    token = CancelToken()
    token.cancel()
    with ocr_context(cancel=token), pytest.raises(Cancelled):
        load_document(png)


def test_garbage_text_layer_needs_ocr():
    assert page_needs_ocr([])
    assert page_needs_ocr([["第1条", 0, 0, 0, 0, 10, 0]], image_coverage=0.9)   # a stamp on a scan
    assert not page_needs_ocr([["第1条", 0, 0, 0, 0, 10, 0]], image_coverage=0.0)  # a short page
    assert page_needs_ocr([["\ue000\ue001\ue002" * 10 + "あいう", 0, 0, 0, 0, 10, 0]])
    assert not page_needs_ocr([["この法律は、行政手続に関し、共通する事項を定める。", 0, 0, 0, 0, 10, 0]])


def test_proofreading_skips_findings_on_uncertain_ocr_characters():
    blocks = [Block(id="b0000", kind="paragraph", text="申請書を提出して下さい。", page=1,
                    ocr=True, confidence=0.9, uncertain=((8, 9),)),       # "下" is uncertain
              Block(id="b0001", kind="paragraph", text="確認して下さい。", page=2)]
    doc = Document.from_blocks(blocks, fmt="pdf")
    on_uncertain = Finding(start=8, end=11, original="下さい", suggestion="ください", rule="r", message="m")
    s = doc.blocks[1].start + 4
    elsewhere = Finding(start=s, end=s + 3, original="下さい", suggestion="ください", rule="r", message="m")
    kept, held = drop_uncertain([on_uncertain, elsewhere], doc)
    assert kept == [elsewhere] and held == 1
    assert doc.uncertain_spans() == [(8, 9)]


def test_gennai_extract_json_lines(tmp_path, scan_lines, capsys):
    from gennai_desktop.cli import main
    png = tmp_path / "page.png"
    synth.render_lines(scan_lines[:2]).save(png, dpi=(200, 200))
    assert main(["extract", str(png), "--json", "--quiet"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert rows and set(rows[0]) >= {"page", "block", "kind", "level", "label", "text", "bbox", "anchor", "ocr",
                                     "confidence"}
    assert all(r["ocr"] is True and r["page"] == 1 and 0 < r["confidence"] <= 1 for r in rows)
    assert similarity("".join(scan_lines[:2]).replace(" ", ""), "".join(r["text"] for r in rows).replace(" ", "")) >= 0.95


def test_gennai_extract_text_layer_pdf_is_not_ocr(ja_corpus, capsys):
    from gennai_desktop.cli import main
    assert main(["extract", str(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf"), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(rows) > 20 and not any(r["ocr"] for r in rows) and rows[0]["page"] == 1


@pytest.mark.parametrize("limits", [
    pytest.param(dict(memory_bytes=400 * 1024 ** 2), id="memory"),
    pytest.param(dict(cpu_seconds_base=1, cpu_seconds_per_page=0), id="cpu"),
])
def test_child_caps_become_resource_limit_errors(tmp_path, scan_lines, limits):
    from gennai_desktop.ocr.limits import OcrLimits
    png = tmp_path / "page.png"
    # a full page (~40 lines, ~10 s of CPU here): far past a 1 s CPU cap on any machine, so
    # the cap is what ends it (two lines sometimes finished inside the cap on a quiet machine)
    synth.render_lines((scan_lines * 10)[:40]).save(png)
    with pytest.raises(DocumentError) as err:
        run_ocr(png, "image", limits=OcrLimits(**limits))
    assert err.value.key == "documents.error.resource_limit"


def test_searchable_pdf_has_the_image_and_a_findable_text_layer(tmp_path, scan_lines, capsys):
    from gennai_desktop.cli import main
    from gennai_desktop.ocr.runner import ocr_context
    png = tmp_path / "page.png"
    synth.render_lines(scan_lines[:2]).save(png, dpi=(200, 200))
    out = tmp_path / "searchable.pdf"
    assert main(["extract", str(png), "--searchable-pdf", str(out), "--quiet"]) == 0
    with ocr_context(enabled=False):          # only the text layer we wrote, no OCR
        doc = load_document(out)
    assert not any(b.ocr for b in doc.blocks)
    got = "".join(b.text for b in doc.blocks).replace(" ", "")
    assert similarity("".join(scan_lines[:2]).replace(" ", ""), got) >= 0.95
    pdf = pdfium.PdfDocument(str(out))
    page = pdf[0]
    assert len(list(page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))) == 1
    # the first character's box lies on the first text line of the image (top of the page)
    left, bottom, right, top = page.get_textpage().get_charbox(0)
    assert left < 40 and page.get_size()[1] - top < 40


def test_proofread_task_holds_back_rule_findings_on_uncertain_characters():
    from gennai_desktop.core.events import Done, Notice
    from gennai_desktop.tasks.proofread import proofread

    def run(uncertain):
        block = Block(id="b0000", kind="paragraph", text="内容を確認して下さい。", page=1,
                      ocr=True, confidence=0.9, uncertain=uncertain)
        events = list(proofread(Document.from_blocks([block], fmt="pdf"), None, use_model=False))
        done = [e for e in events if isinstance(e, Done)][0].result
        return done.findings, [e.key for e in events if isinstance(e, Notice)]

    sure, notices = run(())
    assert any(f.original.startswith("下さい") or "下さい" in f.original for f in sure), sure
    assert "ocr.notice.proofread_uncertain" not in notices
    held, notices = run(((7, 8),))                   # "下" read with low confidence
    assert not any("下" in f.original for f in held)
    assert "ocr.notice.proofread_uncertain" in notices


def test_failed_ocr_keeps_the_text_pages_of_a_mixed_pdf(tmp_path, ja_corpus, scan_lines):
    from gennai_desktop.ocr.limits import OcrLimits
    from gennai_desktop.ocr.runner import ocr_context
    scan = _image_pdf(tmp_path / "scan.pdf", [synth.render_lines(scan_lines[:1])])
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(str(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf")), [0])
    mixed.import_pages(pdfium.PdfDocument(str(scan)), [0])
    target = tmp_path / "mixed.pdf"
    mixed.save(str(target))
    with ocr_context(limits=OcrLimits(memory_bytes=300 * 1024 ** 2)):   # OCR cannot run
        doc = load_document(target)
    assert "ocr.warning.failed" in doc.warnings and doc.pages == [1]
