"""The document-level view (round 7): each file keeps its title (passages.doc_title, never the
file name) in the index, and a question that names its document raises that document's
passages (search.SearchOptions.title_weight, TitleIndex)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gennai_desktop.core.document import Block, Document
from gennai_desktop.qa import index as index_mod
from gennai_desktop.qa.index import FolderIndex, IndexOptions
from gennai_desktop.qa.passages import doc_title
from gennai_desktop.qa.search import DEFAULT, TitleIndex, rank
from gennai_desktop.qa.store import MemoryStore
from tests.support.events import run_to_result


def _minutes(tmp_path, options: IndexOptions | None = None):
    (tmp_path / "gijiroku_a.txt").write_text(
        "審議会第１２回会議　議事録\n\n議事は予定どおり進められた。\n\n会長には山田委員が互選された。\n",
        encoding="utf-8")
    (tmp_path / "gijiroku_b.txt").write_text(
        "審議会第１３回会議　議事録\n\n議事は予定どおり進められた。\n\n"
        "会長の選任は次回とし、会長が選ばれるまで会長代理が会長の職務を行い、会長は次回の会議で選ぶこととされた。\n",
        encoding="utf-8")
    topics = ["道路占用", "水道料金", "ごみ収集", "図書館", "公園管理", "防災訓練", "広報誌", "国際交流"]
    for n, topic in enumerate(topics):
        (tmp_path / f"other_{n}.txt").write_text(f"{topic}の手引き\n\n{topic}の手続は窓口で受け付ける。\n",
                                                 encoding="utf-8")
    ix = FolderIndex(tmp_path, MemoryStore(), options)
    run_to_result(ix.update())
    return ix


def test_each_file_keeps_its_title_and_a_new_process_reads_it_back(tmp_path):
    store = MemoryStore()
    _minutes(tmp_path)
    ix = FolderIndex(tmp_path, store)
    run_to_result(ix.update())
    titles = {k.rsplit("/", 1)[-1]: e.title for k, e in ix.entries.items()}
    assert titles["gijiroku_a.txt"].startswith("審議会第１２回会議")
    again = FolderIndex(tmp_path, store)                    # read from the store, not the files
    assert {k.rsplit("/", 1)[-1]: e.title for k, e in again.entries.items()} == titles
    assert index_mod.FORMAT >= 5


def test_the_title_is_never_the_file_name():
    """A reader that finds no title falls back to the file's stem; that is not a title."""
    doc = Document(path=Path("/tmp/report_2021.txt"), format="txt",
                   blocks=[Block("b0", "paragraph", "本文の一文目です。")], title="report_2021")
    assert doc_title(doc) == ""                             # a sentence is no cover line, the stem no title
    doc = Document(path=Path("/tmp/report_2021.txt"), format="txt",
                   blocks=[Block("b0", "paragraph", ""), Block("b1", "paragraph", "審議会第１２回会議　議事録")],
                   title="report_2021")
    assert doc_title(doc) == "審議会第１２回会議 議事録"        # the cover line after a blank one


def test_a_question_naming_its_meeting_ranks_that_meetings_minutes_first(tmp_path):
    ix = _minutes(tmp_path)
    question = "第12回会議で会長に選ばれたのは誰か"
    top = rank(ix, question, 2)[0]
    assert top.file.endswith("gijiroku_a.txt") and "山田" in top.passage.text
    without = rank(ix, question, 2, options=replace(DEFAULT, title_weight=0.0))[0]
    assert without.file.endswith("gijiroku_b.txt")         # BM25 alone: the minutes saying 会長 four times


def test_title_match_weighs_rare_title_terms_and_ignores_terms_in_no_title():
    t = TitleIndex(["審議会第１２回会議 議事録", "審議会第１３回会議 議事録", "利用規約"])
    share = t.match(["12", "会議", "会長"], lambda w: 1.0)
    assert share[0] > share[1] > 0 and share[2] == 0       # 12 only in the first; 会議 in two; 会長 in none
