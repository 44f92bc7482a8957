"""A citation or a finding on a scanned page highlights where it is (issue 25 item 5): the
page has no text layer to search, so the view paints the OCR line boxes of its block."""
from __future__ import annotations

from gennai_desktop.core.document import Location
from tests.support import ocr_synth as synth

LINES = ["第一条　この規則は、文書の管理について定める。", "",
         "第二条　職員は、文書を適切に保存しなければならない。"]


def _opened(window, tmp_path):
    path = tmp_path / "scan.pdf"
    synth.render_lines(LINES).save(path, resolution=200)
    assert window.open_path(path)
    blocks = [b for b in window.document.blocks if b.ocr and b.boxes]
    assert len(blocks) >= 2, [b.text for b in window.document.blocks]
    return blocks


def test_citation_on_a_scanned_page_highlights_its_lines(window, qtbot, tmp_path):
    blocks = _opened(window, tmp_path)
    view = window.document_view
    first, second = blocks[0], blocks[-1]
    view.go_to(Location(first.id, first.page, None))
    assert view.pdf_view.highlight_page == first.page - 1
    top_first = min(r.top() for r in view.pdf_view.highlight_rects())
    assert view.pdf_view.highlight_rects()
    view.go_to(Location(second.id, second.page, None))
    rects = view.pdf_view.highlight_rects()
    assert len(rects) == len(second.boxes)
    assert min(r.top() for r in rects) > top_first        # the second paragraph is lower on the page
    page = view.pdf_view.page_rect(second.page - 1)
    assert all(page.contains(r.toRect()) for r in rects)  # on the page, not off it


def test_finding_on_a_scanned_page_highlights_its_line(window, qtbot, tmp_path):
    blocks = _opened(window, tmp_path)
    b = blocks[-1]
    at = b.text.find("保存")
    assert at >= 0
    view = window.document_view
    view.select_range(b.start + at, b.start + at + 2)
    assert view.pdf_view.highlight_page == b.page - 1
    assert 1 <= len(view.pdf_view.highlight_rects()) <= len(b.boxes)
