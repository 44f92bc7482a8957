"""A thin QAbstractTableModel over the core's list of proofreading findings.

The list and the decisions (accept / reject / undecided) stay plain Python so the
export and autosave code need no Qt; the model only presents them.
"""
from __future__ import annotations

from typing import Any, Literal

from ..core.findings import Finding
from ..core.i18n import tr
from .qt import QAbstractTableModel, QBrush, QModelIndex, Qt, emit
from .theme import decision_colours, hint_text_colour

Decision = Literal["pending", "accepted", "rejected"]
COLUMNS = ("ui.findings.col.status", "ui.findings.col.original", "ui.findings.col.suggestion",
           "ui.findings.col.message", "ui.findings.col.origin", "ui.findings.col.category",
           "ui.findings.col.severity")
CONTEXT_MAX = 24          # a 長文 hint spans a whole sentence: show its ends, not 200 characters


class FindingsModel(QAbstractTableModel):
    def __init__(self, findings: list[Finding] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.findings: list[Finding] = []
        self.decisions: list[Decision] = []
        self.text = ""
        self.set_findings(findings or [])

    def set_findings(self, findings: list[Finding], decisions: list[Decision] | None = None,
                     text: str = "") -> None:
        self.beginResetModel()
        self.text = text
        self.findings = list(findings)
        self.decisions = list(decisions) if decisions and len(decisions) == len(findings) \
            else ["pending"] * len(self.findings)
        self.endResetModel()

    def add_findings(self, new: list[Finding]) -> None:
        """Findings arriving while a run goes on (rules first, then each model chunk):
        kept in document order, decisions already made stay with their finding."""
        if not new:
            return
        known = dict(zip(self.findings, self.decisions))
        merged = sorted(set(self.findings) | set(new), key=lambda f: (f.start, f.end, f.origin))
        self.beginResetModel()
        self.findings = merged
        self.decisions = [known.get(f, "pending") for f in merged]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature; the index is never mutated
        return 0 if parent.isValid() else len(self.findings)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature; the index is never mutated
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(COLUMNS[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f, d = self.findings[index.row()], self.decisions[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (tr(f"ui.findings.{d}"), self.context(f), f.suggestion if f.is_replacement else "—",
                    f.message, tr(f"ui.findings.origin.{f.origin}"), f.category or "—",
                    tr(f"ui.findings.severity.{f.severity}"))[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.detail(f)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            # a decided row sets both colours (light or dark theme, ≥ 4.5:1), never only one
            colours = decision_colours(d)
            if colours is not None:
                return QBrush(colours[0] if role == Qt.ItemDataRole.BackgroundRole else colours[1])
            if role == Qt.ItemDataRole.ForegroundRole and f.severity == "hint":
                return QBrush(hint_text_colour())
        return None

    def context(self, f: Finding, width: int = 8) -> str:
        """The finding in its surroundings: 「…前後【原文】前後…」 (a lone "。" says nothing)."""
        if not self.text:
            return f.original
        before = self.text[max(0, f.start - width):f.start].split("\n")[-1]
        after = self.text[f.end:f.end + width].split("\n")[0]
        shown = f.original if len(f.original) <= CONTEXT_MAX else \
            f"{f.original[:CONTEXT_MAX // 2]}…{f.original[-(CONTEXT_MAX // 4):]}"
        return f"…{before}【{shown}】{after}…"

    @staticmethod
    def detail(f: Finding) -> str:
        """理由 in full: message, category, severity, where the rule comes from."""
        lines = [f.message,
                 tr("ui.findings.detail.meta", category=f.category or "—",
                    severity=tr(f"ui.findings.severity.{f.severity}"), origin=tr(f"ui.findings.origin.{f.origin}"))]
        if f.source:
            lines.append(tr("ui.findings.detail.source", source=f.source))
        return "\n".join(lines)

    def set_decision(self, row: int, decision: Decision) -> None:
        if 0 <= row < len(self.findings):
            self.decisions[row] = decision
            emit(self.dataChanged, self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def accepted(self) -> list[Finding]:
        """Findings to apply: accepted replacements only (advice-only ones change nothing)."""
        return [f for f, d in zip(self.findings, self.decisions) if d == "accepted" and f.is_replacement]

    def counts(self) -> dict[str, int]:
        return {k: self.decisions.count(k) for k in ("pending", "accepted", "rejected")}
