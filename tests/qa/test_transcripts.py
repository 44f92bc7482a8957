"""質問 over the 議事録 transcripts in the encrypted history: answered with the meeting and
the time it was said; an unrelated question abstains."""
from __future__ import annotations

from gennai_desktop.asr.transcript import Transcript, Utterance
from gennai_desktop.core.events import drain
from gennai_desktop.qa.transcripts import ask_transcripts, history_transcripts
from gennai_desktop.storage.history import record_task
from gennai_desktop.storage.store import open_store
from gennai_desktop.tasks.minutes import minutes

LINES = ["それでは、庁舎管理の打合せを始めます。",
         "空調設備の更新費用は、約1,200万円と見積もっております。",
         "工事は、来年の8月に実施する予定です。",
         "総務課は、6月30日までに見積りを取ってください。"]


def _record(store, title: str) -> int:
    t = Transcript([Utterance(i * 10.0, i * 10 + 5, x, turn=i) for i, x in enumerate(LINES)], duration=45.0,
                   source_name="r.m4a")
    t.set_speaker(1, "施設係長")
    res = drain(minutes(t, given={"件名": title}))
    return record_task("minutes", res, store=store, title=title)


def test_a_question_finds_the_line_in_a_kept_transcript():
    store = open_store(create=True)
    try:
        assert _record(store, "庁舎管理打合せ") is not None
        assert len(history_transcripts(store)) == 1
        res = drain(ask_transcripts("空調設備の更新費用はいくらですか", None, store=store))
        assert not res.abstained and "1,200万円" in res.answer
        c = res.citations[0]
        assert c.file.startswith("庁舎管理打合せ　議事録") and c.block.startswith("00:10")
        assert "施設係長" in c.text
        none = drain(ask_transcripts("有給休暇は何日ですか", None, store=store))
        assert none.abstained
    finally:
        store.close()

