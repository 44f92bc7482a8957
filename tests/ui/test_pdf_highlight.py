"""PDF page highlight: a 校正 finding or 要約 citation clicked on a real law PDF is boxed on
the right rendered page, over the glyphs, scrolled into view; the 本文 view still selects it."""
from __future__ import annotations

from gennai_desktop.ui.pdf_text_match import find_span, normalise

from .conftest import wait_idle


def _dark_pixels(img, rect) -> int:
    xs = range(max(0, int(rect.left())), min(img.width(), int(rect.right())))
    ys = range(max(0, int(rect.top())), min(img.height(), int(rect.bottom())))
    return sum(1 for x in xs for y in ys if img.pixelColor(x, y).lightness() < 128)


def _assert_boxed_on_page(qtbot, view, page: int) -> None:
    pv = view.pdf_view
    assert view.tabs.currentWidget() is pv
    assert pv.highlight_page == page - 1 and view.current_page() == page
    rects = pv.highlight_rects()
    assert rects and all(r.width() * r.height() > 0 for r in rects)
    box = max(rects, key=lambda r: r.width() * r.height())
    assert pv.viewport().rect().toRectF().contains(box)                 # scrolled into view
    qtbot.wait(50)
    painted = pv.viewport().grab().toImage()
    c = painted.pixelColor(int(box.left()) + 2, int(box.center().y()))
    assert c.blue() < c.red() - 40, (c.red(), c.green(), c.blue())       # the translucent box is drawn
    pv.clear_highlight()
    # …over the text's glyphs. QPdfView renders pages in the background: after other windows
    # (earlier tests) the page may still be blank for a moment, so wait for the glyphs to come
    qtbot.waitUntil(lambda: _dark_pixels(pv.viewport().grab().toImage(), box)
                    > 0.05 * box.width() * box.height(), timeout=10000)


def test_clicked_finding_is_boxed_on_its_pdf_page(qtbot, window, ja_corpus):
    window.resize(1200, 900)
    # a law the 法令 standard still has something to say about (基く→基づく, 又、→また、)
    window.open_path(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf")
    doc = window.document
    tab = window.proofread_tab
    tab.use_model.setChecked(False)
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", window.messages
    findings = tab.model.findings
    later = [i for i, f in enumerate(findings) if (doc.locate(f.start).page or 0) > 1]
    assert later, "the rules find something past page 1 of a law"
    for row in (later[0], later[-1]):
        f = findings[row]
        tab.table.selectRow(row)
        assert window.document_view.text.textCursor().selectedText() == f.original == doc.text[f.start:f.end]
        assert normalise(window.document_view.pdf_view.highlight_text)[0] == normalise(f.original)[0]
        _assert_boxed_on_page(qtbot, window.document_view, doc.locate(f.start).page)


def test_summary_citation_boxes_the_cited_paragraph(qtbot, window, denshi_pdf):
    window.resize(1200, 900)
    window.open_path(denshi_pdf)
    doc = window.document
    block = next(b for b in doc.blocks if (b.page or 0) >= 5 and len(b.text) > 30)
    view = window.document_view
    view.go_to(doc.locate(block.start))
    _assert_boxed_on_page(qtbot, view, block.page)
    assert view.text.textCursor().selectedText() == block.text


def test_text_not_on_the_page_shows_the_page_without_a_box(qtbot, window, denshi_pdf):
    window.resize(1200, 900)
    window.open_path(denshi_pdf)
    pv = window.document_view.pdf_view
    text = "この文字列はどのページにもない架空の条文である"
    assert not pv.show_span(3, text, 0, len(text))
    assert pv.highlight_rects() == [] and pv.pageNavigator().currentPage() == 3
    assert not pv.show_span(99, text, 0, len(text))        # out-of-range page: clamped, no crash
    assert not pv.show_span(0, "", 0, 0)


def test_find_span_normalises_and_disambiguates():
    page = "第一条\u3000この法律は、電子署名及び認\r\n証業務に関し、２条及び３条を定める。"
    text = "この法律は、電子署名及び認証業務に関し、2条及び3条を定める。"
    s = text.index("認証業務")
    b, e = find_span(page, text, s, s + 4)
    assert page[b:e] == "認\r\n証業務"                    # line break inside the span
    s2 = text.index("及び3")                               # the second 及び, by its context
    b, e = find_span(page, text, s2, s2 + 2)
    assert page[b:e] == "及び" and page[e] == "３"
    assert normalise("２\u3000A")[0] == "2A"
    odd = "電子署名及び認証業務のXYZ"                      # not on the page: a prefix is
    b, e = find_span(page, odd, 0, len(odd))
    assert page[b:e].startswith("電子署名")
    assert find_span(page, "全く無関係な語句", 0, 8) is None
