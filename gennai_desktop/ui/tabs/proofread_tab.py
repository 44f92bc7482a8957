"""校正 tab: findings in a table; click one to see it in the document; accept or reject
each; export accepted ones (tracked changes for .docx sources, corrected text otherwise)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ...core.events import FindingsAdded
from ...core.findings import Finding, validate
from ...core.i18n import tr
from ...tasks.export import export_proofread
from ...tasks.model_passes import engine_for
from ...tasks.proofread import apply_findings, proofread
from ...tasks.results import ProofreadResult
from ..engine_provider import EngineReady
from ..findings_model import FindingsModel
from ..qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QTableView,
    emit,
)
from .base import TaskTab

SEVERITY_FILTERS = ("all", "no_hints", "warning")   # all / hide 長文 hints / edits only
DEFAULT_SEVERITY = "no_hints"      # 長文 hints are readability guides: collapsed until asked for
PROFILES = ("auto", "koyobun", "horei")             # proofread.profile_choice; "auto" picks 法令 for laws


class ProofreadTab(TaskTab):
    task_name = "proofread"
    shows_stream = False               # the model pass streams JSON; the table is the output

    def __init__(self, host, parent=None) -> None:
        super().__init__(host, parent)
        opts = QHBoxLayout()
        self.use_rules = QCheckBox(tr("ui.proofread.use_rules"))
        self.use_rules.setChecked(True)
        self.use_model = QCheckBox(tr("ui.proofread.use_model"))
        self.use_model.setChecked(host.settings.proofread_use_model)
        self.profile_box = QComboBox()
        self.profile_box.setObjectName("profileBox")
        self.profile_box.setAccessibleName(tr("ui.proofread.profile"))
        for key in PROFILES:
            self.profile_box.addItem(tr(f"proofread.profile.{key}"), key)
        opts.addWidget(self.use_rules)
        opts.addWidget(self.use_model)
        opts.addWidget(QLabel(tr("ui.proofread.profile")))
        opts.addWidget(self.profile_box)
        opts.addStretch(1)
        self.options.addLayout(opts)
        filt = QHBoxLayout()
        self.severity_filter = QComboBox()
        self.severity_filter.setObjectName("severityFilter")
        self.severity_filter.setAccessibleName(tr("ui.findings.filter.severity"))
        for key in SEVERITY_FILTERS:
            self.severity_filter.addItem(tr(f"ui.findings.filter.sev.{key}"), key)
        self.severity_filter.setCurrentIndex(SEVERITY_FILTERS.index(DEFAULT_SEVERITY))
        self.category_filter = QComboBox()
        self.category_filter.setObjectName("categoryFilter")
        self.category_filter.setAccessibleName(tr("ui.findings.filter.category"))
        self.category_filter.addItem(tr("ui.findings.filter.cat.all"), "")
        self.severity_filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.category_filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        filt.addWidget(QLabel(tr("ui.findings.filter.severity")))
        filt.addWidget(self.severity_filter)
        filt.addWidget(QLabel(tr("ui.findings.filter.category")))
        filt.addWidget(self.category_filter, 1)
        self.options.addLayout(filt)
        self.model = FindingsModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("findingsTable")
        self.table.setAccessibleName(tr("ui.a11y.findings"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(True)
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hdr.setStretchLastSection(False)
        hdr.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.model.modelReset.connect(self._after_reset)
        self.table.clicked.connect(lambda idx: self.show_finding(idx.row()))
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.show_finding(cur.row()))
        self.body.insertWidget(0, self.table, 3)
        self.detail_label = QLabel()                 # 理由 of the current finding, in full
        self.detail_label.setObjectName("findingDetail")
        self.detail_label.setAccessibleName(tr("ui.a11y.detail"))
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(self.detail_label.textInteractionFlags()
                                                  | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.insertWidget(1, self.detail_label)
        self.stream.setVisible(False)   # the model pass streams JSON: progress bar says enough
        decide = QHBoxLayout()
        self.summary_label = QLabel()
        self.summary_label.setObjectName("findingsSummary")
        # counts + collapsed hints: long; unwrapped it widened the window past 1024 px
        self.summary_label.setWordWrap(True)
        self.accept_button = QPushButton(tr("ui.proofread.accept"))
        self.accept_button.setObjectName("acceptButton")
        self.reject_button = QPushButton(tr("ui.proofread.reject"))
        self.reject_button.setObjectName("rejectButton")
        self.accept_all_button = QPushButton(tr("ui.proofread.accept_all"))
        self.accept_button.clicked.connect(lambda: self.decide_selected("accepted"))
        self.reject_button.clicked.connect(lambda: self.decide_selected("rejected"))
        self.accept_all_button.clicked.connect(self.accept_all)
        decide.addWidget(self.summary_label, 1)
        decide.addWidget(self.accept_button)
        decide.addWidget(self.reject_button)
        decide.addWidget(self.accept_all_button)
        self.body.insertLayout(2, decide)
        self.save_button.setText(tr("ui.proofread.export"))
        self.save_button.setAccessibleName(tr("ui.proofread.export"))
        for b in (self.accept_button, self.reject_button, self.accept_all_button):
            b.setAccessibleName(b.text())
        self.use_rules.setAccessibleName(self.use_rules.text())
        self.use_model.setAccessibleName(self.use_model.text())
        self._refresh_summary()

    def load_engine(self, provider):
        """Not even opened when the model pass cannot help (tasks.model_passes)."""
        return engine_for(provider.active_spec(), provider.get, self.host.settings.base_model_passes)

    def make_task(self, engine, cancel):
        return proofread(self.host.document, engine, use_rules=self.use_rules.isChecked(),
                         use_model=self.use_model.isChecked(),
                         base_model_passes=self.host.settings.base_model_passes, cancel=cancel,
                         profile=self.profile_box.currentData())

    def make_lazy_task(self, get_engine, cancel):
        """Rules first (no model needed), the model loads only when its pass starts."""
        loaded: list = []

        def load():
            loaded.append(get_engine())
            return loaded[0]

        announced = False
        for ev in proofread(self.host.document, load, use_rules=self.use_rules.isChecked(),
                            use_model=self.use_model.isChecked(),
                            base_model_passes=self.host.settings.base_model_passes, cancel=cancel,
                            profile=self.profile_box.currentData()):
            if loaded and not announced and hasattr(loaded[0], "backend_info"):
                announced = True
                yield EngineReady(loaded[0].spec, loaded[0].backend_info())
            yield ev

    def _on_event(self, ev) -> None:
        if isinstance(ev, FindingsAdded):
            self.model.add_findings(list(ev.findings))
            if self.model.rowCount() and not self.table.currentIndex().isValid():
                self.fit_columns()
            self._refresh_summary()
            return
        super()._on_event(ev)

    def _keep_partial(self, notice_key: str) -> None:
        """Cancelled or failed mid-way: what was found so far stays, and can be exported."""
        doc = self.host.document
        if not self.model.findings or doc is None or not (
                self._run_doc is not None and self._run_doc.same_document(self.host.document_key)):
            return
        self.result = ProofreadResult(doc, list(self.model.findings), self.use_rules.isChecked(),
                                      any(f.origin == "model" for f in self.model.findings), [notice_key])
        self.result_doc = self._run_doc
        self.add_notice(tr(notice_key, count=len(self.model.findings)))
        emit(self.changed)

    def _on_cancelled(self) -> None:
        super()._on_cancelled()
        self._keep_partial("ui.proofread.partial_kept")

    def _on_failed(self, exc, tb) -> None:
        self._keep_partial("ui.proofread.partial_kept")
        super()._on_failed(exc, tb)

    def _on_finished(self) -> None:
        super()._on_finished()
        self._refresh_summary()

    def run(self) -> bool:
        if not self.use_model.isChecked() and not self.use_rules.isChecked():
            self.host.show_message(tr("ui.proofread.nothing"))
            return False
        started = super().run()
        if started:
            self.model.set_findings([])
            self._refresh_summary()
        return started

    def show_result(self, result: Any) -> None:
        self.model.set_findings(result.findings, text=self.host.document.text if self.host.document else "")
        self.fit_columns()
        self._refresh_summary()

    def fit_columns(self) -> None:
        """Fit to contents, but no text column wider than a third of the table: a 長文 hint's
        context would otherwise push 理由 and the other columns out of sight."""
        self.table.resizeColumnsToContents()
        cap = max(120, self.table.viewport().width() // 3)
        for col in (1, 2, 3):
            if self.table.columnWidth(col) > cap:
                self.table.setColumnWidth(col, cap)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def show_finding(self, row: int) -> str:
        """Select the finding's span in the document view; returns the selected text."""
        if not (0 <= row < len(self.model.findings)) or self.host.document is None:
            return ""
        if not self.result_is_current():    # offsets of another text: never select them here
            return ""
        f = self.model.findings[row]
        self.detail_label.setText(self.model.detail(f))
        return self.host.document_view.select_range(f.start, f.end)

    # --- filters ------------------------------------------------------------------------
    def row_passes(self, row: int) -> bool:
        f = self.model.findings[row]
        sev = self.severity_filter.currentData()
        if sev == "no_hints" and f.severity == "hint":
            return False
        if sev == "warning" and f.severity not in ("error", "warning"):
            return False
        cat = self.category_filter.currentData()
        return not cat or f.category == cat

    def visible_rows(self) -> list[int]:
        return [r for r in range(self.model.rowCount()) if not self.table.isRowHidden(r)]

    def _after_reset(self) -> None:
        if hasattr(self, "category_filter"):
            self._refresh_categories()
            self.apply_filter()
        if hasattr(self, "detail_label"):
            self.detail_label.clear()

    def apply_filter(self) -> None:
        for r in range(self.model.rowCount()):
            self.table.setRowHidden(r, not self.row_passes(r))
        self._refresh_summary()

    def _refresh_categories(self) -> None:
        current = self.category_filter.currentData()
        cats = sorted({f.category for f in self.model.findings if f.category})
        have = [self.category_filter.itemData(i) for i in range(1, self.category_filter.count())]
        if cats == have:
            return
        self.category_filter.blockSignals(True)
        while self.category_filter.count() > 1:
            self.category_filter.removeItem(1)
        for c in cats:
            n = sum(f.category == c for f in self.model.findings)
            self.category_filter.addItem(f"{c}（{n}）", c)
        i = self.category_filter.findData(current)
        self.category_filter.setCurrentIndex(max(0, i))
        self.category_filter.blockSignals(False)

    def selected_rows(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()
                       if not self.table.isRowHidden(i.row())})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        return rows

    def decide_selected(self, decision: str) -> None:
        for row in self.selected_rows():
            self.model.set_decision(row, decision)  # type: ignore[arg-type]  # the buttons pass only the Literal's values
        self._refresh_summary()
        emit(self.changed)

    def accept_all(self) -> None:
        """Accept every pending finding the filter shows (hidden ones stay undecided)."""
        for row in self.visible_rows():
            if self.model.decisions[row] == "pending":
                self.model.set_decision(row, "accepted")
        self._refresh_summary()
        emit(self.changed)

    def _refresh_summary(self) -> None:
        c = self.model.counts()
        text = tr("ui.proofread.counts", total=len(self.model.findings), **c)
        if hasattr(self, "severity_filter"):
            shown = sum(1 for r in range(self.model.rowCount()) if self.row_passes(r))
            if shown != len(self.model.findings):
                text += tr("ui.findings.filter.shown", shown=shown)
            hidden_hints = sum(1 for f in self.model.findings if f.severity == "hint")
            if hidden_hints and self.severity_filter.currentData() != "all":
                text += tr("ui.findings.hints_hidden", count=hidden_hints)
        self.summary_label.setText(text)
        self._update_buttons()

    def clear_result(self) -> None:
        self.model.set_findings([])
        super().clear_result()
        self._refresh_summary()

    def corrected_text(self) -> str:
        return apply_findings(self.result.document.text, self.model.accepted())

    def result_text(self) -> str:
        if self.result is None or not self.result_is_current():
            return ""
        return self.corrected_text()

    def export_findings(self) -> list[Finding]:
        """What an export writes: accepted replacements (as tracked changes) and advice —
        文体, 二重否定, 長文 hints … — that is not rejected and passes the filter (as comments)."""
        advice = [f for r, (f, d) in enumerate(zip(self.model.findings, self.model.decisions))
                  if not f.is_replacement and d != "rejected" and self.row_passes(r)]
        return sorted(self.model.accepted() + advice, key=lambda f: (f.start, f.end))

    def export_result(self, target: str):
        return self.export_job(target)()

    def export_job(self, target: str):
        """The findings to export are read here (UI thread); the job only writes."""
        doc = self.result.document          # the text the findings' offsets point into
        items = self.export_findings()
        self.last_export = None
        # advice the screen filter hides is not written: said in the saved message, not silent
        self.last_hidden = sum(1 for r, (f, d) in enumerate(zip(self.model.findings, self.model.decisions))
                               if not f.is_replacement and d != "rejected" and not self.row_passes(r))

        def job():
            report = export_proofread(doc, items, target, plain_source="tracked")
            self.last_export = report.stats     # TrackStats, or None when the corrected text was written
            return report
        return job

    def saved_message(self, path: str) -> str:
        report = self.last_report
        st = getattr(self, "last_export", None)
        if st is None:
            advice = report.not_written.get("advice", 0) if report is not None else 0
            return tr("ui.proofread.exported_plain", path=path, revisions=len(self.model.accepted()), advice=advice)
        message = tr("ui.proofread.exported", path=path, revisions=st.revisions, comments=st.comments,
                     skipped=len(st.skipped))
        hidden = getattr(self, "last_hidden", 0)
        return message + ("\n" + tr("ui.proofread.export_hidden", n=hidden) if hidden else "")

    def state(self) -> dict:
        st = super().state()
        st.update(use_rules=self.use_rules.isChecked(), use_model=self.use_model.isChecked(),
                  profile=self.profile_box.currentData())
        if self.result is not None:
            st["findings"] = [asdict(f) for f in self.model.findings]
            st["decisions"] = list(self.model.decisions)
        return st

    def restore_state(self, state: dict) -> None:
        super().restore_state(state)
        self.use_rules.setChecked(state.get("use_rules", True))
        self.use_model.setChecked(state.get("use_model", True))
        i = self.profile_box.findData(state.get("profile", "auto"))
        self.profile_box.setCurrentIndex(max(0, i))
        if "findings" in state and self.host.document is not None and self.state_matches_document(state):
            findings = validate([Finding(**f) for f in state["findings"]], self.host.document.text)
            self.result = ProofreadResult(document=self.host.document, findings=findings,
                                          used_rules=self.use_rules.isChecked(), used_model=self.use_model.isChecked())
            decisions = state.get("decisions") if len(findings) == len(state["findings"]) else None
            self.model.set_findings(findings, decisions, text=self.host.document.text)
        else:
            self.result = None
            self.result_doc = None
            self.model.set_findings([])
        self._refresh_summary()

    def _update_buttons(self) -> None:
        super()._update_buttons()
        if hasattr(self, "accept_button"):
            has = bool(self.model.findings) and not self.busy
            for b in (self.accept_button, self.reject_button, self.accept_all_button):
                b.setEnabled(has)

