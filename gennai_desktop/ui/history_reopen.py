"""Reopening a 履歴 entry with its document, or read-only when the document is gone.

Why: a result is about a document; shown without it (an empty tab, or offsets into no
text) it says nothing. ``find_source`` looks for the file the result was made from — the
path kept (encrypted) with the entry, then recent files of the same name — and accepts it
only with the same sha256, so findings' offsets and citations' block ids still hold. When
it is missing or changed, ``HistoryResultView`` shows the result read-only with its
citations (page / heading labels) and says why.
"""
from __future__ import annotations

import datetime as _dt
import html
from pathlib import Path
from typing import Any

from ..core.document import Location
from ..core.i18n import get_language, tr
from ..core.tasks import PROOFREAD, SUMMARIZE
from ..storage.audit import sha256_and_size
from ..storage.history import QA_TASKS, entry_preview, task_label
from .qt import QApplication, QDialog, QDialogButtonBox, QLabel, QPushButton, QTextBrowser, QVBoxLayout


def find_source(entry: Any, recent: list[str]) -> tuple[str | None, str]:
    """(path, "") of the entry's source with the same content, else (None, "missing" | "changed")."""
    candidates: list[str] = []
    kept = (getattr(entry, "payload", {}) or {}).get("source_path")
    if kept:
        candidates.append(kept)
    candidates += [p for p in recent if Path(p).name == entry.source_name and p not in candidates]
    changed = False
    for p in candidates:
        if not Path(p).is_file():
            continue
        if not entry.source_sha256:
            return p, ""
        try:
            sha, _size = sha256_and_size(p)
        except OSError:
            continue
        if sha == entry.source_sha256:
            return p, ""
        changed = True
    return None, "changed" if changed else "missing"


def state_from_payload(entry: Any) -> dict:
    """A tab state for entries the CLI made (no ``ui_state``): 校正 findings come back as a
    list to decide on; other tasks show their text."""
    payload = getattr(entry, "payload", {}) or {}
    if entry.task == PROOFREAD and isinstance(payload.get("findings"), list):
        keys = ("start", "end", "original", "suggestion", "rule", "message", "category", "source", "origin",
                "severity")
        findings = [{k: f[k] for k in keys if k in f} for f in payload["findings"] if isinstance(f, dict)]
        return {"stream": "", "findings": findings, "decisions": ["pending"] * len(findings)}
    return {"stream": entry.text}


def _when(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def result_html(entry: Any) -> str:
    """The entry as rich text: the result with its citations, in the UI language."""
    esc = html.escape
    lang = get_language()
    ui = (getattr(entry, "payload", {}) or {}).get("ui_state") or {}
    parts: list[str] = []
    r = ui.get("result") or {}
    if entry.task == SUMMARIZE and r.get("points"):
        items = []
        for p in r["points"]:
            labels = "、".join(dict.fromkeys(Location(**c).label(lang) for c in p.get("citations") or []))
            cite = f"<br><small>{esc(tr('ui.history.cited', where=labels))}</small>" if labels else ""
            items.append(f"<li>{esc(p.get('text', ''))}{cite}</li>")
        parts.append("<ul>" + "".join(items) + "</ul>")
    elif entry.task == PROOFREAD and (ui.get("findings") or (entry.payload or {}).get("findings")):
        findings = ui.get("findings") or entry.payload.get("findings") or []
        decisions = ui.get("decisions") or ["pending"] * len(findings)
        rows = [f"<tr><th>{esc(tr('ui.findings.col.original'))}</th><th>{esc(tr('ui.findings.col.suggestion'))}</th>"
                f"<th>{esc(tr('ui.findings.col.message'))}</th><th>{esc(tr('ui.findings.col.status'))}</th></tr>"]
        for f, d in zip(findings, decisions):
            sugg = f.get("suggestion", "") if f.get("suggestion", "") != f.get("original", "") else "—"
            rows.append(f"<tr><td>{esc(f.get('original', ''))}</td><td>{esc(sugg)}</td>"
                        f"<td>{esc(f.get('message', ''))}</td><td>{esc(tr('ui.findings.' + d))}</td></tr>")
        parts.append('<table border="1" cellpadding="3" cellspacing="0">' + "".join(rows) + "</table>")
    elif entry.task in QA_TASKS and r:
        if r.get("question"):
            parts.append(f"<p><b>{esc(tr('storage.preview.question', question=r['question']))}</b></p>")
        parts.append(f"<p>{esc(r.get('answer', '')).replace(chr(10), '<br>')}</p>")
        items = []
        for n, c in enumerate(r.get("citations") or [], 1):
            where = tr("storage.preview.page", page=c["page"]) if c.get("page") is not None \
                else tr("storage.preview.block", block=c.get("block", ""))
            items.append(f"<li><b>{n}. {esc(Path(c.get('file', '')).name)} {esc(where)}</b>"
                         f"<br>{esc(c.get('text', ''))}</li>")
        if items:
            parts.append(f"<p>{esc(tr('ui.qa.citations'))}</p><ol style='list-style:none'>" + "".join(items) + "</ol>")
    else:
        parts.append(f"<p>{esc(entry_preview(entry)).replace(chr(10), '<br>')}</p>")
    return "".join(parts)


class HistoryResultView(QDialog):
    """A history result whose document is gone or changed: read-only, citations as labels."""

    def __init__(self, entry: Any, why: str, parent=None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setObjectName("historyResultView")
        self.setWindowTitle(tr("ui.history.readonly_title", task=task_label(entry.task)))
        self.resize(760, 560)
        lay = QVBoxLayout(self)
        name = entry.source_name or entry.title or "—"
        self.header = QLabel(tr("ui.history.readonly_header", task=task_label(entry.task), name=name,
                                when=_when(entry.created)))
        self.header.setObjectName("historyResultHeader")
        self.header.setWordWrap(True)
        lay.addWidget(self.header)
        self.why = QLabel(tr(f"ui.history.readonly_why.{why}", name=name))
        self.why.setObjectName("historyResultWhy")
        self.why.setWordWrap(True)
        lay.addWidget(self.why)
        self.body = QTextBrowser()
        self.body.setObjectName("historyResultBody")
        self.body.setOpenExternalLinks(False)
        self.body.setHtml(result_html(entry))
        lay.addWidget(self.body, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("ui.close"))
        copy = QPushButton(tr("ui.copy"))
        copy.clicked.connect(lambda: QApplication.clipboard().setText(self.body.toPlainText()))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


def show_read_only(parent, entry: Any, why: str) -> HistoryResultView:
    view = HistoryResultView(entry, why, parent)
    view.open()
    return view
