import json

from gennai_desktop.asr.transcript import Transcript, Utterance, Word, to_srt, to_text, to_vtt


def _t():
    us = [Utterance(0.5, 2.0, "本日の議題です。", [Word("本日", 0.5, 0.9)], turn=0),
          Utterance(2.2, 4.0, "予算は300万円です。", turn=0),
          Utterance(6.0, 7.5, "了承します。", turn=1)]
    return Transcript(us, duration=8.0, model_id="m", source_name="a.m4a")


def test_subtitles_and_text_carry_times_and_speakers():
    t = _t()
    t.set_speaker(1, "課長")
    srt = to_srt(t)
    assert "1\n00:00:00,500 --> 00:00:02,000\n本日の議題です。" in srt
    assert "3\n00:00:06,000 --> 00:00:07,500\n課長：了承します。" in srt
    vtt = to_vtt(t)
    assert vtt.startswith("WEBVTT\n") and "00:00:06.000 --> 00:00:07.500\n<v 課長>了承します。" in vtt
    assert to_text(t).splitlines() == ["[00:00] 本日の議題です。予算は300万円です。", "[00:06] 課長：了承します。"]


def test_rename_and_edit():
    t = _t()
    assert t.set_speaker(0, "田中") == 2
    assert t.rename_speaker("田中", "田中係長") == 2 and t.speakers() == ["田中係長"]
    t.edit(0, "本日の議題です（訂正）。")
    assert t.utterances[0].edited and t.utterances[0].words == []   # timings no longer match the words


def test_json_round_trip():
    t = _t()
    t.partial, t.stopped_at = True, 7.5
    again = Transcript.from_json(json.loads(t.dumps()))
    assert again.to_json() == t.to_json()
