"""議事録 from a transcript: rules, the support check on model sentences, the Word export."""
from pathlib import Path

import docx

from gennai_desktop.asr.transcript import Transcript, Utterance
from gennai_desktop.core.events import Notice, drain
from gennai_desktop.llm.base import ModelSpec
from gennai_desktop.tasks.export import export_minutes
from gennai_desktop.tasks.minutes import MinutesResult, minutes
from tests.support.fake_engine import FakeEngine

LINES = [
    (0.0, "それでは、定刻になりましたので、施設管理に関する打合せを始めます。"),
    (6.0, "本日の議題は、庁舎の空調設備の更新と、来年度の点検計画の2点です。"),
    (14.0, "空調設備は、設置から25年が経過しており、故障が年に8件発生しています。"),
    (22.0, "更新の費用は、約1,200万円と見積もっております。"),
    (30.0, "工事の期間はどのくらいですか。"),
    (34.0, "約3か月を想定しております。"),
    (40.0, "それでは、空調設備の更新は、来年度の予算要求に盛り込むことで決定とします。"),
    (48.0, "点検計画については、年2回の点検を年4回に増やす案を説明します。"),
    (56.0, "点検計画の案は、了承とします。"),
    (60.0, "総務課は、6月30日までに点検業者の見積りを取ってください。"),
    (66.0, "次回の打合せは、7月10日に第2会議室で行います。"),
]


def _transcript():
    us = [Utterance(s, s + 5, text, turn=i) for i, (s, text) in enumerate(LINES)]
    return Transcript(us, duration=72.0, model_id="whisper-base-ct2", source_name="r.m4a",
                      recorded_at="2026年5月1日 10時00分")


def test_rules_find_decisions_schedule_agenda_and_leave_unstated_fields_empty():
    res: MinutesResult = drain(minutes(_transcript()))
    assert res.method == "extractive"
    assert [d.utterance for d in res.decisions] == [6, 8]
    assert [s.utterance for s in res.schedule] == [9, 10]
    assert res.fields["議題"] == "庁舎の空調設備の更新と、来年度の点検計画の2点"
    assert res.fields["場所"] == ""           # 第2会議室 is where the NEXT meeting is: not guessed
    assert res.field_sources["場所"] == "none"
    assert res.fields["日時"].startswith("2026年5月1日") and res.field_sources["日時"] == "file"
    assert res.points and all(p.utterance not in (6, 8, 9, 10) for p in res.points)
    assert all(p.text == LINES[p.utterance][1] for p in res.points)     # quoted, not rewritten
    assert "（記載なし）" in res.text


def test_user_fields_win_and_named_speakers_become_attendees():
    t = _transcript()
    t.set_speaker(0, "山田課長")
    t.set_speaker(3, "佐藤係長")
    res = drain(minutes(t, given={"場所": "本庁舎5階"}))
    assert res.fields["場所"] == "本庁舎5階" and res.field_sources["場所"] == "user"
    assert res.fields["出席者"] == "山田課長、佐藤係長"


def _instruct_engine(reply: str) -> FakeEngine:
    spec = ModelSpec(id="instruct-test", path=Path("/dev/null"), name_ja="指示調整テスト", name_en="Instruct test",
                     instruction_tuned=True, prompt_style="chat", chat_format="chatml")
    return FakeEngine(reply=lambda prompt: reply, spec=spec)


def test_model_points_must_be_supported_by_the_transcript():
    reply = ("・空調設備は、設置から25年が経過しており、故障が年に8件発生している。\n"
             "・更新の費用は、約3,000万円と見積もっている。\n"          # invented number: dropped
             "・職員の満足度調査を実施する。")                              # not said at all: dropped
    events = []
    res = drain(minutes(_transcript(), _instruct_engine(reply)), events.append)
    assert res.method == "model" and res.model_id == "instruct-test"
    assert [p.utterance for p in res.points] == [2]
    notice = next(e for e in events if isinstance(e, Notice) and e.key == "minutes.notice.unsupported_dropped")
    assert notice.params["count"] == 2


def test_a_base_model_is_not_asked_and_the_user_is_told():
    engine = FakeEngine(reply=lambda p: "・何か")
    res = drain(minutes(_transcript(), engine))
    assert engine.prompts == [] and res.method == "extractive"
    assert "minutes.notice.base_model" in res.notices


def test_docx_has_the_minutes_form_and_the_transcript_appendix(tmp_path):
    t = _transcript()
    t.set_speaker(6, "山田課長")
    res = drain(minutes(t, given={"件名": "施設管理打合せ"}))
    report = export_minutes(res, tmp_path / "m.docx")
    assert report.format == "docx"
    d = docx.Document(str(tmp_path / "m.docx"))
    paras = [p.text for p in d.paragraphs]
    assert paras[0] == "施設管理打合せ　議事録"
    for n, name in enumerate(("日時", "場所", "出席者", "議題", "発言要旨", "決定事項", "今後の予定"), 1):
        assert any(p.startswith(f"{'１２３４５６７'[n - 1]}　{name}") for p in paras), name
    assert any("決定とします。（山田課長、00:40）" in p for p in paras)
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert rows[0] == ["時刻", "発言者", "発言"] and len(rows) == len(LINES) + 1
    assert rows[7] == ["00:40", "山田課長", LINES[6][1]]


def test_text_srt_vtt_exports(tmp_path):
    res = drain(minutes(_transcript()))
    export_minutes(res, tmp_path / "m.srt")
    export_minutes(res, tmp_path / "m.vtt")
    export_minutes(res, tmp_path / "m.txt")
    assert (tmp_path / "m.srt").read_text(encoding="utf-8").count(" --> ") == len(LINES)
    assert (tmp_path / "m.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    txt = (tmp_path / "m.txt").read_text(encoding="utf-8")
    assert "６　決定事項" not in txt and "6　決定事項" in txt and "（別添）文字起こし" in txt
