"""質問 tab: IME-safe question box, answer with sources that jump to the page/paragraph,
folders as the source, and no model load for a base model."""
from __future__ import annotations

import shutil
from pathlib import Path

from gennai_desktop.llm.base import ModelSpec
from gennai_desktop.ui.ime import commit_text, preedit_text
from gennai_desktop.ui.qt import Qt
from tests.support.fake_engine import FakeEngine

from .conftest import make_window, wait_idle


def test_question_on_open_pdf_answers_and_jumps_to_page(window, qtbot, ja_corpus):
    pdf = ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf"
    assert window.open_path(pdf)
    window.tabs.setCurrentWidget(window.qa_tab)
    tab = window.qa_tab
    assert tab.source_label.text() == str(pdf)
    tab.question_edit.setFocus()
    preedit_text(tab.question_edit, "さんぎいん")
    qtbot.keyClick(tab.question_edit, Qt.Key.Key_Return)
    assert not tab.busy                               # Enter during 変換 does not ask
    commit_text(tab.question_edit, "参議院議員の任期は")
    qtbot.keyClick(tab.question_edit, Qt.Key.Key_Return)
    assert tab.busy or tab.result is not None
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", window.messages
    r = tab.result
    assert not r.abstained and "六年" in tab.stream.toPlainText()
    assert tab.citations.topLevelItemCount() == len(r.citations) > 0
    assert len(r.citations) <= 3
    label = tab.citations.itemWidget(tab.citations.topLevelItem(0), 0)
    assert label.text().startswith("<b>1. ") and "ページ" in label.text()        # best first, with the page
    assert "<b>任期</b>" in label.text()                                          # the question's terms in bold
    assert not any(c.holds_answer for c in r.citations)      # 「…任期は」 asks for no date/number/name span
    assert "抽出型回答" in tab.notices.text()
    first = r.citations[0]
    assert tab._on_item(tab.citations.topLevelItem(0))
    view = window.document_view
    assert view.tabs.currentWidget() is view.pdf_view and view.current_page() == first.page


def test_citation_rows_mark_the_answer_span():
    from gennai_desktop.qa.answer import Citation
    from gennai_desktop.ui.tabs.qa_tab import citation_html, citation_title
    c = Citation("/d/a.pdf", "b1", 3, "任期は、六年とする。", path=("第四章　国会",), highlights=((0, 2),),
                 answer_span=(4, 6), holds_answer=True)
    assert citation_title(2, c) == "2. a.pdf 3ページ［回答箇所］（第四章　国会）"
    html = citation_html(2, c)
    assert "<b>任期</b>" in html and "<u>六年</u></span>" in html and html.index("<u>") > html.index("</b>は")


def test_folder_source_opens_the_cited_file(window, qtbot, ja_corpus, tmp_path):
    folder = tmp_path / "laws"
    folder.mkdir()
    for name in ("law_kokumin-shukujitsu_323AC1000000178.txt", "law_gyosei-kikan-kyujitsu_363AC0000000091.txt"):
        shutil.copy(ja_corpus / name, folder / name)
    tab = window.qa_tab
    tab.set_folder(str(folder))
    commit_text(tab.question_edit, "山の日は何月何日ですか")
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", window.messages
    c = tab.result.citations[0]
    assert Path(c.file).name.startswith("law_kokumin-shukujitsu") and window.document is None
    assert tab._on_item(tab.citations.topLevelItem(0))
    assert window.document is not None and Path(window.document.path).name == Path(c.file).name
    view = window.document_view
    assert view.text.textCursor().selectedText() == window.document.block(c.block).text
    # a question the folder does not answer
    tab.question_edit.setText("消費税の税率は何パーセントですか")
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.result.abstained and tab.stream.toPlainText() == "ご質問の内容は、これらの文書には見当たりませんでした。"
    assert tab.citations.topLevelItemCount() == 0


def test_base_model_is_not_loaded_for_questions(qtbot, app_font, ja_corpus):
    loads = []
    spec = ModelSpec(id="base", path=Path("/dev/null"), name_ja="ベース", name_en="Base", instruction_tuned=False)
    engine = FakeEngine(spec=spec)
    w = make_window(qtbot, engine)
    w.engine_provider._factory = lambda: loads.append(1) or engine
    assert w.open_path(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt")
    tab = w.qa_tab
    tab.question_edit.setText("文化の日はいつか")
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", w.messages
    assert loads == [] and engine.prompts == [] and tab.result.method == "extractive"
    assert "十一月三日" in tab.stream.toPlainText()


def test_empty_question_is_refused(window):
    window.qa_tab.set_folder(str(Path(__file__).parent))
    assert not window.qa_tab.run()
    assert window.messages and "質問を入力してください" in window.messages[-1]


def test_answer_survives_autosave_restore_without_whole_passages(window, qtbot, ja_corpus, app_font):
    assert window.open_path(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt")
    tab = window.qa_tab
    tab.question_edit.setText("文化の日はいつか")
    assert tab.run()
    wait_idle(qtbot, tab)
    state = window.collect_state()
    saved = state["tabs"]["qa"]
    assert saved["question"] == "文化の日はいつか"
    assert all(c["passage_text"] == "" for c in saved["result"]["citations"])
    other = make_window(qtbot)
    other.restore_state(state, reopen=False)
    assert other.qa_tab.stream.toPlainText() == tab.stream.toPlainText()
    assert other.qa_tab.citations.topLevelItemCount() == tab.citations.topLevelItemCount() > 0


def test_answer_saves_as_docx(window, qtbot, ja_corpus, tmp_path):
    """保存 on the 質問 tab writes the answer and its sources (the tab's export_result)."""
    from docx import Document as Docx
    assert window.open_path(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt")
    tab = window.qa_tab
    commit_text(tab.question_edit, "山の日は何月何日ですか")
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", window.messages
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    assert target is not None, window.messages
    text = "\n".join(p.text for p in Docx(target).paragraphs)
    assert "山の日は何月何日ですか" in text and tab.result.answer.splitlines()[0] in text
    assert tab.last_report is not None and tab.last_report.lost == 0
