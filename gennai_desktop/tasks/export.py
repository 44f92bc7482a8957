"""One export per task, shared by the CLI (``--out``) and the UI (保存 / 書き出し).

Each ``export_*`` writes atomically and returns an :class:`ExportReport`: the path
written, what was written (counts) and what could not be (counts) — so the user is told
「3 件の指摘は文書に書き込めませんでした」 instead of finding out in Word. The CLI prints
``report.lines()`` on stderr; the UI shows them in the status bar.

A ``.docx`` target goes through the task's Word writer; any other suffix is UTF-8 text. The
app's own files and anything but a regular file are refused first (``core.outputs``).
"""
from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..asr.transcript import to_srt, to_text, to_vtt
from ..core.atomicio import atomic_write_text
from ..core.document import Block, Document
from ..core.findings import Finding
from ..core.i18n import tr
from ..core.outputs import check_output_target
from ..documents import load_document
from ..documents.docx_writer import write_docx
from ..proofread.report import write_findings_report
from ..proofread.tracked_changes import track_changes
from .draft import save_draft_docx
from .minutes_docx import save_minutes_docx
from .proofread import apply_findings
from .summarize import save_summary_docx
from .translate import save_translation_docx


@dataclass
class ExportReport:
    path: str
    format: str                                   # docx | text | tracked_docx | corrected_docx | findings_docx
    written: dict[str, int] = field(default_factory=dict)
    not_written: dict[str, int] = field(default_factory=dict)
    stats: object | None = None                   # proofread.tracked_changes.TrackStats for tracked_docx

    @property
    def lost(self) -> int:
        return sum(self.not_written.values())

    def lines(self) -> list[str]:
        """What the user is told: where it went, then each count that could not be written."""
        out = [tr("cli.saved", path=self.path)]
        out += [tr(f"export.not_written.{k}", count=n) for k, n in self.not_written.items() if n]
        return out

    def message(self) -> str:
        return "\n".join(self.lines())


def _is_docx(target: str | os.PathLike[str]) -> bool:
    return Path(target).suffix.lower() == ".docx"


def _write_text(target, text: str) -> None:
    atomic_write_text(target, text if text.endswith("\n") else text + "\n")


def _blocks_text(blocks) -> str:
    return "\n".join(b.text for b in blocks)


def export_summary(result, target) -> ExportReport:
    return _export(target, save_summary_docx, result, lambda: result.text, {"points": len(result.points)})


def export_translation(result, target) -> ExportReport:
    return _export(target, save_translation_docx, result, lambda: _blocks_text(result.blocks),
                   {"blocks": len(result.blocks)})


def export_draft(result, target) -> ExportReport:
    return _export(target, save_draft_docx, result, lambda: _blocks_text(result.blocks),
                   {"blocks": len(result.blocks)})


def _export(target, save_docx, result, text, counts: dict) -> ExportReport:
    """A .docx through the task's own writer, anything else as plain text."""
    check_output_target(target)
    if _is_docx(target):
        save_docx(result, target)
        return ExportReport(str(target), "docx", counts)
    _write_text(target, text())
    return ExportReport(str(target), "text", counts)


def export_proofread(doc: Document, findings: Sequence[Finding], target, *,
                     plain_source: str = "tracked") -> ExportReport:
    """Write ``findings`` (offsets into ``doc.text``) for the user to act on.

    * Word source, .docx target: the source with tracked changes + comments.
    * .txt/.pdf source, .docx target: ``plain_source="tracked"`` (the UI) writes the
      source's own paragraphs and puts the findings on them as tracked changes, falling
      back to the corrected text when the layout does not read back; ``"report"`` (the
      CLI) writes a table of the findings.
    * any other target: the table of findings as a .docx report at that path.
    """
    target = check_output_target(target)
    if _is_docx(target) and doc.format == "docx" and doc.path is not None:
        return _tracked_report(target, track_changes(Path(doc.path), doc, findings, target))
    if _is_docx(target) and plain_source == "tracked":
        stats = _export_via_blocks(doc, findings, target)
        if stats is not None:
            return _tracked_report(target, stats)
        return _export_corrected(doc, findings, target)
    write_findings_report(doc, findings, target)
    return ExportReport(str(target), "findings_docx", {"findings": len(findings)})


def _tracked_report(target: Path, stats) -> ExportReport:
    return ExportReport(str(target), "tracked_docx", {"revisions": stats.revisions, "comments": stats.comments},
                        {"skipped": len(stats.skipped)}, stats=stats)


def _export_corrected(doc: Document, findings: Sequence[Finding], target: Path) -> ExportReport:
    """The text cannot be laid out as paragraphs again: write the corrected text; advice
    (no replacement) has nowhere to go and is counted as not written."""
    fixes = [f for f in findings if f.is_replacement]
    lines = apply_findings(doc.text, fixes).split("\n")
    blocks = [Block(id=f"b{i:04d}", kind="paragraph", text=t) for i, t in enumerate(lines)]
    write_docx(blocks, target, title=doc.title or None)
    return ExportReport(str(target), "corrected_docx", {"revisions": len(fixes)},
                        {"advice": len(findings) - len(fixes)})


def _export_via_blocks(doc: Document, findings: Sequence[Finding], target: Path):
    """A .txt/.pdf source: write its own paragraphs to a .docx, then put the findings on
    it as tracked changes and comments, like a Word source. Returns TrackStats, or None
    when the written paragraphs do not read back as the same text (then the caller
    writes the corrected text instead)."""
    fd, tmp_name = tempfile.mkstemp(suffix=".docx", prefix=".gennai-src-", dir=str(target.parent))
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        # list items go in as plain paragraphs: Word would draw a bullet before a label the
        # text already carries (「・　ア　…」), and the read-back would no longer match
        plain = [dataclasses.replace(b, kind="paragraph") if b.kind == "list_item" else b
                 for b in doc.blocks]
        write_docx(plain, tmp, title=doc.title or None)
        again = load_document(tmp)
        mapping: dict[int, int] = {}
        j = 0
        for i, b in enumerate(doc.blocks):
            if j < len(again.blocks) and again.blocks[j].text == b.text:
                mapping[i] = j
                j += 1
            elif b.text.strip():
                break                          # layout changed: map no further
        if not mapping:
            return None
        index = {b.id: i for i, b in enumerate(doc.blocks)}
        moved, lost = [], []
        for f in findings:
            b = doc.block_at(f.start)
            i = index[b.id]
            if i not in mapping or f.end > b.end:
                lost.append(f)
                continue
            shift = again.blocks[mapping[i]].start - b.start
            moved.append(dataclasses.replace(f, start=f.start + shift, end=f.end + shift))
        stats = track_changes(tmp, again, moved, target)
        stats.skipped.extend(lost)
        return stats
    finally:
        tmp.unlink(missing_ok=True)


def export_minutes(result, target) -> ExportReport:
    """議事録: .docx (minutes + transcript appendix), .srt/.vtt (subtitles of the
    transcript), anything else plain text (minutes, then the transcript)."""
    suffix = Path(target).suffix.lower()
    t = result.transcript
    counts = {"utterances": len(t.utterances)}
    if suffix == ".srt":
        _write_text(target, to_srt(t))
        return ExportReport(str(target), "srt", counts)
    if suffix == ".vtt":
        _write_text(target, to_vtt(t))
        return ExportReport(str(target), "vtt", counts)
    return _export(target, save_minutes_docx, result,
                   lambda: result.text + "\n\n（別添）文字起こし\n" + to_text(t), counts)
