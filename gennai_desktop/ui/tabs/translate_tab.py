"""翻訳 tab: direction, optional glossary file, streamed translation, save as .docx."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ...core.i18n import tr
from ...tasks.export import export_translation
from ...tasks.glossary import load_glossary
from ...tasks.mt_review import ReviewItem, review_items
from ...tasks.results import TranslationResult
from ...tasks.translate import translate
from ..blocks_io import block_from_dict, block_to_dict, blocks_text
from ..file_dialogs import ask_open
from ..ime import ImeLineEdit
from ..qt import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextCursor,
    QTextEdit,
)
from ..theme import review_mark_colours
from .base import TaskTab

DIRECTIONS = ("ja-en", "en-ja")


class TranslateTab(TaskTab):
    task_name = "translate"

    def __init__(self, host, parent=None) -> None:
        super().__init__(host, parent)
        form = QFormLayout()
        self.direction_box = QComboBox()
        self.direction_box.setObjectName("translateDirection")
        self.direction_box.setAccessibleName(tr("ui.translate.direction"))
        for d in DIRECTIONS:
            self.direction_box.addItem(tr(f"ui.translate.dir.{d}"), d)
        self.direction_box.setCurrentIndex(DIRECTIONS.index(host.settings.translate_direction))
        form.addRow(tr("ui.translate.direction"), self.direction_box)
        row = QHBoxLayout()
        self.glossary_edit = ImeLineEdit()
        self.glossary_edit.setObjectName("glossaryPath")
        self.glossary_edit.setAccessibleName(tr("ui.translate.glossary"))
        self.glossary_edit.setPlaceholderText(tr("ui.translate.glossary_none"))
        browse = QPushButton(tr("ui.browse"))
        browse.setAccessibleName(tr("ui.translate.glossary") + " " + tr("ui.browse"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.glossary_edit, 1)
        row.addWidget(browse)
        form.addRow(tr("ui.translate.glossary"), row)
        self.options.addLayout(form)
        # which sentences may have lost or gained a negation, not only how many: listed
        # under the translation and marked in it; a click selects the sentence
        self.review_label = QLabel()
        self.review_label.setObjectName("reviewLabel")
        self.review_list = QListWidget()
        self.review_list.setObjectName("reviewList")
        self.review_list.setAccessibleName(tr("ui3.translate.review_a11y"))
        self.review_list.setMaximumHeight(140)
        self.review_list.setWordWrap(True)
        self.review_list.currentRowChanged.connect(self._select_review)
        self.review: list[ReviewItem] = []
        self.body.addWidget(self.review_label)
        self.body.addWidget(self.review_list)
        self._show_review([])

    @property
    def direction(self) -> str:
        return self.direction_box.currentData()

    def _browse(self) -> None:
        path = ask_open(self, tr("ui.translate.glossary"), tr("ui.translate.glossary_filter"),
                        getattr(self.host, "folders", None))
        if path:
            self.glossary_edit.setText(path)

    def validate(self) -> str | None:
        g = self.glossary_edit.text().strip()
        if g and not Path(g).is_file():
            return "ui.error.glossary_missing"
        return super().validate()

    def make_task(self, engine, cancel):
        g = self.glossary_edit.text().strip()
        glossary = load_glossary(g) if g else None
        return translate(self.host.document, engine, direction=self.direction, glossary=glossary, cancel=cancel)

    def show_result(self, result: Any) -> None:
        self.stream.setPlainText(blocks_text(result.blocks))
        items = review_items(result.source.blocks, result.blocks, result.direction, result.review) \
            if result.review else []
        self._show_review(items)

    def clear_result(self) -> None:
        super().clear_result()
        self._show_review([])

    def run(self) -> bool:
        started = super().run()
        if started:
            self._show_review([])
        return started

    def _show_review(self, items: list[ReviewItem]) -> None:
        self.review = items
        self.review_list.clear()
        for item in items:
            row = QListWidgetItem(tr("ui3.translate.review_item", target=item.target, source=item.source))
            row.setToolTip(item.source)
            self.review_list.addItem(row)
        self.review_label.setText(tr("ui3.translate.review_title", count=len(items)))
        self.review_label.setVisible(bool(items))
        self.review_list.setVisible(bool(items))
        self._mark_review()

    def _find(self, text: str) -> QTextCursor | None:
        found = self.stream.document().find(text)
        return None if found.isNull() else found

    def _mark_review(self) -> None:
        """Highlight every sentence to check in the translation (extra selections)."""
        bg, fg = review_mark_colours()
        marks = []
        for item in self.review:
            cursor = self._find(item.target)
            if cursor is None:
                continue
            sel = QTextEdit.ExtraSelection()
            sel.cursor = cursor
            sel.format.setBackground(bg)
            sel.format.setForeground(fg)
            marks.append(sel)
        self.stream.setExtraSelections(marks)

    def _select_review(self, row: int) -> None:
        if 0 <= row < len(self.review):
            cursor = self._find(self.review[row].target)
            if cursor is not None:
                self.stream.setTextCursor(cursor)
                self.stream.centerCursor()

    def result_text(self) -> str:
        return blocks_text(self.result.blocks) if self.result is not None else ""

    def export_result(self, target: str):
        return export_translation(self.result, target)

    def state(self) -> dict:
        st = super().state()
        st.update(direction=self.direction, glossary=self.glossary_edit.text())
        if self.result is not None:
            st["result"] = {"blocks": [block_to_dict(b) for b in self.result.blocks],
                            "direction": self.result.direction, "method": self.result.method,
                            "review": list(self.result.review)}
        return st

    def restore_state(self, state: dict) -> None:
        super().restore_state(state)
        if state.get("direction") in DIRECTIONS:
            self.direction_box.setCurrentIndex(DIRECTIONS.index(state["direction"]))
        self.glossary_edit.setText(state.get("glossary", ""))
        r = state.get("result")
        if r and self.state_matches_document(state) and self.host.document is not None:
            source = self.host.document
            self.result = TranslationResult(source=source, blocks=[block_from_dict(b) for b in r["blocks"]],
                                            direction=r["direction"], method=r.get("method", "model"),
                                            review=list(r.get("review") or []))
            self.show_result(self.result)
        self._update_buttons()
