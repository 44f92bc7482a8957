"""A findings report as a .docx table, for inputs that cannot carry tracked changes (PDF).

Why a separate report: a PDF cannot be edited in place, so reviewers get a list they can
work through beside the PDF, each row with the page (or heading) where the text is, the
original in its context, the suggestion, the reason and the source of the rule.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..core.atomicio import atomic_path
from ..core.document import Document
from ..core.findings import Finding
from ..core.i18n import get_language, tr
from .kana import shown

_CONTEXT = 12


def _context(text: str, f: Finding) -> str:
    before = text[max(0, f.start - _CONTEXT): f.start].replace("\n", " ")
    after = text[f.end: f.end + _CONTEXT].replace("\n", " ")
    return f"…{before}【{_visible(f.original)}】{after}…"


def _visible(s: str) -> str:
    return shown(s)


def write_findings_report(doc: Document, findings: Sequence[Finding], target: Path) -> None:
    """Write ``findings`` (offsets into ``doc.text``) as a table in a new .docx at ``target``."""
    import docx
    from docx.shared import Pt

    lang = get_language()
    out = docx.Document()
    out.add_heading(tr("proofread.report.title"), level=1)
    name = doc.path.name if doc.path else (doc.title or "")
    ordered = sorted(findings, key=lambda f: (f.start, f.end))
    out.add_paragraph(tr("proofread.report.summary", name=name, count=len(ordered)))
    if not ordered:
        out.add_paragraph(tr("proofread.report.none"))
    else:
        cols = ["location", "original", "suggestion", "message", "source"]
        table = out.add_table(rows=1, cols=len(cols))
        table.style = "Table Grid"
        for cell, key in zip(table.rows[0].cells, cols):
            cell.text = tr(f"proofread.report.col.{key}")
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for f in ordered:
            loc = doc.locate(f.start).label(lang) if doc.blocks else ""
            if f.is_replacement:
                sugg = _visible(f.suggestion) if f.suggestion else tr("proofread.report.delete")
            else:
                sugg = tr("proofread.report.advice")
            row = table.add_row().cells
            values = [loc, _context(doc.text, f) if doc.text[f.start:f.end] == f.original else _visible(f.original),
                      sugg, f.message, f.source]
            for cell, value in zip(row, values):
                cell.text = _xml_safe(value)
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(9)
    with atomic_path(target) as tmp:
        out.save(str(tmp))


def _xml_safe(s: str) -> str:
    """Control characters cannot be stored in XML: show them as U+XXXX."""
    return "".join(c if (c in "\t\n" or ord(c) >= 0x20) and c not in "\ufffe\uffff"
                   and not (0x7F <= ord(c) <= 0x9F) and not (0xD800 <= ord(c) <= 0xDFFF)
                   else f"U+{ord(c):04X}" for c in s)
