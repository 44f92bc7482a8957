"""The document on the left: PDF pages (QtPdf) and the structured text of any document.

Two views over one ``core.document.Document``: "ページ" shows the PDF as rendered pages
(QPdfView paints every page on white, so transparent page images never show through);
"本文" shows the block structure (headings, lists, tables) as rich text. The text view
keeps a map from ``Document.text`` offsets to its own cursor positions, so findings
(offset ranges) and summary citations (block id / page) can be shown exactly; on a PDF
they are also boxed on the rendered page (``pdf_page_view.PdfPageView``).
"""
from __future__ import annotations

import bisect
from pathlib import Path

from ..core.document import Block, Document, Location
from ..core.i18n import tr
from .pdf_page_view import PdfPageView
from .qt import (
    QFont,
    QPalette,
    QPdfDocument,
    QPdfView,
    QTabWidget,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextEdit,
    QTextTableFormat,
    QVBoxLayout,
    QWidget,
)


class DocumentText(QTextEdit):
    """Read-only structured text with an offset map (doc offset → QTextDocument position)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setObjectName("documentText")
        pal = self.palette()   # keep the selection visible when the findings table has focus
        for role in (QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText):
            pal.setColor(QPalette.ColorGroup.Inactive, role, pal.color(QPalette.ColorGroup.Active, role))
        self.setPalette(pal)
        self._seg_doc: list[int] = []     # segment start offsets in Document.text (sorted)
        self._seg_qt: list[int] = []      # matching QTextDocument positions
        self._seg_len: list[int] = []
        self._block_pos: dict[str, int] = {}

    def set_document(self, doc: Document) -> None:
        self.clear()
        self._seg_doc, self._seg_qt, self._seg_len, self._block_pos = [], [], [], {}
        cur = QTextCursor(self.document())
        base_size = self.font().pointSizeF() if self.font().pointSizeF() > 0 else 10.5
        for i, block in enumerate(doc.blocks):
            bfmt, cfmt = _formats(block, base_size)
            if i == 0:
                cur.setBlockFormat(bfmt)
                cur.setCharFormat(cfmt)
            else:
                cur.insertBlock(bfmt, cfmt)
            self._block_pos[block.id] = cur.position()
            if block.kind == "table" and block.rows:
                self._insert_table(cur, block)
            else:
                self._add_segment(block.start, cur.position(), len(block.text))
                cur.insertText(block.text, cfmt)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def _insert_table(self, cur: QTextCursor, block: Block) -> None:
        rows = block.rows or ()
        ncols = max((len(r) for r in rows), default=1)
        tfmt = QTextTableFormat()
        tfmt.setCellPadding(3)
        tfmt.setCellSpacing(0)
        tfmt.setBorder(1)
        table = cur.insertTable(len(rows), max(1, ncols), tfmt)
        offset = block.start
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                cell_cur = table.cellAt(r, c).firstCursorPosition()
                self._add_segment(offset, cell_cur.position(), len(cell))
                cell_cur.insertText(cell)
                offset += len(cell) + 1   # "\t" between cells, "\n" after the row
        cur.movePosition(QTextCursor.MoveOperation.End)

    def _add_segment(self, doc_start: int, qt_pos: int, length: int) -> None:
        self._seg_doc.append(doc_start)
        self._seg_qt.append(qt_pos)
        self._seg_len.append(length)

    def qt_position(self, offset: int) -> int:
        """QTextDocument position of ``Document.text`` offset (clamped into its segment)."""
        if not self._seg_doc:
            return 0
        i = max(0, bisect.bisect_right(self._seg_doc, offset) - 1)
        return self._seg_qt[i] + max(0, min(offset - self._seg_doc[i], self._seg_len[i]))

    def select_range(self, start: int, end: int) -> str:
        cur = QTextCursor(self.document())
        cur.setPosition(self.qt_position(start))
        cur.setPosition(self.qt_position(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cur)
        self._center_cursor()
        return cur.selectedText()

    def _center_cursor(self) -> None:
        """Scroll so the selection sits mid-view (ensureCursorVisible leaves it at an edge)."""
        self.ensureCursorVisible()
        bar = self.verticalScrollBar()
        offset = self.cursorRect().center().y() - self.viewport().height() // 2
        bar.setValue(bar.value() + offset)

    def go_to_block(self, block_id: str) -> bool:
        pos = self._block_pos.get(block_id)
        if pos is None:
            return False
        cur = QTextCursor(self.document())
        cur.setPosition(pos)
        cur.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cur)
        self._center_cursor()
        return True


def lines_of_span(block: Block, start: int, end: int) -> tuple:
    """The OCR line boxes of ``block`` that ``[start, end)`` (document offsets) falls on.
    The joined text does not say where each line ends, so characters are shared out in
    proportion to the lines' widths (type on a scan has one size per paragraph)."""
    boxes = block.boxes
    widths = [max(abs(b[2] - b[0]), 1e-6) for b in boxes]
    total, n = sum(widths), max(len(block.text), 1)
    a, b = (start - block.start) / n, (end - block.start) / n
    out, acc = [], 0.0
    for box, w in zip(boxes, widths):
        lo, hi = acc / total, (acc + w) / total
        acc += w
        if lo < b and a < hi or (a == b and lo <= a < hi):
            out.append(box)
    return tuple(out) or boxes


