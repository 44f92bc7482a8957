"""Issue 25 item 9: the summary .docx has one bullet per point (Word's, not 「• ・」). Points
that open with a connective pointing back (「そのため、」) are ranked lower, kept whole
(tests/tasks/test_summary_points.py): cutting the connective off would misquote the source."""
from __future__ import annotations

import docx

from gennai_desktop.core.document import Location
from gennai_desktop.tasks.results import SummaryPoint, SummaryResult
from gennai_desktop.tasks.summarize import render, save_summary_docx


def test_bullets_are_not_doubled_in_word(tmp_path):
    points = [SummaryPoint("国民の祝日を定める。", (Location("b0001", 1, None),)),
              SummaryPoint("休日とする。", (Location("b0002", 1, None),))]
    result = SummaryResult(points, "bullets", "extractive", render(points, "bullets"), "")
    target = tmp_path / "s.docx"
    save_summary_docx(result, target)
    items = [p for p in docx.Document(target).paragraphs if "祝日" in p.text or "休日とする" in p.text]
    assert len(items) == 2 and not any(p.text.lstrip().startswith(("・", "•")) for p in items)
