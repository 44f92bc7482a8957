"""The parent side of the ASR child: partial results on crash and cancel, errors in Japanese,
the child killed. A stand-in child (a few lines of Python) plays the recogniser so these run
in a second; the real child is exercised in test_hostile_audio.py and test_transcribe_speech.py."""
from __future__ import annotations

import hashlib
import json
import sys
import threading

import pytest

from gennai_desktop.asr import runner
from gennai_desktop.asr.model import AsrModel
from gennai_desktop.asr.runner import AsrError
from gennai_desktop.core import sandbox
from gennai_desktop.core.cancel import CancelToken, Cancelled
from gennai_desktop.core.events import Notice, drain
from gennai_desktop.core.i18n import tr
from gennai_desktop.tasks.transcribe import transcribe

from .conftest import write_wav


@pytest.fixture
def tiny_model(tmp_path) -> AsrModel:
    d = tmp_path / "m"
    d.mkdir()
    files = {}
    for name in ("model.bin", "config.json", "tokenizer.json"):
        data = name.encode() * 10
        (d / name).write_bytes(data)
        files[name] = (len(data), hashlib.sha256(data).hexdigest())
    return AsrModel(id="tiny", path=d, name_ja="t", name_en="t", vendor="test", licence="test", files=files)


@pytest.fixture
def wav(tmp_path):
    import numpy as np
    return write_wav(tmp_path / "a.wav", np.zeros(16_000, np.float32))


def _seg(start, text):
    return {"event": "segment", "start": start, "end": start + 1, "text": text,
            "words": [[text, start, start + 1, 0.9]], "avg_logprob": -0.2, "no_speech_prob": 0.01}


def fake_child(monkeypatch, events, then: str):
    """Start, through the real sandbox helper (environment, limits, request on stdin), a
    stand-in that prints ``events`` then does ``then`` (Python code) instead of the recogniser.
    Returns the started processes and the requests they were handed."""
    lines = "".join(f"print({json.dumps(json.dumps(e, ensure_ascii=False))}, flush=True)\n" for e in events)
    code = "import os, sys, time, signal\n" + lines + then
    procs, requests = [], []
    real_start = sandbox.start

    def start(name, request, limits, *, argv=None, env=None, text=False, spare=False):
        assert name == runner.CHILD and argv is None       # the runner names its child, not a command
        requests.append((request, limits, env))
        p = real_start(name, request, limits, argv=[sys.executable, "-c", code], env=env, text=text, spare=spare)
        procs.append(p)
        return p
    monkeypatch.setattr(sandbox, "start", start)
    return procs, requests


START = {"event": "start", "format": "wav", "codec": "pcm", "rate": 16000, "channels": 1, "header_seconds": 60.0}
MODEL = {"event": "model", "seconds": 0.1}


def test_a_crash_after_some_speech_keeps_it_as_a_partial_transcript(monkeypatch, wav, tiny_model):
    fake_child(monkeypatch, [START, MODEL, _seg(1.0, "予算を決定しました。"), _seg(3.0, "次の議題です。")],
               "os.abort()\n")
    events = []
    t = drain(transcribe(wav, tiny_model), events.append)
    assert t.partial and t.stopped_at == 4.0
    assert [u.text for u in t.utterances] == ["予算を決定しました。", "次の議題です。"]
    notice = next(e for e in events if isinstance(e, Notice) and e.key == "asr.notice.partial_crash")
    assert "異常終了" in notice.params["reason"]


def test_a_crash_before_any_speech_is_one_japanese_error(monkeypatch, wav, tiny_model):
    fake_child(monkeypatch, [START], "os.kill(os.getpid(), signal.SIGSEGV)\n")
    with pytest.raises(AsrError) as err:
        drain(transcribe(wav, tiny_model))
    assert err.value.key == "asr.error.crashed" and "異常終了" in err.value.message("ja")