def _formats(block: Block, base: float) -> tuple[QTextBlockFormat, QTextCharFormat]:
    bfmt = QTextBlockFormat()
    cfmt = QTextCharFormat()
    cfmt.setFontWeight(QFont.Weight.Normal)
    cfmt.setFontPointSize(base)
    bfmt.setBottomMargin(4)
    if block.kind == "heading":
        cfmt.setFontWeight(QFont.Weight.Bold)
        cfmt.setFontPointSize(base * {1: 1.5, 2: 1.3, 3: 1.15}.get(block.level, 1.05))
        bfmt.setTopMargin(10)
        bfmt.setBottomMargin(6)
    elif block.kind == "list_item":
        bfmt.setIndent(1 + max(0, block.level))
    return bfmt, cfmt


class DocumentView(QWidget):
    """Left pane. ``go_to(location)`` and ``select_range(start, end)`` are what tasks use."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc: Document | None = None
        self.tabs = QTabWidget(self)
        self.tabs.setTabBarAutoHide(True)   # a lone 本文 tab was a blank grey label; tabs only with a PDF
        self.tabs.setObjectName("documentTabs")
        self.text = DocumentText(self)
        self.pdf_doc = QPdfDocument(self)
        self.pdf_view = PdfPageView(self)
        self.pdf_view.setObjectName("pdfView")
        self.pdf_view.setDocument(self.pdf_doc)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        self._show_placeholder()

    def _show_placeholder(self) -> None:
        self.tabs.clear()
        self.pdf_view.hide()
        self.text.setPlaceholderText(tr("ui.doc.placeholder"))
        self.tabs.addTab(self.text, tr("ui.doc.text_tab"))

    def clear_document(self) -> None:
        """No document open (the last one was closed): the placeholder again."""
        self.doc = None
        self.pdf_view.clear_highlight()
        self.pdf_doc.close()
        self.text.set_document(Document.from_blocks([]))
        self._show_placeholder()

    def set_document(self, doc: Document) -> None:
        self.doc = doc
        self.tabs.clear()
        self.pdf_view.clear_highlight()
        self.pdf_doc.close()
        if doc.format == "pdf" and doc.path is not None and Path(doc.path).exists():
            self.pdf_doc.load(str(doc.path))
            if self.pdf_doc.status() == QPdfDocument.Status.Ready:
                self.tabs.addTab(self.pdf_view, tr("ui.doc.pages_tab"))
        self.tabs.addTab(self.text, tr("ui.doc.text_tab"))
        if not self.has_pages:
            # taken out of the tabs, the page view stays a visible child of this widget and
            # painted as a grey box over the text's first line (.docx/.txt)
            self.pdf_view.hide()
        self.text.set_document(doc)
        self.tabs.setCurrentIndex(0)

    @property
    def has_pages(self) -> bool:
        return self.tabs.indexOf(self.pdf_view) >= 0

    def current_page(self) -> int:
        """1-based page shown in the PDF view (0 when there is none)."""
        return self.pdf_view.pageNavigator().currentPage() + 1 if self.has_pages else 0

    def go_to(self, loc: Location) -> None:
        """Show where a citation points: the PDF page (block text highlighted) if known,
        else the paragraph."""
        if loc.page is not None and self.has_pages and self.doc is not None:
            self.tabs.setCurrentWidget(self.pdf_view)
            block = self.doc.block(loc.block_id) if self.doc.has_block(loc.block_id) else None
            if block is not None:
                if not self.pdf_view.show_span(loc.page - 1, self.doc.text, block.start, block.end) \
                        and block.boxes:      # a scanned page: no text layer, the OCR line boxes
                    self.pdf_view.show_boxes(loc.page - 1, block.boxes, block.text)
            else:
                self.pdf_view.show_span(loc.page - 1, "", 0, 0)
            self.text.go_to_block(loc.block_id)
            return
        self.tabs.setCurrentWidget(self.text)
        self.text.go_to_block(loc.block_id)

    def select_range(self, start: int, end: int) -> str:
        """Select the span in the 本文 view; for a PDF also highlight it on its page and
        show the pages. Returns the selected text (from the 本文 view)."""
        page = self._page_of(start)
        if page is not None and self.doc is not None:
            self.tabs.setCurrentWidget(self.pdf_view)
            selected = self.text.select_range(start, end)
            if not self.pdf_view.show_span(page - 1, self.doc.text, start, end):
                block = self.doc.block_at(start)
                if block.boxes:               # a scanned page: the OCR lines the span is on
                    self.pdf_view.show_boxes(page - 1, lines_of_span(block, start, end), selected)
            return selected
        self.tabs.setCurrentWidget(self.text)
        return self.text.select_range(start, end)

    def _page_of(self, offset: int) -> int | None:
        if self.doc is None or not self.has_pages or not self.doc.blocks:
            return None
        try:
            return self.doc.locate(offset).page
        except (IndexError, KeyError, ValueError):
            return None
