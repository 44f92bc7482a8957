"""documents.pdfium_lib (the PDF worker's own small binding of pypdfium2's PDFium) gives what
pypdfium2's helpers give: page text, sizes, crop boxes and rotations on real PDFs, and the
same error and error code on PDFs that do not open — the worker's answers depend on it."""
from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from gennai_desktop.documents import pdfium_lib as lib

SAMPLES = ("ja/law_nihonkoku-kenpo_321CONSTITUTION.pdf", "real/report_cio_zerotrust.pdf",
           "real/kokuji_mhlw_tokkei_shisetsu_r04_vertical.pdf", "real/gaiyo_moj_chukan_shian_slides.pdf")


@pytest.mark.parametrize("name", SAMPLES)
def test_pages_as_pypdfium2_reads_them(corpus, name):
    path = corpus / name
    ref = pdfium.PdfDocument(str(path))
    doc = lib.open_document(str(path))
    try:
        assert lib.FPDF_GetPageCount(doc) == len(ref)
        for i in range(len(ref)):
            ref_page = ref[i]
            ref_text = ref_page.get_textpage()
            page = lib.load_page(doc, i)
            textpage = lib.load_textpage(page)
            try:
                assert lib.page_text(textpage) == ref_text.get_text_range()
                assert lib.count_chars(textpage) == ref_text.count_chars()
                assert lib.page_size(page) == ref_page.get_size()
                assert lib.page_cropbox(page) == ref_page.get_cropbox()
                assert lib.page_rotation(page) == ref_page.get_rotation()
            finally:
                lib.FPDFText_ClosePage(textpage)
                lib.FPDF_ClosePage(page)
                ref_text.close()
                ref_page.close()
    finally:
        lib.FPDF_CloseDocument(doc)
        ref.close()


def _error(fn, path):
    try:
        fn(str(path))
    except Exception as exc:  # noqa: BLE001 - the exception is what is compared
        return type(exc).__name__, str(exc), getattr(exc, "err_code", None)
    return None


def test_documents_that_do_not_open_fail_the_same_way(malformed_corpus, tmp_path):
    paths = sorted(p for p in malformed_corpus.glob("*.pdf"))[:40] + [tmp_path / "missing.pdf"]
    failing = 0
    for path in paths:
        ours = _error(lib.open_document, path)
        theirs = _error(pdfium.PdfDocument, path)
        if ours is None and theirs is None:
            continue
        failing += 1
        assert ours == theirs, path.name
    assert failing >= 5        # the corpus does hold PDFs that PDFium refuses (and one missing file)


def test_error_codes_for_a_password():
    assert (lib.FPDF_ERR_PASSWORD, lib.FPDF_ERR_SECURITY) == (pdfium.raw.FPDF_ERR_PASSWORD,
                                                             pdfium.raw.FPDF_ERR_SECURITY)


def test_worker_does_not_load_pypdfium2_bindings(corpus):
    """The worker starts once per document: it must not pay for pypdfium2's ~900 generated
    function declarations (pypdfium2_raw.bindings), only for the calls it makes."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "from gennai_desktop.documents import pdf_worker\n"
            "answer = pdf_worker._extract(sys.argv[2], 5000, 20_000_000)\n"
            "assert answer['ok'] and answer['page_count'] > 0, answer\n"
            "print(sorted(m for m in sys.modules if m.startswith('pypdfium2')))\n")
    pdf = corpus / "ja" / "law_nihonkoku-kenpo_321CONSTITUTION.pdf"
    proc = subprocess.run([sys.executable, "-I", "-c", code, str(root), str(pdf)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[]"
