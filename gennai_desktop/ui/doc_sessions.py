"""Open documents and the results that belong to each (no Qt here).

Why: the task tabs are one set of widgets, but a 校正 list with the user's 採用/不採用
decisions, a summary or a translation belongs to the document it was made from. When the
user switches to (or opens) another document, the tabs' states for the current one are put
away in its ``DocSession`` and the other document's states are put back; nothing is
discarded until the user closes a document (and is asked, when something is unsaved).

A tab state is the tab's own ``state()`` dict (the autosave format) plus two flags the
window adds: ``_has_result`` and ``_saved``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.document import Document, DocumentKey


@dataclass
class DocSession:
    document: Document
    key: DocumentKey
    tabs: dict[str, dict] = field(default_factory=dict)     # task name → stashed tab state

    @property
    def name(self) -> str:
        doc = self.document
        return doc.path.name if doc.path is not None else (doc.title or self.key.name or "—")

    @property
    def path(self) -> str | None:
        return str(Path(self.document.path).resolve()) if self.document.path is not None else None

    def unsaved_tabs(self) -> list[str]:
        """Task names whose result (or decisions) were not saved or exported since they changed."""
        return [name for name, st in self.tabs.items() if st.get("_has_result") and not st.get("_saved")]

    def has_results(self) -> bool:
        return any(st.get("_has_result") for st in self.tabs.values())


def find_session(sessions: list[DocSession], path: str | Path | None, key: DocumentKey | None = None) -> int:
    """Index of the session for ``path`` (and, when given, exactly that text), or -1."""
    if path is None:
        return -1
    want = str(Path(path).resolve())
    for i, s in enumerate(sessions):
        if s.path == want and (key is None or s.key.same_document(key)):
            return i
    return -1
