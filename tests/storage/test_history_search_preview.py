"""Issue 25 item 2 (CLI side): the history's task names, previews and search work for every
task — 質問 entries named and searchable, 校正 previews without offsets or rule ids — and
search is normalised like documents: 18万人 finds 「18 万人」, full-width digits too."""
from __future__ import annotations

import json

from gennai_desktop.cli import main
from gennai_desktop.core.findings import Finding
from gennai_desktop.qa.answer import AnswerResult, Citation
from gennai_desktop.storage import open_store
from gennai_desktop.storage.history import entry_preview, record_task, search_history, task_label
from gennai_desktop.tasks.results import ProofreadResult


def _qa_result() -> AnswerResult:
    c = Citation("/docs/白書.pdf", "b0003", 4, "利用者は18 万人に達した。")
    return AnswerResult("利用者は何人ですか", "利用者は18 万人に達した。", False, "extractive", [c])


def test_search_ignores_spaces_and_widths():
    store = open_store()
    store.add_result("summarize", "・令和６年度の利用者は18 万人に達した。（3ページ）", source_name="a.pdf")
    store.add_result("summarize", "関係のない要約", source_name="b.pdf")
    for needle in ("18万人", "１８万人", "18 万人", "１８　万人"):
        found = search_history(store, needle)
        assert [e.source_name for e in found] == ["a.pdf"], needle
    assert search_history(store, "存在しない語") == []
    store.close()


def test_qa_entry_has_name_preview_and_is_searchable():
    record_task("ask", _qa_result(), file=None, origin="ui")
    store = open_store()
    (e,) = store.list_results()
    assert task_label(e.task) == "質問" and task_label("qa") == "質問"       # also entries of earlier versions
    preview = entry_preview(e)
    assert "利用者は何人ですか" in preview and "白書.pdf 4ページ" in preview
    assert [x.id for x in search_history(store, "18万人")] == [e.id]
    assert [x.id for x in search_history(store, "質問")] == [e.id]         # by its task name
    store.close()


def test_proofread_preview_has_no_offsets_or_rule_ids():
    text = "申請書を提出して下さい。"
    f = Finding(8, 11, "下さい", "ください", "hojo_doushi.kudasai", "補助動詞は仮名で書く。", "補助動詞")
    from gennai_desktop.core.document import Block, Document
    doc = Document.from_blocks([Block("b0", "paragraph", text)])
    record_task("proofread", ProofreadResult(doc, [f], True, False), origin="cli")
    store = open_store()
    (e,) = store.list_results()
    for shown in (entry_preview(e), e.text):
        assert "「下さい」→「ください」" in shown and "補助動詞は仮名で書く。" in shown
        assert "8-11" not in shown and "hojo_doushi" not in shown
    store.close()


def test_cli_history_search_and_list(capsys):
    store = open_store()
    store.add_result("summarize", "利用者は18 万人に達した。", source_name="a.pdf")
    store.add_result("qa", "", source_name="", payload={"ui_state": {"result": {
        "question": "期限はいつか", "answer": "令和７年３月末", "citations": [{"file": "/x/通知.docx", "text": "令和７年３月末までに提出する。"}]}}})
    store.close()
    assert main(["history", "search", "18万人", "--json"]) == 0
    assert [e["source_name"] for e in json.loads(capsys.readouterr().out)] == ["a.pdf"]
    assert main(["history", "list"]) == 0
    out = capsys.readouterr().out
    assert "storage.task" not in out and "質問" in out and "期限はいつか" in out