def test_cancel_kills_the_child_at_once_and_keeps_what_was_said(monkeypatch, wav, tiny_model):
    procs, _ = fake_child(monkeypatch, [START, MODEL, _seg(2.0, "最初の発言です。"), {"event": "progress", "seconds": 3.0}],
                       "time.sleep(120)\n")
    token = CancelToken()
    seen = threading.Event()

    def on(ev):
        if getattr(ev, "stage", "") == "asr.stage.recognising" and ev.done > 0:
            seen.set()
            token.cancel()
    t = drain(transcribe(wav, tiny_model, cancel=token), on)
    assert seen.is_set() and t.partial and [u.text for u in t.utterances] == ["最初の発言です。"]
    assert "asr.notice.partial_cancel" in t.notices
    assert procs[0].poll() is not None            # the child is gone, not left running


def test_cancel_before_any_speech_is_a_clean_cancel(monkeypatch, wav, tiny_model):
    procs, _ = fake_child(monkeypatch, [START], "time.sleep(120)\n")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        drain(transcribe(wav, tiny_model, cancel=token))
    assert procs[0].poll() is not None


def test_child_refusals_map_to_input_errors(monkeypatch, wav, tiny_model):
    fake_child(monkeypatch, [{"event": "error", "error": "bad_header", "reason": "0 Hz, 65535 channels"}], "")
    with pytest.raises(Exception) as err:
        drain(transcribe(wav, tiny_model))
    assert err.value.key == "asr.error.bad_header" and err.value.exit_code == 3


def test_a_changed_model_file_is_refused_before_the_child_starts(monkeypatch, wav, tiny_model):
    procs, _ = fake_child(monkeypatch, [START], "")
    (tiny_model.path / "tokenizer.json").write_bytes(b"x" * (tiny_model.files["tokenizer.json"][0]))
    with pytest.raises(Exception) as err:
        drain(transcribe(wav, tiny_model))
    assert err.value.key == "asr.model.changed" and procs == []
    assert "改変" in tr("asr.model.changed", path="p")


def test_glossary_terms_reach_the_recogniser_as_its_initial_prompt(monkeypatch, wav, tiny_model):
    from gennai_desktop.tasks.transcribe import glossary_prompt
    _, requests = fake_child(monkeypatch, [{"event": "done", "seconds": 1}], "")
    drain(transcribe(wav, tiny_model, terms=["個人情報保護委員会", "マイナンバー", "個人情報保護委員会", ""]))
    assert requests[0][0]["initial_prompt"] == "個人情報保護委員会、マイナンバー。"
    assert glossary_prompt([]) is None
    assert glossary_prompt(f"用語{i}" for i in range(100)).count("、") == 39      # capped at 40 terms


def test_the_child_gets_caps_the_offline_switches_and_the_path_only_in_its_request(monkeypatch, wav, tiny_model):
    _, requests = fake_child(monkeypatch, [{"event": "done", "seconds": 1}], "")
    drain(transcribe(wav, tiny_model))
    request, limits, env = requests[0]
    assert request["path"] == str(wav) and request["model_dir"] == str(tiny_model.path)
    assert limits.memory_bytes > 0 and 0 < limits.cpu_seconds <= limits.cpu_ceiling and limits.wall_seconds > 0
    assert env["HF_HUB_OFFLINE"] == "1"
    full = sandbox.child_env(env)
    assert full["HF_HUB_OFFLINE"] == "1" and "GENNAI_STORE_PASSPHRASE" not in full
    assert sandbox.child_argv(runner.CHILD)[-2:] == [sandbox.CHILD_FLAG, "asr"] and str(wav) not in sandbox.child_argv("asr")


def test_a_child_killed_for_its_limits_is_a_japanese_limit_error(monkeypatch, wav, tiny_model):
    fake_child(monkeypatch, [START], "os.kill(os.getpid(), signal.SIGXCPU)\n")
    with pytest.raises(AsrError) as err:
        drain(transcribe(wav, tiny_model))
    assert err.value.key == "asr.error.limit_reached" and "上限" in err.value.message("ja")


def test_the_ambient_cancel_of_the_cli_or_ui_worker_reaches_the_child(monkeypatch, wav, tiny_model):
    from gennai_desktop.core.cancel import cancel_scope
    procs, _ = fake_child(monkeypatch, [START], "time.sleep(120)\n")
    token = CancelToken()
    token.cancel()
    with cancel_scope(token), pytest.raises(Cancelled):
        drain(transcribe(wav, tiny_model))
    assert procs[0].poll() is not None
