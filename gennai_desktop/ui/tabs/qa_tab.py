"""質問 tab: ask the open document, or a chosen folder, a question; answer with clickable sources.

The question box is an ImeLineEdit (Enter during 変換 confirms the conversion; Enter after
it asks). The work runs through the shared ``qa.answer.ask`` generator in the task worker;
a base model (not instruction-tuned) is not loaded for it, since the answer would be
extractive anyway. Clicking a source opens that file if it is not the open document and
shows the cited page (PDF) or paragraph.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ...core.document import Block, Location
from ...core.errors import GennaiError
from ...core.i18n import tr
from ...documents import write_docx
from ...qa.answer import AnswerResult, Citation, ask, engine_for_ask
from ...qa.store import EncryptedStore
from ...qa.transcripts import SOURCE as TRANSCRIPTS
from ...qa.transcripts import ask_transcripts
from ...tasks.export import ExportReport
from ..file_dialogs import ask_folder
from ..ime import ImeLineEdit
from ..qt import QFormLayout, QHBoxLayout, QLabel, QPushButton, QSize, Qt, QTreeWidget, QTreeWidgetItem
from .base import TaskTab

_CITE = Qt.ItemDataRole.UserRole


def citation_title(n: int, c: Citation) -> str:
    """「1. file 3ページ［回答箇所］（heading ＞ path）」"""
    mark = f"［{tr('qa.label.holds_answer')}］" if c.holds_answer else ""
    head = f"（{' ＞ '.join(c.path)}）" if c.path else ""
    return f"{n}. {c.label()}{mark}{head}"


def citation_html(n: int, c: Citation) -> str:
    """The citation as rich text: question terms bold, the answer span underlined and shaded."""
    marks: dict[int, list[str]] = {}
    spans = [(s, e, "<b>", "</b>") for s, e in c.highlights]
    if c.answer_span is not None:
        spans.append((c.answer_span[0], c.answer_span[1], '<span style="background:#ffe08a"><u>', "</u></span>"))
    for s, e, open_, close in spans:
        marks.setdefault(s, []).append(open_)
        marks.setdefault(e, []).insert(0, close)
    out = []
    for i, ch in enumerate(c.text):
        out.extend(marks.get(i, ()))
        out.append(html.escape(ch))
    out.extend(marks.get(len(c.text), ()))
    return f"<b>{html.escape(citation_title(n, c))}</b><br>{''.join(out)}"


def _citation(d: dict) -> Citation:
    """A Citation back from the autosave file (JSON turned its tuples into lists)."""
    d = dict(d)
    d["path"] = tuple(d.get("path", ()))
    d["highlights"] = tuple(tuple(h) for h in d.get("highlights", ()))
    if d.get("answer_span") is not None:
        d["answer_span"] = tuple(d["answer_span"])
    return Citation(**d)


class QaTab(TaskTab):
    task_name = "qa"

    def __init__(self, host, parent=None) -> None:
        super().__init__(host, parent)
        self.folder: str | None = None
        form = QFormLayout()
        row = QHBoxLayout()
        self.source_label = QLabel()
        self.source_label.setObjectName("qaSource")
        self.source_label.setWordWrap(True)
        self.folder_button = QPushButton(tr("ui.qa.source_folder"))
        self.folder_button.setObjectName("qaFolderButton")
        self.folder_button.setAccessibleName(tr("ui.qa.source_folder"))
        self.folder_button.clicked.connect(self._choose_folder)
        self.document_button = QPushButton(tr("ui.qa.source_file"))
        self.document_button.setObjectName("qaDocumentButton")
        self.document_button.setAccessibleName(tr("ui.qa.source_file"))
        self.document_button.clicked.connect(self._use_document)
        self.transcripts_button = QPushButton(tr("ui.qa.source_transcripts"))
        self.transcripts_button.setObjectName("qaTranscriptsButton")
        self.transcripts_button.setAccessibleName(tr("ui.qa.source_transcripts"))
        self.transcripts_button.clicked.connect(lambda: self.set_folder(TRANSCRIPTS))
        row.addWidget(self.source_label, 1)
        row.addWidget(self.document_button)
        row.addWidget(self.folder_button)
        row.addWidget(self.transcripts_button)
        form.addRow(row)
        self.question_edit = ImeLineEdit()
        self.question_edit.setObjectName("qaQuestion")
        self.question_edit.setPlaceholderText(tr("ui.qa.question_placeholder"))
        self.question_edit.submitted.connect(self.run)
        form.addRow(self.question_edit)
        self.options.addLayout(form)
        self.run_button.setText(tr("ui.qa.ask"))
        self.citations = QTreeWidget()
        self.citations.setObjectName("qaCitations")
        self.citations.setHeaderLabels([tr("ui.qa.citations")])
        self.citations.setWordWrap(True)
        self.citations.itemClicked.connect(self._on_item)
        self.citations.setVisible(False)
        self.body.addWidget(self.citations, 2)
        self._show_source()

    # --- source -----------------------------------------------------------------------
    @property
    def bound_to_document(self) -> bool:  # type: ignore[override]  # a property over the base's class attribute
        """An answer about a folder is not about the open document (opening a cited file
        keeps it); an answer about the open document is bound to it like other results."""
        return not self.folder

    def source(self) -> str | None:
        if self.folder:
            return self.folder
        doc = self.host.document
        return str(doc.path) if doc is not None and doc.path is not None else None

    def _show_source(self) -> None:
        src = self.source()
        if src == TRANSCRIPTS:       # the 議事録 transcripts in the encrypted history
            self.source_label.setText(tr("ui.qa.source_transcripts_label"))
            return
        self.source_label.setText(src if src else tr("ui.qa.source_none"))

    def set_folder(self, folder: str | None) -> None:
        self.folder = folder
        self._show_source()

    def _choose_folder(self) -> None:
        path = ask_folder(self, tr("ui.qa.source_folder"), memory=getattr(self.host, "folders", None))
        if path:
            self.set_folder(path)

    def _use_document(self) -> None:
        """Back to the open document (or pick one to open)."""
        if self.host.document is None:
            self.host.open_dialog()
        self.set_folder(None)

    # --- task -----------------------------------------------------------------------
    def needs_document(self) -> bool:
        return False

    def validate(self) -> str | None:
        self._show_source()
        if not self.source():
            return "ui.qa.source_none"
        if not self.question_edit.text().strip():
            return "qa.error.empty_question"
        return None

    def load_engine(self, provider):
        return engine_for_ask(provider.active_spec(), provider.get)

    def make_task(self, engine, cancel):
        protected = getattr(self.host, "store", None)     # the window's encrypted store, if any
        if self.folder == TRANSCRIPTS:
            if protected is None:
                raise GennaiError("ui.qa.transcripts_need_store")
            return ask_transcripts(self.question_edit.text(), engine, store=protected, cancel=cancel)
        store = EncryptedStore(protected) if protected is not None else None
        return ask(self.source(), self.question_edit.text(), engine, store=store, cancel=cancel)

    def run(self) -> bool:
        started = super().run()
        if started:
            self.citations.clear()
            self.citations.setVisible(False)
        return started

    def show_result(self, result: Any) -> None:
        """The answer, then the top three sources best first: page, heading path, the question's
        terms in bold and the asked-for date/number/name marked in the one that holds it."""
        self.stream.setPlainText(result.answer)
        self.citations.clear()
        for n, c in enumerate(result.citations, 1):
            item = QTreeWidgetItem([citation_title(n, c) + "：" + c.text])
            item.setToolTip(0, c.passage_text or c.text)
            item.setData(0, _CITE, c)
            self.citations.addTopLevelItem(item)
            label = QLabel(citation_html(n, c))
            label.setObjectName("qaCitationText")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)   # clicks reach the item
            item.setText(0, "")
            item.setData(0, Qt.ItemDataRole.AccessibleTextRole, citation_title(n, c) + "：" + c.text)
            width = max(320, self.width() - 48)      # the list may still be hidden: the tab's width
            height = label.heightForWidth(width) + 6
            label.setFixedHeight(height)             # a word-wrapped label's own size hint is far too tall
            item.setSizeHint(0, QSize(width, height))
            self.citations.setItemWidget(item, 0, label)
        self.citations.setVisible(bool(result.citations))

    def showEvent(self, event) -> None:  # noqa: N802 - the open document may have changed
        self._show_source()
        super().showEvent(event)

    def _on_item(self, item: QTreeWidgetItem, _col: int = 0) -> bool:
        c = item.data(0, _CITE)
        if c is None or self.folder == TRANSCRIPTS:    # a transcript line: no file to open
            return False
        doc = self.host.document
        if doc is None or doc.path is None or Path(doc.path).resolve() != Path(c.file).resolve():
            if not self.host.open_path(c.file):
                return False
            doc = self.host.document
        if not doc.has_block(c.block):
            return False
        self.host.document_view.go_to(Location(c.block, c.page, None))
        return True

    def result_text(self) -> str:
        if self.result is None:
            return self.stream.toPlainText()
        lines = [self.result.answer]
        if self.result.citations:
            lines += ["", tr("cli.ask.citations")] + [f"・{citation_title(n, c)}：{c.text}"
                                                      for n, c in enumerate(self.result.citations, 1)]
        return "\n".join(lines)

    def export_result(self, target: str):
        r = self.result
        blocks = [Block(id="b0000", kind="heading", text=r.question, level=1)]
        for line in r.answer.splitlines():
            blocks.append(Block(id=f"b{len(blocks):04d}", kind="paragraph", text=line))
        if r.citations:
            blocks.append(Block(id=f"b{len(blocks):04d}", kind="paragraph", text=tr("cli.ask.citations")))
            for n, c in enumerate(r.citations, 1):
                blocks.append(Block(id=f"b{len(blocks):04d}", kind="list_item",
                                    text=f"{citation_title(n, c)}：{c.text}"))
        for text in r.notice_texts():
            blocks.append(Block(id=f"b{len(blocks):04d}", kind="paragraph", text=text))
        write_docx(blocks, target, title=tr("ui.tab.qa"))
        return ExportReport(str(target), "docx", {"citations": len(r.citations)})

    def default_filename(self) -> str:
        return f"{tr('ui.tab.qa')}.docx"

    # --- autosave -----------------------------------------------------------------------
    def state(self) -> dict:
        st = super().state()
        st["question"] = self.question_edit.text()
        st["folder"] = self.folder
        if self.result is not None:
            r = self.result
            st["result"] = {"question": r.question, "answer": r.answer, "abstained": r.abstained, "status": r.status,
                            "method": r.method, "model_id": r.model_id, "notices": r.notices,
                            # the cited sentences only: whole passages stay out of the autosave file
                            "citations": [{**c.__dict__, "passage_text": ""} for c in r.citations]}
        return st

    def restore_state(self, state: dict) -> None:
        super().restore_state(state)
        self.question_edit.setText(state.get("question", ""))
        self.set_folder(state.get("folder"))
        r = state.get("result")
        if r:
            self.result = AnswerResult(r["question"], r["answer"], r["abstained"], r["method"],
                                       [_citation(c) for c in r["citations"]], model_id=r.get("model_id", ""),
                                       notices=list(r.get("notices", [])), status=r.get("status", "answered"))
            self.show_result(self.result)
        self._update_buttons()
