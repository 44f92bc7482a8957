"""校正 table: severity and category columns and filters, the full 理由 on selection, 長文
as a whole-sentence hint collapsed by default, the writing standard (公用文 / 法令) chosen
automatically or by hand, and advice exported as Word comments with the count shown."""
from __future__ import annotations

import re
import zipfile

from gennai_desktop.ui.qt import Qt

from .conftest import wait_idle


def _rules_only(qtbot, w, path):
    w.open_path(path)
    tab = w.proofread_tab
    w.tabs.setCurrentWidget(tab)
    tab.use_model.setChecked(False)
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", w.messages
    return tab


def _comment_count(docx_path) -> int:
    with zipfile.ZipFile(docx_path) as z:
        if "word/comments.xml" not in z.namelist():
            return 0
        return len(re.findall(r"<w:comment ", z.read("word/comments.xml").decode("utf-8")))


def test_hint_severity_filter_category_and_reason(qtbot, window, report_docx):
    tab = _rules_only(qtbot, window, report_docx)
    m = tab.model
    hints = [r for r, f in enumerate(m.findings) if f.severity == "hint"]
    edits = [r for r, f in enumerate(m.findings) if f.is_replacement]
    assert hints and edits
    h = m.findings[hints[0]]
    assert h.category == "長文" and h.end - h.start > 100
    assert m.data(m.index(hints[0], 6)) == "ヒント（目安）" and m.data(m.index(hints[0], 5)) == "長文"
    # the hint selects the whole sentence, and its 理由 is shown in full with its basis
    assert tab.show_finding(hints[0]) == h.original
    assert h.message in tab.detail_label.text() and "根拠" in tab.detail_label.text()
    assert "公用文作成の考え方" in m.data(m.index(hints[0], 3), Qt.ItemDataRole.ToolTipRole)
    # hints are collapsed by default; the summary says how many and where to show them
    assert tab.severity_filter.currentData() == "no_hints"
    assert all(tab.table.isRowHidden(r) for r in hints)
    assert f"長文のヒント {len(hints)} 件" in tab.summary_label.text()
    # severity filter hides hints, category filter shows one category only
    tab.severity_filter.setCurrentIndex(tab.severity_filter.findData("all"))
    assert not any(tab.table.isRowHidden(r) for r in hints)
    tab.severity_filter.setCurrentIndex(tab.severity_filter.findData("no_hints"))
    assert all(tab.table.isRowHidden(r) for r in hints)
    assert not any(tab.table.isRowHidden(r) for r in edits)
    assert "表示中" in tab.summary_label.text()
    tab.severity_filter.setCurrentIndex(tab.severity_filter.findData("all"))
    i = tab.category_filter.findData("長文")
    assert i > 0 and "長文（" in tab.category_filter.itemText(i)
    tab.category_filter.setCurrentIndex(i)
    assert tab.visible_rows() == hints


def test_docx_export_writes_advice_as_comments_and_says_how_many(qtbot, window, report_docx, tmp_path):
    tab = _rules_only(qtbot, window, report_docx)
    tab.severity_filter.setCurrentIndex(tab.severity_filter.findData("all"))
    tab.accept_all()
    advice = [f for f in tab.export_findings() if not f.is_replacement]
    assert any(f.severity == "hint" for f in advice)
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    assert target
    st = tab.last_export
    written = _comment_count(target)
    assert written == st.comments > len(tab.model.accepted())    # advice comments, not only fixes
    msg = window.messages[-1]
    assert f"コメント {written} 件" in msg and f"{st.revisions} 件" in msg


def test_hints_filtered_out_are_not_exported(qtbot, window, report_docx, tmp_path):
    tab = _rules_only(qtbot, window, report_docx)
    tab.severity_filter.setCurrentIndex(tab.severity_filter.findData("no_hints"))
    assert not any(f.severity == "hint" for f in tab.export_findings())


def test_txt_export_gets_tracked_changes_and_comments_too(qtbot, window, corpus, tmp_path):
    tab = _rules_only(qtbot, window, corpus / "real" / "gijiroku_moj_hoseishingikai198.txt")
    tab.severity_filter.setCurrentIndex(tab.severity_filter.findData("all"))
    tab.accept_all()
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    assert target and tab.last_export is not None
    assert _comment_count(target) == tab.last_export.comments > 0
    xml = zipfile.ZipFile(target).read("word/document.xml").decode("utf-8")
    assert "<w:ins " in xml
    assert "コメント" in window.messages[-1]


def test_export_report_count_of_unwritten_findings_reaches_the_status_bar(qtbot, window, report_docx, tmp_path):
    from gennai_desktop.core.findings import Finding
    tab = _rules_only(qtbot, window, report_docx)
    stale = Finding(0, 2, "別文", "別の文", "test.rule", "テスト")     # no longer matches the text
    tab.model.add_findings([stale])
    tab.model.set_decision(tab.model.findings.index(stale), "accepted")
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    assert target
    report = tab.last_report
    assert report is not None and report.path == target and report.format == "tracked_docx"
    n = report.not_written["skipped"]
    assert n >= 1 and n == len(tab.last_export.skipped)
    assert f"書き出せなかった指摘: {n} 件" in window.messages[-1]
    assert window.statusBar().currentMessage() == window.messages[-1]


def test_law_is_checked_by_the_legislative_standard_unless_the_user_chooses_otherwise(qtbot, window, denshi_docx):
    tab = _rules_only(qtbot, window, denshi_docx)
    assert tab.profile_box.currentData() == "auto"
    assert tab.result.profile == "horei"
    assert not [f for f in tab.model.findings if f.category == "長文"]     # no 長文 advice for 条文
    assert "proofread.notice.profile_horei" in tab.result.notices      # the user is told, with how to change it
    tab.profile_box.setCurrentIndex(tab.profile_box.findData("koyobun"))
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.result.profile == "koyobun"
    assert any(f.category == "長文" for f in tab.model.findings)
    assert tab.state()["profile"] == "koyobun"


def test_saved_message_is_shown_whole_and_says_what_the_filter_left_out(qtbot, window, report_docx, tmp_path):
    """Issue 25 item 9: the counts are seen (a label under the result, not a cut-off status
    bar), and advice hidden by the screen filter is named as not written, not left out silently."""
    tab = _rules_only(qtbot, window, report_docx)
    tab.severity_filter.setCurrentIndex(tab.severity_filter.findData("warning"))
    hidden = sum(1 for r, f in enumerate(tab.model.findings) if not f.is_replacement and not tab.row_passes(r))
    assert hidden > 0
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    assert target and tab.saved_label.isVisible()
    text = tab.saved_label.text()
    assert f"コメント {tab.last_export.comments} 件" in text and f"非表示の助言 {hidden} 件" in text
    assert tab.saved_label.wordWrap()
    tab.severity_filter.setCurrentIndex(tab.severity_filter.findData("all"))
    assert tab.save_dialog(chooser=lambda name: str(tmp_path / ("all_" + name)))
    assert "非表示" not in tab.saved_label.text()
