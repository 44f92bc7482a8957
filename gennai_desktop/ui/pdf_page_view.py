"""The rendered PDF pages with one highlighted span (a 校正 finding or a 要約 citation).

QPdfView only highlights QPdfSearchModel hits (every hit of a string, scaled wrongly in
FitToWidth mode) and exposes no page geometry. So this view finds the span itself with
``QPdfDocument.getAllText`` + ``getSelectionAtIndex`` and paints a translucent box over
its bounds. Page positions mirror QPdfViewPrivate::calculateDocumentLayout (Qt 6.x:
screen DPI / 72, document margins, page spacing, pages centred); the page size it
computes is also what scales PDF points to pixels, so box and page image stay aligned.
"""
from __future__ import annotations

import math

from .pdf_text_match import find_span
from .qt import (
    QBrush,
    QColor,
    QGuiApplication,
    QPainter,
    QPdfDocument,
    QPdfView,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QWidget,
)

FILL = QColor(255, 190, 0, 90)
EDGE = QColor(230, 120, 0, 200)


def _qround(x: float) -> int:
    """Qt's qRound (half away from zero), as QSize/QSizeF use it."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


class PdfPageView(QPdfView):
    """``show_span(page, text, start, end)`` jumps to the page and highlights the span."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.highlight_page: int = -1             # 0-based page of the highlight, -1 = none
        self.highlight_boxes: list[QRectF] = []   # in PDF points on that page
        self.highlight_text: str = ""             # the page text under the boxes

    # --- geometry ------------------------------------------------------------------------
    def _page_sizes(self) -> dict[int, QSize]:
        doc = self.document()
        if doc is None or doc.status() != QPdfDocument.Status.Ready:
            return {}
        res = QGuiApplication.primaryScreen().logicalDotsPerInch() / 72.0
        m, vw = self.documentMargins(), self.viewport().width()
        if self.pageMode() == QPdfView.PageMode.SinglePage:
            pages = [self.pageNavigator().currentPage()]
        else:
            pages = list(range(doc.pageCount()))
        sizes: dict[int, QSize] = {}
        for p in pages:
            pt = doc.pagePointSize(p)
            zoom = self.zoomFactor() if self.zoomMode() == QPdfView.ZoomMode.Custom else 1.0
            w, h = _qround(pt.width() * res * zoom), _qround(pt.height() * res * zoom)
            if self.zoomMode() == QPdfView.ZoomMode.FitToWidth and w > 0:
                f = (vw - m.left() - m.right()) / w
                w, h = _qround(w * f), _qround(h * f)
            elif self.zoomMode() == QPdfView.ZoomMode.FitInView and w > 0 and h > 0:
                avail_w = self.viewport().width() - m.left() - m.right()
                avail_h = self.viewport().height() - self.pageSpacing()
                f = min(avail_w / w, avail_h / h)
                w, h = _qround(w * f), _qround(h * f)
            sizes[p] = QSize(w, h)
        return sizes

    def page_rect(self, page: int, *, scrolled: bool = True) -> QRect:
        """Where page ``page`` (0-based) is drawn, in viewport (or document) pixels."""
        sizes = self._page_sizes()
        if page not in sizes:
            return QRect()
        m, vw = self.documentMargins(), self.viewport().width()
        total = max(s.width() for s in sizes.values()) + m.left() + m.right()
        y = m.top()
        for p, s in sizes.items():
            if p == page:
                rect = QRect((max(total, vw) - s.width()) // 2, y, s.width(), s.height())
                if scrolled:
                    rect.translate(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())
                return rect
            y += s.height() + self.pageSpacing()
        return QRect()

    def _to_view(self, page: int, box: QRectF, *, scrolled: bool = True) -> QRectF:
        rect = self.page_rect(page, scrolled=scrolled)
        pt = self.document().pagePointSize(page)
        if rect.isNull() or pt.width() <= 0 or pt.height() <= 0:
            return QRectF()
        sx, sy = rect.width() / pt.width(), rect.height() / pt.height()
        return QRectF(rect.x() + box.x() * sx, rect.y() + box.y() * sy, box.width() * sx, box.height() * sy)

    def highlight_rects(self) -> list[QRectF]:
        """The highlight boxes in viewport pixels (what is painted; for tests too)."""
        return [self._to_view(self.highlight_page, b) for b in self.highlight_boxes]

    # --- showing a span ------------------------------------------------------------------
    def clear_highlight(self) -> None:
        self.highlight_page, self.highlight_boxes, self.highlight_text = -1, [], ""
        self.viewport().update()

    def show_span(self, page: int, text: str, start: int, end: int) -> bool:
        """Jump to ``page`` (0-based) and highlight ``text[start:end]`` on it (or on a
        neighbouring page, for spans in a block that runs on). False: page shown only."""
        self.clear_highlight()
        doc = self.document()
        if doc is None or doc.status() != QPdfDocument.Status.Ready or doc.pageCount() == 0:
            return False
        page = max(0, min(page, doc.pageCount() - 1))
        for p in (page, page + 1, page - 1):
            if 0 <= p < doc.pageCount() and self._highlight_on(p, text, start, end):
                self._scroll_to_highlight()
                return True
        self.pageNavigator().jump(page, QPointF(0, 0), self.zoomFactor())
        return False

    def show_boxes(self, page: int, boxes, text: str = "") -> bool:
        """Jump to ``page`` (0-based) and highlight ``boxes`` — (x0, y0, x1, y1) in PDF
        points, origin bottom-left, as the OCR gives its line boxes: a scanned page has no
        text layer to search, so a citation or finding there is shown by its lines' boxes."""
        self.clear_highlight()
        doc = self.document()
        if doc is None or doc.status() != QPdfDocument.Status.Ready or not (0 <= page < doc.pageCount()):
            return False
        height = doc.pagePointSize(page).height()
        rects = [QRectF(min(x0, x1), height - max(y0, y1), abs(x1 - x0), abs(y1 - y0))
                 for x0, y0, x1, y1 in boxes]
        rects = [r for r in rects if r.width() > 0 and r.height() > 0]
        if not rects:
            return False
        self.highlight_page, self.highlight_boxes, self.highlight_text = page, rects, text
        self._scroll_to_highlight()
        return True

    def _highlight_on(self, page: int, text: str, start: int, end: int) -> bool:
        doc = self.document()
        try:
            span = find_span(doc.getAllText(page).text(), text, start, end)
            if span is None:
                return False
            sel = doc.getSelectionAtIndex(page, span[0], span[1] - span[0])
            boxes = [poly.boundingRect() for poly in sel.bounds()] if sel.isValid() else []
            found = sel.text() if sel.isValid() else ""
        except Exception:  # noqa: BLE001 - a PDF quirk must never break clicking a finding
            return False
        boxes = [b for b in boxes if b.width() > 0 and b.height() > 0]
        if not boxes:
            return False
        self.highlight_page, self.highlight_boxes, self.highlight_text = page, boxes, found
        return True

    def _scroll_to_highlight(self) -> None:
        """Show the page, then put the box on the line QPdfView uses to pick the current
        page (40 % down the viewport), so page number and highlight agree."""
        page = self.highlight_page
        self.pageNavigator().jump(page, QPointF(0, 0), self.zoomFactor())
        top = min(self._to_view(page, b, scrolled=False).top() for b in self.highlight_boxes)
        bottom = max(self._to_view(page, b, scrolled=False).bottom() for b in self.highlight_boxes)
        centre = (top + min(bottom, top + self.viewport().height() * 0.3)) / 2
        bar = self.verticalScrollBar()
        bar.setValue(int(centre - self.viewport().height() * 0.4))
        self.viewport().update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self.highlight_page < 0 or not self.highlight_boxes:
            return
        painter = QPainter(self.viewport())
        painter.setPen(EDGE)
        painter.setBrush(QBrush(FILL))
        for r in self.highlight_rects():
            painter.drawRect(r)
        painter.end()
