"""要約 tab: summary style, streamed output, then points that link to their citations."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ...core.cancel import CancelToken
from ...core.document import Location
from ...core.events import Done
from ...core.i18n import get_language, tr
from ...tasks.export import export_summary
from ...tasks.model_passes import engine_for
from ...tasks.results import SummaryPoint, SummaryResult
from ...tasks.summarize import summarize
from ..qt import QComboBox, QFormLayout, QLabel, Qt, QTreeWidget, QTreeWidgetItem
from .base import TaskTab

STYLES = ("bullets", "three_lines", "report")
LENGTHS = ("short", "standard", "long")
_LOC = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class QuickSummary:
    """The extractive summary, computed in a second before the model is even loaded: the
    user reads it while the model pass runs (it may take many minutes on a slow PC)."""

    result: SummaryResult


class SummaryTab(TaskTab):
    task_name = "summary"

    def __init__(self, host, parent=None) -> None:
        super().__init__(host, parent)
        form = QFormLayout()
        self.style_box = QComboBox()
        self.style_box.setObjectName("summaryStyle")
        self.style_box.setAccessibleName(tr("ui.summary.style"))
        for s in STYLES:
            self.style_box.addItem(tr(f"ui.summary.style.{s}"), s)
        self.style_box.setCurrentIndex(STYLES.index(host.settings.summary_style))
        form.addRow(tr("ui.summary.style"), self.style_box)
        self.length_box = QComboBox()
        self.length_box.setObjectName("summaryLength")
        self.length_box.setAccessibleName(tr("ui.summary.length"))
        for n in LENGTHS:
            self.length_box.addItem(tr(f"summary.length.{n}"), n)
        self.length_box.setCurrentIndex(LENGTHS.index("standard"))
        form.addRow(tr("ui.summary.length"), self.length_box)
        self.options.addLayout(form)
        self.points = QTreeWidget()
        self.points.setObjectName("summaryPoints")
        self.points.setAccessibleName(tr("ui.a11y.points"))
        self.points.setHeaderLabels([tr("ui.summary.points")])
        self.points.setWordWrap(True)
        self.points.itemClicked.connect(self._on_item)
        self.points.setVisible(False)
        self.quick_label = QLabel(tr("ui.summary.quick"))
        self.quick_label.setObjectName("quickLabel")
        self.quick_label.setWordWrap(True)
        self.quick_label.setVisible(False)
        self.quick: SummaryResult | None = None
        self.body.addWidget(self.quick_label)
        self.body.addWidget(self.points, 2)

    @property
    def style(self) -> str:
        return self.style_box.currentData()

    @property
    def length(self) -> str:
        return self.length_box.currentData()

    def load_engine(self, provider):
        """Not even opened when the model's map phase cannot help (tasks.model_passes)."""
        return engine_for(provider.active_spec(), provider.get, self.host.settings.base_model_passes)

    def make_task(self, engine, cancel):
        doc, style, length = self.host.document, self.style, self.length
        return summarize(doc, engine, style=style, length=length, cancel=cancel,
                         base_model_passes=self.host.settings.base_model_passes)

    def make_lazy_task(self, get_engine: Callable[[], Any], cancel: CancelToken) -> Iterator[Any]:
        """The cheap result first: key sentences (no model) before the model loads."""
        doc, style = self.host.document, self.style
        try:
            for ev in summarize(doc, None, style=style, cancel=cancel):
                if isinstance(ev, Done):
                    yield QuickSummary(ev.result)
        except Exception:                # noqa: BLE001 — the model run reports real problems
            cancel.raise_if_cancelled()
        yield from super().make_lazy_task(get_engine, cancel)

    def run(self) -> bool:
        started = super().run()
        if started:
            self.quick = None
            self.quick_label.setVisible(False)
            self.points.clear()
            self.points.setVisible(False)
        return started

    def _on_event(self, ev: Any) -> None:
        if isinstance(ev, QuickSummary):
            self.quick = ev.result
            self.quick_label.setText(tr("ui.summary.quick"))
            self.quick_label.setVisible(True)
            self._fill_points([(p.text, list(p.citations), list(p.items)) for p in ev.result.points])
            return
        super()._on_event(ev)

    def _on_done(self, result: Any) -> None:
        self.quick_label.setVisible(False)
        super()._on_done(result)

    def _on_cancelled(self) -> None:
        super()._on_cancelled()
        if self.quick is not None and self.result is None:   # what was read stays, said to be key sentences
            self.quick_label.setText(tr("ui.summary.quick_kept"))

    def show_result(self, result: Any) -> None:
        self.stream.setPlainText(result.text)
        self._fill_points([(p.text, list(p.citations), list(p.items)) for p in result.points])

    def _fill_points(self, points: list[tuple[str, list[Location], list[str]]]) -> None:
        self.points.clear()
        lang = get_language()
        for text, cites, items in points:
            label = text + "".join("\n　・" + it for it in items)
            if cites:
                label += "  （" + "、".join(dict.fromkeys(c.label(lang).strip() for c in cites)) + "）"
            item = QTreeWidgetItem([label])
            item.setToolTip(0, label)
            if cites:
                item.setData(0, _LOC, cites[0])
            for c in cites:
                child = QTreeWidgetItem([tr("ui.summary.goto", where=c.label(lang))])
                child.setData(0, _LOC, c)
                item.addChild(child)
            self.points.addTopLevelItem(item)
        self.points.setVisible(bool(points))

    def _on_item(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        loc = item.data(0, _LOC)
        if isinstance(loc, Location) and self.host.document is not None:
            self.host.document_view.go_to(loc)

    def clear_result(self) -> None:
        self.quick = None
        self.quick_label.setVisible(False)
        self.points.clear()
        self.points.setVisible(False)
        super().clear_result()

    def export_result(self, target: str):
        return export_summary(self.result, target)

    def result_text(self) -> str:
        return self.result.text if self.result is not None else ""

    def state(self) -> dict:
        st = super().state()
        st["style"] = self.style
        st["length"] = self.length
        if self.result is not None:
            r = self.result
            st["result"] = {"text": r.text, "style": r.style, "method": r.method, "model_id": r.model_id,
                            "length": r.length,
                            "points": [{"text": p.text, "citations": [c.__dict__ for c in p.citations],
                                        "items": list(p.items), "part": p.part} for p in r.points],
                            "info": ({"text": r.info.text, "citations": [c.__dict__ for c in r.info.citations]}
                                     if r.info is not None else None)}
        return st

    def restore_state(self, state: dict) -> None:
        super().restore_state(state)
        if state.get("style") in STYLES:
            self.style_box.setCurrentIndex(STYLES.index(state["style"]))
        if state.get("length") in LENGTHS:
            self.length_box.setCurrentIndex(LENGTHS.index(state["length"]))
        r = state.get("result")
        if r and self.state_matches_document(state):
            points = [SummaryPoint(p["text"], tuple(Location(**c) for c in p["citations"]),
                                   items=tuple(p.get("items", ())), part=p.get("part", "")) for p in r["points"]]
            i = r.get("info")     # the 文書情報 line: kept so that an export after a restore still has it
            info = SummaryPoint(i["text"], tuple(Location(**c) for c in i["citations"])) if i else None
            self.result = SummaryResult(points=points, style=r["style"], method=r["method"], text=r["text"],
                                        model_id=r.get("model_id", ""), length=r.get("length", "standard"),
                                        info=info)
            self.show_result(self.result)
        self._update_buttons()
